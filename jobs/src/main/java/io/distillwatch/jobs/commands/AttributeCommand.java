package io.distillwatch.jobs.commands;

import io.distillwatch.attribution.model.ModelSource;
import io.distillwatch.attribution.model.SentenceEmbedder;
import io.distillwatch.attribution.study.AttributionStudy;
import io.distillwatch.attribution.study.ModelOutputs;
import io.distillwatch.attribution.study.StudyException;
import io.distillwatch.attribution.study.StudyReport;
import io.distillwatch.attribution.study.StudySpec;
import io.distillwatch.attribution.study.WatermarkTest;
import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.InvalidInputException;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.attribute.AttributionRows;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.spark.JobGroup;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.INT;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;

/**
 * {@code attribute --study DIR --out OUT}: the attribution study of docs/design.md. Reads
 * {@code DIR/study.json} and {@code DIR/outputs/<model>.json[l]}, writes {@code OUT/attribution.json}
 * and {@code OUT/attribution.md} (the report's section), and with {@code --lake} the rows of
 * {@code gold.attribution}. Spark runs the classifier method's MLlib fits and the table write;
 * the other methods are plain Java (a study is a few thousand answers).
 */
public final class AttributeCommand implements Command {
  @Override
  public String name() {
    return "attribute";
  }

  @Override
  public String summary() {
    return "attribution study: is a suspect model's output derived from the provider's? (p-values, verdicts)";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.required("study", TEXT, "study folder: study.json and outputs/<model>.json (AlpacaEval or JSONL)"),
        OptionSpec.required("out", TEXT, "output folder for attribution.json and attribution.md"),
        OptionSpec.optional("length", TEXT, "both",
            "answers as given, cut to a common length per prompt (matched), or both (two results)"),
        OptionSpec.optional("embedding-model", TEXT, "bundled",
            "semantic method's model: bundled (all-MiniLM-L6-v2), a directory with model.onnx and tokenizer.json, or none"),
        OptionSpec.optional("device", TEXT, "auto", "where the model runs: auto (GPU when present), cpu, gpu or gpu:N"),
        OptionSpec.optional("permutations", INT, String.valueOf(AttributionStudy.DEFAULT_PERMUTATIONS),
            "Monte Carlo permutations per test (the smallest p-value is 1/(N+1))"),
        OptionSpec.optional("seed", INT, "1", "random seed of permutations and bootstrap"),
        OptionSpec.optional("classifier", TEXT, "on",
            "the idiosyncrasy classifier method (MLlib, runs on Spark): on or off"),
        OptionSpec.optional("lake", TEXT, null,
            "also write the results to the lake's gold.attribution table (a re-run of the study replaces its rows)"));
  }

  @Override
  public void validate(Args args) {
    if (!List.of("given", "matched", "both").contains(args.text("length"))) {
      throw new UsageException("--length must be given, matched or both, got '" + args.text("length") + "'");
    }
    if (args.integer("permutations") < 100 || args.integer("permutations") > 10_000_000) {
      throw new UsageException("--permutations must be in [100, 10000000]");
    }
    validateDevice(args);
    onOff(args, "classifier");
  }

  static boolean onOff(Args args, String name) {
    return switch (args.text(name)) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new UsageException("--" + name + " must be on or off, got '" + args.text(name) + "'");
    };
  }

  @Override
  public void preflight(Args args) {
    Path study = Path.of(args.text("study"));
    if (!Files.isRegularFile(study.resolve("study.json"))) {
      throw new InvalidInputException("no study file " + study.resolve("study.json"));
    }
    if (args.has("lake")) {
      CommonOptions.requireWritableLocalLake(args.text("lake"));
    }
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    Path studyDir = Path.of(args.text("study"));
    Path out = Path.of(args.text("out"));
    List<AttributionStudy.Result> results = new ArrayList<>();
    try {
      StudySpec spec = StudySpec.read(studyDir);
      Map<String, ModelOutputs> outputs = outputs(studyDir, spec);
      AttributionStudy.Embedder embedder = embedder(args);
      AttributionStudy.Options o = new AttributionStudy.Options((int) args.integer("permutations"),
          AttributionStudy.DEFAULT_BOOTSTRAPS, args.integer("seed"), false, embedder).withWatermark(watermark(spec))
          .withSpark(onOff(args, "classifier") ? ctx.spark() : null);
      String length = args.text("length");
      if (!length.equals("matched")) {
        results.add(AttributionStudy.run(spec, outputs, o, ctx::progress));
      }
      if (!length.equals("given")) {
        results.add(AttributionStudy.run(spec, outputs, o.withMatchLength(true), ctx::progress));
      }
    } catch (StudyException e) {
      throw new InvalidInputException(e.getMessage(), e);
    }
    StudyReport.writeJson(results, out.resolve("attribution.json"));
    if (args.has("lake")) {
      writeTable(Lake.open(ctx.spark(), args.text("lake")), results);
      ctx.progress("attribute: wrote " + Tables.GOLD_ATTRIBUTION.name() + " in " + args.text("lake"));
    }
    Files.writeString(out.resolve("attribution.md"), StudyReport.markdown(results), StandardCharsets.UTF_8);
    for (AttributionStudy.Result r : results) {
      for (AttributionStudy.SuspectResult s : r.suspects()) {
        ctx.progress(String.format("attribute %s%s: %s %s (p %.2g, Holm %.2g)", r.study(),
            r.matchLength() ? " (length-matched)" : "", s.suspect(),
            s.attributed() ? "ATTRIBUTED to " + r.provider() : "not attributed", s.pValue(), s.pHolm()));
      }
    }
    ctx.progress("attribute: wrote " + out.resolve("attribution.json") + " and attribution.md");
    return 0;
  }

  /** One atomic replaceWhere per study: a re-run replaces the study's rows, suspects dropped from it included. */
  static void writeTable(Lake lake, List<AttributionStudy.Result> results) {
    String study = results.get(0).study(); // checked by StudySpec: letters, digits, . _ + - only
    try (JobGroup group = JobGroup.open(lake.spark(), "attribute", Map.of("study", study))) {
      group.step("write gold.attribution");
      Dataset<Row> rows = lake.spark().createDataFrame(AttributionRows.of(results, Instant.now()),
          Tables.GOLD_ATTRIBUTION.schema());
      lake.replace(Tables.GOLD_ATTRIBUTION, rows, "study = '" + study + "'");
    }
  }

  static Map<String, ModelOutputs> outputs(Path studyDir, StudySpec spec) {
    Map<String, ModelOutputs> outputs = new LinkedHashMap<>();
    for (String m : spec.models()) {
      outputs.put(m, ModelOutputs.read(studyDir.resolve("outputs"), m));
    }
    return outputs;
  }

  /** The provider's watermark scheme, its key read from the environment variable the study names. */
  static WatermarkTest.Scheme watermark(StudySpec spec) {
    if (spec.watermark() == null) {
      return null;
    }
    String key = System.getenv(spec.watermark().keyEnv());
    if (key == null || key.isBlank()) {
      throw new InvalidInputException("study " + spec.name() + " names a watermark, but the environment variable "
          + spec.watermark().keyEnv() + " that should hold its key is not set");
    }
    return WatermarkTest.Scheme.of(key, spec.watermark().gamma());
  }

  static void validateDevice(Args args) {
    if (!args.text("device").equals("auto")) { // auto probes the engine: left to the run
      try {
        SentenceEmbedder.parseDevice(args.text("device"));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--" + e.getMessage());
      }
    }
  }

  static AttributionStudy.Embedder embedder(Args args) {
    String model = args.text("embedding-model");
    if (model.equals("none")) {
      return null;
    }
    ModelSource source = model.equals("bundled") ? ModelSource.bundled() : ModelSource.directory(Path.of(model));
    SentenceEmbedder e = SentenceEmbedder.shared(source, SentenceEmbedder.parseDevice(args.text("device")));
    return e::embed;
  }
}
