package io.distillwatch.jobs.bench;

import io.distillwatch.features.templates.TemplateAssignment;
import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DOUBLE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.INT;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;

/** {@code bench lsh}: the measured S-curve behind the template defaults (no Spark needed). */
public final class BenchLshCommand implements Command {
  @Override
  public String name() {
    return "bench";
  }

  @Override
  public List<String> positionals() {
    return List.of("lsh");
  }

  @Override
  public String summary() {
    return "bench lsh: MinHash S-curve on simulated templates, for choosing b, r and the shingle size";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.optional("templates", INT, "20", "templates per capability"),
        OptionSpec.optional("fillings", INT, "8", "requests rendered per template"),
        OptionSpec.optional("min-similarity", DOUBLE, String.valueOf(TemplateAssignment.DEFAULT_MIN_SIMILARITY),
            "signature agreement a candidate needs to become an edge"),
        OptionSpec.optional("seed", INT, "42", "random seed"),
        OptionSpec.optional("out", TEXT, "", "also write the tables (Markdown) to this file"));
  }

  @Override
  public void validate(Args args) {
    if (args.integer("templates") < 2 || args.integer("templates") > 500) {
      throw new UsageException("--templates must be in [2, 500]");
    }
    if (args.integer("fillings") < 2 || args.integer("fillings") > 100) {
      throw new UsageException("--fillings must be in [2, 100]");
    }
    CommonOptions.ratio(args, "min-similarity");
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    StringBuilder all = new StringBuilder();
    for (int k : new int[] {2, 3, 4}) {
      long t0 = System.nanoTime();
      LshCalibration.Report r = LshCalibration.run((int) args.integer("templates"), (int) args.integer("fillings"), k,
          args.number("min-similarity"), LshCalibration.defaultShapes(), args.integer("seed"));
      String md = r.markdown();
      ctx.out().println(md);
      ctx.progress(String.format("bench lsh: shingle %d measured in %.1f s", k, (System.nanoTime() - t0) / 1e9));
      all.append(md).append('\n');
    }
    if (!args.text("out").isEmpty()) {
      Files.writeString(Path.of(args.text("out")), all.toString(), StandardCharsets.UTF_8);
    }
    return 0;
  }
}
