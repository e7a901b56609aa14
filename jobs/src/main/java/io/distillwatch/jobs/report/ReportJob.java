package io.distillwatch.jobs.report;

import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LakeJob;
import io.distillwatch.jobs.spark.JobGroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code report --lake K --out FILE.html}: reads the night's campaigns and the newest attribution
 * studies ({@link ReportData}), renders the self-contained page ({@link ReportHtml}) and writes it
 * atomically (a temporary file beside it, then a rename), optionally printed to PDF by Chromium.
 */
public final class ReportJob extends LakeJob<ReportJob.Result> {
  public static final String NAME = "report";

  /** @param pdf where to print the page to PDF, or null; @param chromium the browser for that */
  public record Options(Path out, LocalDate date, Pseudonyms pseudonyms, Path pdf, Path chromium) {
    public Options {
      if (!out.getFileName().toString().endsWith(".html")) {
        throw new IllegalArgumentException("the report file must end in .html");
      }
      if (pdf != null && chromium == null) {
        throw new IllegalArgumentException("a PDF needs the Chromium binary");
      }
    }
  }

  public record Result(Path html, Path pdf, ReportData data, long bytes) {}

  private final Options options;

  public ReportJob(Lake lake, Options options) {
    super(lake, NAME);
    this.options = options;
  }

  @Override
  protected Map<String, ?> description() {
    Map<String, Object> desc = new LinkedHashMap<>();
    desc.put("lake", lake.root());
    desc.put("date", options.date() == null ? "newest" : options.date());
    desc.put("internal", options.pseudonyms().isInternal());
    return desc;
  }

  @Override
  protected Result run(JobGroup group) {
    group.step("report: read the lake");
    ReportData data = ReportData.load(lake, options.date(), options.pseudonyms());
    group.step("report: write the page");
    byte[] html = ReportHtml.render(data, lake.root()).getBytes(StandardCharsets.UTF_8);
    Path out = options.out().toAbsolutePath();
    try {
      Files.createDirectories(out.getParent());
      Path tmp = out.resolveSibling("." + out.getFileName() + ".tmp");
      Files.write(tmp, html);
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      if (options.pdf() != null) {
        Chromium.printToPdf(options.chromium(), out, options.pdf());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report " + out, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while printing the report to PDF", e);
    }
    return new Result(out, options.pdf(), data, html.length);
  }
}
