package io.distillwatch.jobs.attribute;

import io.distillwatch.attribution.study.AnswerEmbeddingCache;
import io.distillwatch.attribution.study.AttributionStudy;
import io.distillwatch.attribution.study.ModelOutputs;
import io.distillwatch.attribution.study.StudyException;
import io.distillwatch.attribution.study.StudyReport;
import io.distillwatch.attribution.study.StudySpec;
import io.distillwatch.attribution.study.WatermarkDetection;
import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.spark.JobGroup;
import io.distillwatch.models.CausalLm;
import io.distillwatch.models.ModelSource;
import io.distillwatch.models.SentenceEmbedder;
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
        OptionSpec.optional("study", TEXT, null,
            "study folder: study.json and outputs/<model>.json (AlpacaEval or JSONL); optional with --from-lake"),
        OptionSpec.required("out", TEXT, "output folder for attribution.json and attribution.md"),
        OptionSpec.optional("length", TEXT, "both",
            "answers as given, cut to a common length per prompt (matched), or both (the two results and one verdict over them)"),
        OptionSpec.optional("embedding-model", TEXT, "bundled",
            "semantic method's model: bundled (all-MiniLM-L6-v2), a directory with model.onnx and tokenizer.json, or none"),
        OptionSpec.optional("device", TEXT, "auto", "where the model runs: auto (GPU when present), cpu, gpu or gpu:N"),
        OptionSpec.optional("permutations", TEXT, "auto",
            "Monte Carlo permutations per test (the smallest p-value is 1/(N+1)); auto: at least "
                + AttributionStudy.DEFAULT_PERMUTATIONS + ", and enough that the floor, times the suspects (Holm) and "
                + "the length modes (Bonferroni), is half of alpha"),
        OptionSpec.optional("seed", INT, "1", "random seed of permutations and bootstrap"),
        // off by default: the verdict needs the panel test, which the classifier does not enter, and on
        // the dev set the text methods alone put every derived model's permutation p at its floor
        // (docs/attribution.md, "Idiosyncrasy classifier")
        OptionSpec.optional("classifier", TEXT, "off",
            "the idiosyncrasy classifier method (MLlib, runs on Spark): on or off"),
        OptionSpec.optional("from-lake", TEXT, null,
            "take the provider's outputs from this lake: its own responses to the prompts of --campaign (bronze.events); "
                + "writes OUT/campaign_prompts.jsonl for the suspects to answer"),
        OptionSpec.optional("campaign", TEXT, null, "campaign id (gold.campaigns) whose prompts the study compares, with --from-lake"),
        OptionSpec.optional("max-prompts", INT, "1000", "with --from-lake: the campaign's prompts kept at most"),
        OptionSpec.optional("lake", TEXT, null,
            "also write the results to the lake's gold.attribution table (a re-run of the study replaces its rows)"));
  }

  @Override
  public void validate(Args args) {
    if (!List.of("given", "matched", "both").contains(args.text("length"))) {
      throw new UsageException("--length must be given, matched or both, got '" + args.text("length") + "'");
    }
    givenPermutations(args);
    validateDevice(args);
    onOff(args, "classifier");
    if (args.has("from-lake") != args.has("campaign")) {
      throw new UsageException("--from-lake and --campaign go together");
    }
    if (!args.has("study") && !args.has("from-lake")) {
      throw new UsageException("--study is required (without it, --from-lake K --campaign C only writes the campaign's prompts)");
    }
    if (args.integer("max-prompts") < 10 || args.integer("max-prompts") > 100_000) {
      throw new UsageException("--max-prompts must be in [10, 100000]");
    }
  }

  public static boolean onOff(Args args, String name) {
    return switch (args.text(name)) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new UsageException("--" + name + " must be on or off, got '" + args.text(name) + "'");
    };
  }

  @Override
  public void preflight(Args args) {
    if (args.has("study") && !Files.isRegularFile(Path.of(args.text("study")).resolve("study.json"))) {
      throw new InvalidInputException("no study file " + Path.of(args.text("study")).resolve("study.json"));
    }
    for (String lakeOption : List.of("lake", "from-lake")) {
      if (args.has(lakeOption)) {
        CommonOptions.requireOutsideTables(args.text("out"), args.text(lakeOption));
      }
    }
    if (args.has("from-lake")) {
      Path lake = CommonOptions.localPath(args.text("from-lake"));
      if (lake != null && !Files.isDirectory(lake)) {
        throw new InvalidInputException("no lake " + lake);
      }
    }
    if (args.has("lake")) {
      CommonOptions.requireWritableLocalLake(args.text("lake"));
    }
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    Path out = Path.of(args.text("out"));
    CampaignOutputs.Harvest harvest = null;
    if (args.has("from-lake")) {
      harvest = CampaignOutputs.read(Lake.open(ctx.spark(), args.text("from-lake")), args.text("campaign"),
          (int) args.integer("max-prompts"));
      Path prompts = out.resolve("campaign_prompts.jsonl");
      harvest.writePrompts(prompts);
      ctx.progress(String.format("attribute: campaign %s (%,d accounts): %,d distinct prompts with the provider's "
          + "responses; the prompts for the suspects to answer (JSONL, same prompt_id) are in %s", harvest.campaign(),
          harvest.accounts(), harvest.prompts().size(), prompts));
      if (!args.has("study")) {
        return 0;
      }
    }
    Path studyDir = Path.of(args.text("study"));
    List<AttributionStudy.Result> results = new ArrayList<>();
    AnswerEmbeddingCache embeddingCache = null;
    try {
      StudySpec spec = StudySpec.read(studyDir);
      Map<String, ModelOutputs> outputs = outputs(studyDir, spec,
          harvest == null ? null : harvest.providerOutputs(spec.provider()));
      ModelSource source = embeddingSource(args);
      // embeddings kept with the study: a re-run embeds only answers it has not seen
      embeddingCache = source == null ? null
          : AnswerEmbeddingCache.open(studyDir.resolve(".cache"), source.fingerprint(), embedder(source, args));
      AttributionStudy.Embedder embedder = embeddingCache;
      int modes = args.text("length").equals(AttributionStudy.BOTH_LENGTHS) ? 2 : 1;
      AttributionStudy.Options o = new AttributionStudy.Options(permutations(args, spec, modes),
          AttributionStudy.DEFAULT_BOOTSTRAPS, args.integer("seed"), false, embedder).withWatermark(watermark(spec))
          .withSpark(onOff(args, "classifier") ? ctx.spark() : null)
          .withLikelihood(likelihood(spec, args));
      String length = args.text("length");
      if (!length.equals("matched")) {
        results.add(AttributionStudy.run(spec, outputs, o, ctx::progress));
      }
      if (!length.equals("given")) {
        results.add(AttributionStudy.run(spec, outputs, o.withMatchLength(true), ctx::progress));
      }
      if (length.equals(AttributionStudy.BOTH_LENGTHS)) {
        results.add(AttributionStudy.bothLengths(results.get(0), results.get(1)));
      }
    } catch (StudyException e) {
      throw new InvalidInputException(e.getMessage(), e);
    }
    if (embeddingCache != null) {
      try {
        embeddingCache.save();
        ctx.progress(String.format("attribute: embeddings: %,d answers embedded, %,d reused (%s)", embeddingCache.computed(),
            embeddingCache.reused(), embeddingCache.file()));
      } catch (java.io.UncheckedIOException e) {
        ctx.progress("attribute: the embedding cache was not saved (" + e.getMessage() + "); the results are complete");
      }
    }
    StudyReport.writeJson(results, out.resolve("attribution.json"));
    if (args.has("lake")) {
      writeTable(Lake.open(ctx.spark(), args.text("lake")), results);
      ctx.progress("attribute: wrote " + Tables.GOLD_ATTRIBUTION.name() + " in " + args.text("lake"));
    }
    Files.writeString(out.resolve("attribution.md"), StudyReport.markdown(results), StandardCharsets.UTF_8);
    for (AttributionStudy.Result r : results) {
      for (AttributionStudy.SuspectResult s : r.suspects()) {
        ctx.progress(String.format("attribute %s (%s): %s %s (p %.2g, Holm %.2g)", r.study(), r.length(), s.suspect(),
            s.attributed() ? "ATTRIBUTED to " + r.provider() : "not attributed", s.pValue(), s.pHolm()));
      }
    }
    ctx.progress("attribute: wrote " + out.resolve("attribution.json") + " and attribution.md");
    return 0;
  }

  /**
   * {@code --permutations}: the number given, or (auto) enough that the smallest permutation p-value,
   * times the study's suspects (Holm) and its length modes (Bonferroni), is half the study's alpha:
   * a strong suspect is then never held back by the Monte Carlo floor. A clear null stops after a
   * few dozen permutations whatever the number (sequential p-value), so only strong suspects pay.
   */
  static int permutations(Args args, StudySpec spec, int modes) {
    Integer given = givenPermutations(args);
    if (given != null) {
      return given;
    }
    long needed = (long) Math.ceil(2.0 * modes * spec.suspects().size() / spec.alpha());
    return (int) Math.min(10_000_000, Math.max(AttributionStudy.DEFAULT_PERMUTATIONS, needed));
  }

  /** {@code --permutations} as a number, null for auto; a usage error for anything else. */
  static Integer givenPermutations(Args args) {
    String text = args.text("permutations");
    if (text.equals("auto")) {
      return null;
    }
    if (!text.matches("\\d{3,8}") || Integer.parseInt(text) < 100 || Integer.parseInt(text) > 10_000_000) {
      throw new UsageException("--permutations must be auto or in [100, 10000000], got '" + text + "'");
    }
    return Integer.parseInt(text);
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

  /** Every model's outputs from the study folder; the provider's from {@code fromLake} when given. */
  public static Map<String, ModelOutputs> outputs(Path studyDir, StudySpec spec, ModelOutputs fromLake) {
    Map<String, ModelOutputs> outputs = new LinkedHashMap<>();
    for (String m : spec.models()) {
      outputs.put(m, fromLake != null && m.equals(spec.provider()) ? fromLake
          : ModelOutputs.read(studyDir.resolve("outputs"), m));
    }
    return outputs;
  }

  /** The likelihood-ratio method's scorer when the study names causal language models, else null. */
  static AttributionStudy.LikelihoodRatio likelihood(StudySpec spec, Args args) {
    if (spec.languageModels() == null) {
      return null;
    }
    ai.djl.Device device = SentenceEmbedder.parseDevice(args.text("device"));
    try {
      CausalLm provider = CausalLm.shared(spec.languageModels().provider(), device);
      CausalLm reference = CausalLm.shared(spec.languageModels().reference(), device);
      return (prompt, answer) -> provider.logLikelihood(prompt, answer) - reference.logLikelihood(prompt, answer);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new InvalidInputException(e.getMessage().lines().findFirst().orElse("cannot load a language model"), e);
    }
  }

  /** The provider's watermark scheme, its key read from the environment variable the study names. */
  public static WatermarkDetection.Scheme watermark(StudySpec spec) {
    if (spec.watermark() == null) {
      return null;
    }
    String key = System.getenv(spec.watermark().keyEnv());
    if (key == null || key.isBlank()) {
      throw new InvalidInputException("study " + spec.name() + " names a watermark, but the environment variable "
          + spec.watermark().keyEnv() + " that should hold its key is not set");
    }
    return WatermarkDetection.Scheme.of(key, spec.watermark().gamma());
  }

  public static void validateDevice(Args args) {
    if (!args.text("device").equals("auto")) { // auto probes the engine: left to the run
      try {
        SentenceEmbedder.parseDevice(args.text("device"));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--" + e.getMessage());
      }
    }
  }

  /** The sentence-embedding model {@code --embedding-model} names, or null for none. */
  public static ModelSource embeddingSource(Args args) {
    String model = args.text("embedding-model");
    if (model.equals("none")) {
      return null;
    }
    return model.equals("bundled") ? ModelSource.bundled() : ModelSource.directory(Path.of(model));
  }

  public static AttributionStudy.Embedder embedder(Args args) {
    ModelSource source = embeddingSource(args);
    return source == null ? null : embedder(source, args);
  }

  public static AttributionStudy.Embedder embedder(ModelSource source, Args args) {
    SentenceEmbedder e = SentenceEmbedder.shared(source, SentenceEmbedder.parseDevice(args.text("device")));
    return e::embed;
  }
}
