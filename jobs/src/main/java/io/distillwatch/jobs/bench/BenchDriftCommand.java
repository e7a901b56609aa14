package io.distillwatch.jobs.bench;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.features.FeaturesCommand;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DATE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.DOUBLE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.INT;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;

/**
 * {@code bench drift}: a night with the drift stage against the same night without it, the stage's
 * accounts per second, and both nights against the floor job (the night's events read and written once).
 */
public final class BenchDriftCommand implements Command {
  @Override
  public String name() {
    return "bench";
  }

  @Override
  public List<String> positionals() {
    return List.of("drift");
  }

  @Override
  public String summary() {
    return "bench drift: a night with and without the query-drift stage, side by side, its accounts per second, "
        + "and the night against the floor job (read the day's events, write them once)";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.optional("work", TEXT, "bench-drift", "scratch folder (the simulated lake, reused when unchanged)"),
        OptionSpec.optional("night", DATE, "2026-10-07", "the measured night"),
        OptionSpec.optional("days", INT, "7", "days in the lake up to the night (a full drift window by default)"),
        OptionSpec.optional("scale", DOUBLE, "1", "simulator scale"),
        OptionSpec.optional("repeats", INT, "1", "pairs of re-runs without and with drift after the first run"),
        OptionSpec.optional("seed", INT, "42", "random seed"),
        FeaturesCommand.DEVICE,
        OptionSpec.optional("out", TEXT, "", "also write the table (Markdown) to this file"));
  }

  @Override
  public void validate(Args args) {
    if (args.number("scale") <= 0 || args.number("scale") > 100) {
      throw new UsageException("--scale must be in (0, 100]");
    }
    if (args.integer("days") < 1 || args.integer("days") > 90) {
      throw new UsageException("--days must be in [1, 90]");
    }
    if (args.integer("repeats") < 1 || args.integer("repeats") > 10) {
      throw new UsageException("--repeats must be in [1, 10]");
    }
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    DriftBench.Options options = new DriftBench.Options(Path.of(args.text("work")).toAbsolutePath().normalize(),
        args.date("night"), (int) args.integer("days"), args.number("scale"), args.integer("seed"),
        (int) args.integer("repeats"), args.text("device"));
    String md = new DriftBench(ctx.spark(), options, ctx::progress).run();
    ctx.out().println(md);
    if (!args.text("out").isEmpty()) {
      Files.writeString(Path.of(args.text("out")), md, StandardCharsets.UTF_8);
    }
    return 0;
  }
}
