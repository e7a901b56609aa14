package io.distillwatch.jobs.testing;

import io.distillwatch.jobs.cli.Cli;
import io.distillwatch.jobs.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in-process, as {@code bin/distillwatch} would, and keeps what it printed. */
public final class CliRun {
  private CliRun() {}

  public record Outcome(int code, String out, String err) {}

  public static Outcome run(String... argv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = new Cli(Main.commands(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)).run(argv);
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
