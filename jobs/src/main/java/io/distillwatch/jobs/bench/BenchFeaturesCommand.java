package io.distillwatch.jobs.bench;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DATE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.DOUBLE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.INT;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;

/** {@code bench features}: the features stage side by side with DuckDB, MLlib's MinHashLSH, and itself on a longer history. */
public final class BenchFeaturesCommand implements Command {
  private static final Set<String> PARTS = Set.of("aggregate", "lsh", "history");

  @Override
  public String name() {
    return "bench";
  }

  @Override
  public List<String> positionals() {
    return List.of("features");
  }

  @Override
  public String summary() {
    return "bench features: account-day aggregation vs DuckDB, template LSH vs MLlib MinHashLSH, 7 vs 90 days of history";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.optional("work", TEXT, "bench-features", "scratch folder (simulated data and lakes, reused when unchanged)"),
        OptionSpec.optional("parts", TEXT, "aggregate,lsh,history", "which measurements, comma-separated"),
        OptionSpec.optional("day", DATE, "2026-10-08", "the simulated day (history: the measured night)"),
        OptionSpec.optional("scale", DOUBLE, "5", "simulator scale of the day for aggregate and lsh"),
        OptionSpec.optional("lsh-prompts", INT, "20000", "distinct prompts in the LSH comparison"),
        OptionSpec.optional("history-scale", DOUBLE, "0.2", "simulator scale of the history lakes"),
        OptionSpec.optional("repeats", INT, "3", "timed runs of each side (after one warm-up)"),
        OptionSpec.optional("seed", INT, "42", "random seed"),
        OptionSpec.optional("out", TEXT, "", "also write the tables (Markdown) to this file"));
  }

  @Override
  public void validate(Args args) {
    parts(args);
    if (args.number("scale") <= 0 || args.number("scale") > 100) {
      throw new UsageException("--scale must be in (0, 100]");
    }
    if (args.number("history-scale") <= 0 || args.number("history-scale") > 10) {
      throw new UsageException("--history-scale must be in (0, 10]");
    }
    if (args.integer("lsh-prompts") < 100 || args.integer("lsh-prompts") > 200_000) {
      throw new UsageException("--lsh-prompts must be in [100, 200000]");
    }
    if (args.integer("repeats") < 1 || args.integer("repeats") > 20) {
      throw new UsageException("--repeats must be in [1, 20]");
    }
  }

  private static Set<String> parts(Args args) {
    Set<String> parts = new LinkedHashSet<>(Arrays.asList(args.text("parts").split(",")));
    parts.removeIf(String::isBlank);
    if (parts.isEmpty() || !PARTS.containsAll(parts)) {
      throw new UsageException("--parts takes a comma-separated subset of aggregate, lsh, history; got " + args.text("parts"));
    }
    return parts;
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    FeaturesBench.Options options = new FeaturesBench.Options(Path.of(args.text("work")).toAbsolutePath().normalize(),
        args.date("day"), args.number("scale"), (int) args.integer("lsh-prompts"), args.number("history-scale"),
        args.integer("seed"), parts(args), (int) args.integer("repeats"));
    String md = new FeaturesBench(ctx.spark(), options, ctx::progress).run();
    ctx.out().println(md);
    if (!args.text("out").isEmpty()) {
      Files.writeString(Path.of(args.text("out")), md, StandardCharsets.UTF_8);
    }
    return 0;
  }
}
