package io.distillwatch.jobs.bench;

import io.distillwatch.attribution.study.AttributionStudy;
import io.distillwatch.attribution.study.ModelOutputs;
import io.distillwatch.attribution.study.SampleEfficiency;
import io.distillwatch.attribution.study.StudyException;
import io.distillwatch.attribution.study.StudySpec;
import io.distillwatch.jobs.attribute.AttributeCommand;
import io.distillwatch.jobs.attribute.AttributeJob;
import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.failures.InvalidInputException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.INT;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;

/**
 * {@code bench attribution}: sample efficiency of the attribution methods on a study whose
 * derived suspects are known (AlpacaEval): AUC and median p against the number of prompts.
 */
public final class BenchAttributionCommand implements Command {
  @Override
  public String name() {
    return "bench";
  }

  @Override
  public List<String> positionals() {
    return List.of("attribution");
  }

  @Override
  public String summary() {
    return "bench attribution: AUC and p-value of each attribution method against the number of prompts";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.required("study", TEXT, "study folder, as for attribute"),
        OptionSpec.required("derived", TEXT, "comma-separated suspects known to be derived from the provider (truth)"),
        OptionSpec.required("out", TEXT, "output folder for sample-efficiency.md and sample-efficiency.svg"),
        OptionSpec.optional("sizes", TEXT, "25,50,100,200,400,805", "numbers of prompts (capped at the study's)"),
        OptionSpec.optional("subsets", INT, "20", "random subsets of prompts per size"),
        OptionSpec.optional("permutations", INT, "2000", "permutations per test (smallest p: 1/(N+1))"),
        OptionSpec.optional("length", TEXT, "given", "answers as given or matched (cut to a common length)"),
        OptionSpec.optional("embedding-model", TEXT, "none", "none, bundled, or a model directory (as for attribute)"),
        OptionSpec.optional("device", TEXT, "auto", "auto (GPU when present), cpu, gpu or gpu:N"),
        OptionSpec.optional("classifier", TEXT, "off", "the MLlib classifier method: on or off"),
        OptionSpec.optional("seed", INT, "1", "random seed"));
  }

  @Override
  public void validate(Args args) {
    sizes(args);
    if (args.integer("subsets") < 2 || args.integer("subsets") > 1000) {
      throw new UsageException("--subsets must be in [2, 1000]");
    }
    if (args.integer("permutations") < 100 || args.integer("permutations") > 1_000_000) {
      throw new UsageException("--permutations must be in [100, 1000000]");
    }
    if (!List.of("given", "matched").contains(args.text("length"))) {
      throw new UsageException("--length must be given or matched");
    }
    AttributeCommand.validateDevice(args);
    AttributeCommand.onOff(args, "classifier");
  }

  static int[] sizes(Args args) {
    try {
      int[] sizes = Arrays.stream(args.text("sizes").split(",")).map(String::trim).mapToInt(Integer::parseInt)
          .sorted().distinct().toArray();
      if (sizes.length == 0 || sizes[0] < 10) {
        throw new UsageException("--sizes must be numbers of prompts of at least 10");
      }
      return sizes;
    } catch (NumberFormatException e) {
      throw new UsageException("--sizes must be comma-separated numbers, got '" + args.text("sizes") + "'");
    }
  }

  @Override
  public void preflight(Args args) {
    if (!Files.isRegularFile(Path.of(args.text("study")).resolve("study.json"))) {
      throw new InvalidInputException("no study file " + Path.of(args.text("study")).resolve("study.json"));
    }
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    Path out = Path.of(args.text("out"));
    List<SampleEfficiency.Point> points;
    StudySpec spec;
    int permutations = (int) args.integer("permutations");
    try {
      spec = StudySpec.read(Path.of(args.text("study")));
      Map<String, ModelOutputs> outputs = AttributeJob.outputs(Path.of(args.text("study")), spec, null);
      Set<String> derived = new LinkedHashSet<>(Arrays.stream(args.text("derived").split(",")).map(String::trim).toList());
      AttributionStudy.Options o = new AttributionStudy.Options(permutations, 0, args.integer("seed"),
          args.text("length").equals("matched"), AttributeJob.embedder(AttributeJob.embeddingSource(args.text("embedding-model")), args.text("device")))
          .withWatermark(AttributeJob.watermark(spec))
          .withSpark(AttributeCommand.onOff(args, "classifier") ? ctx.spark() : null);
      long t0 = System.nanoTime();
      AttributionStudy.Prepared prepared = AttributionStudy.prepare(spec, outputs, o, ctx::progress);
      ctx.progress(String.format("bench attribution: features of %d prompts in %.1f s", prepared.prompts(),
          (System.nanoTime() - t0) / 1e9));
      points = SampleEfficiency.run(prepared, derived, sizes(args), (int) args.integer("subsets"), args.integer("seed"),
          ctx::progress);
    } catch (StudyException e) {
      throw new InvalidInputException(e.getMessage(), e);
    }
    String title = "Study " + spec.name() + " (provider " + spec.provider() + ", derived: " + args.text("derived")
        + (args.text("length").equals("matched") ? ", length-matched" : "") + ")";
    String md = SampleEfficiencyReport.markdown(title, points);
    Files.createDirectories(out);
    Files.writeString(out.resolve("sample-efficiency.md"), md, StandardCharsets.UTF_8);
    Files.writeString(out.resolve("sample-efficiency.svg"),
        SampleEfficiencyReport.svg(title, points, 1.0 / (permutations + 1)), StandardCharsets.UTF_8);
    ctx.out().println(md);
    ctx.progress("bench attribution: wrote " + out.resolve("sample-efficiency.md") + " and sample-efficiency.svg");
    return 0;
  }
}
