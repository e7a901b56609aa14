package io.distillwatch.jobs.report;

import io.distillwatch.jobs.failures.InvalidInputException;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The headless Chromium the report prints to PDF with (Debian's {@code chromium} package): found as
 * {@code $DW_CHROMIUM} or on the PATH, run with no network and a throw-away profile.
 */
public final class Chromium {
  public static final String BINARY_VARIABLE = "DW_CHROMIUM";
  /** Flags of every headless run: no sandbox (containers run as root), no GPU, no background traffic. */
  public static final List<String> HEADLESS_FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu",
      "--disable-background-networking", "--disable-extensions", "--no-first-run", "--disable-dev-shm-usage");

  private Chromium() {}

  /** The browser binary, or empty when none is installed. */
  public static java.util.Optional<Path> find(Map<String, String> env) {
    String configured = env.get(BINARY_VARIABLE);
    if (configured != null && !configured.isEmpty()) {
      Path p = Path.of(configured);
      return Files.isExecutable(p) ? java.util.Optional.of(p) : java.util.Optional.empty();
    }
    String path = env.getOrDefault("PATH", "/usr/bin:/bin");
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : path.split(File.pathSeparator)) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return java.util.Optional.of(p);
        }
      }
    }
    return java.util.Optional.empty();
  }

  public static Path require(Map<String, String> env) {
    return find(env).orElseThrow(() -> new InvalidInputException("--pdf needs Chromium: install the Debian package "
        + "'chromium' or set " + BINARY_VARIABLE + " to the browser binary"));
  }

  /** Prints a local HTML file to PDF (A4, no header or footer); fails with the browser's last line. */
  public static void printToPdf(Path browser, Path html, Path pdf) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("dw-chromium-");
    try {
      List<String> cmd = new ArrayList<>();
      cmd.add(browser.toString());
      cmd.addAll(HEADLESS_FLAGS);
      cmd.add("--user-data-dir=" + profile);
      cmd.add("--no-pdf-header-footer");
      cmd.add("--print-to-pdf=" + pdf.toAbsolutePath());
      cmd.add(html.toAbsolutePath().toUri().toString());
      Path log = profile.resolve("chromium.log");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("Chromium did not print " + html + " within 180 s");
      }
      if (p.exitValue() != 0 || !Files.isRegularFile(pdf) || Files.size(pdf) == 0) {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        throw new IOException("Chromium could not print the report to PDF (exit " + p.exitValue() + ")"
            + (lines.isEmpty() ? "" : ": " + lines.get(lines.size() - 1)));
      }
    } finally {
      io.distillwatch.jobs.lake.LocalFiles.deleteTree(profile);
    }
  }

}
