package io.distillwatch.jobs.report;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.Lake;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DATE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;

/** {@code report --lake K --out FILE.html [--date D] [--internal] [--pdf]}: the briefing page. */
public final class ReportCommand implements Command {
  @Override
  public String name() {
    return "report";
  }

  @Override
  public String summary() {
    return "self-contained HTML briefing: campaigns, evidence, timelines, link graph, attribution (no network requests)";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(CommonOptions.LAKE,
        OptionSpec.required("out", TEXT, "the HTML file to write (local path ending in .html); replaced atomically"),
        OptionSpec.optional("date", DATE, null, "the night to brief on (default: the newest with campaigns)"),
        OptionSpec.flag("internal", "keep real account ids (the page is marked INTERNAL); without it ids are keyed "
            + "pseudonyms and " + Pseudonyms.KEY_VARIABLE + " must be set"),
        OptionSpec.flag("pdf", "also print the page to FILE.pdf beside it with headless Chromium"));
  }

  @Override
  public void validate(Args args) {
    if (!args.text("out").endsWith(".html")) {
      throw new UsageException("--out must name an .html file");
    }
    if (CommonOptions.localPath(args.text("out")) == null) {
      throw new UsageException("--out must be a local path (copy the page to shared storage afterwards)");
    }
  }

  @Override
  public void preflight(Args args) {
    Pseudonyms.forReport(args.flag("internal"), System.getenv()); // one-line error when the key is missing
    if (args.flag("pdf")) {
      Chromium.require(System.getenv());
    }
    Path lake = CommonOptions.localPath(args.text("lake"));
    if (lake != null && !Files.isDirectory(lake)) {
      throw new InvalidInputException("no lake at " + lake);
    }
    CommonOptions.requireOutsideTables(args.text("out"), args.text("lake"));
    CommonOptions.requireWritableLocalLake(CommonOptions.localPath(args.text("out")).getParent().toString());
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    Path out = CommonOptions.localPath(args.text("out"));
    Path pdf = args.flag("pdf") ? out.resolveSibling(out.getFileName().toString().replaceAll("\\.html$", ".pdf")) : null;
    ReportJob.Options options = new ReportJob.Options(out, args.has("date") ? args.date("date") : null,
        Pseudonyms.forReport(args.flag("internal"), System.getenv()), pdf, pdf == null ? null : Chromium.require(System.getenv()));
    ReportJob.Result r = new ReportJob(Lake.open(ctx.spark(), args.text("lake")), options).execute();
    ctx.progress(String.format("report: %s (%,d bytes; %d campaigns in the table, %d attribution rows; %s)", r.html(),
        r.bytes(), r.data().campaigns().size(), r.data().attribution().size(),
        r.data().internal() ? "INTERNAL, real account ids" : "account ids pseudonymised"));
    if (r.pdf() != null) {
      ctx.progress("report: printed to " + r.pdf());
    }
    return 0;
  }
}
