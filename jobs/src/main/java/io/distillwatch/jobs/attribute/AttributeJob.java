package io.distillwatch.jobs.attribute;

import io.distillwatch.attribution.study.AnswerEmbeddingCache;
import io.distillwatch.attribution.study.AttributionStudy;
import io.distillwatch.attribution.study.ModelOutputs;
import io.distillwatch.attribution.study.StudyException;
import io.distillwatch.attribution.study.StudyReport;
import io.distillwatch.attribution.study.StudySpec;
import io.distillwatch.attribution.study.WatermarkDetection;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LakeJob;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.spark.JobGroup;
import io.distillwatch.models.CausalLm;
import io.distillwatch.models.ModelSource;
import io.distillwatch.models.SentenceEmbedder;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The attribution study of docs/design.md. Reads {@code STUDY/study.json} and
 * {@code STUDY/outputs/<model>.json[l]}, writes {@code OUT/attribution.json} and {@code OUT/attribution.md}
 * (the report's section), and with a lake the rows of {@code gold.attribution}. With a source lake and a
 * campaign, the provider's outputs are its own responses to the campaign's prompts, which are written to
 * {@code OUT/campaign_prompts.jsonl} for the suspects to answer. Spark runs the classifier method's MLlib
 * fits and the table write; the other methods are plain Java (a study is a few thousand answers).
 */
public final class AttributeJob {
  public static final String NAME = "attribute";
  public static final List<String> LENGTH_MODES = List.of("given", "matched", AttributionStudy.BOTH_LENGTHS);

  /**
   * @param study the study folder, or null to only write a campaign's prompts (with {@code campaign})
   * @param length given, matched or both
   * @param permutations per test, or null for enough that the floor does not hold a strong suspect back
   * @param embeddingModel the semantic method's model: bundled (all-MiniLM-L6-v2), a directory with model.onnx and
   *     tokenizer.json, or none (resolved when the study runs: the bundled one is unpacked then)
   * @param device where models run: auto, cpu, gpu or gpu:N
   * @param campaign with {@code fromLake}: the campaign whose prompts and the provider's responses the study uses
   */
  public record Options(Path study, Path out, String length, Integer permutations, long seed, boolean classifier,
                        String embeddingModel, String device, String campaign, int maxPrompts) {
    public Options {
      if (!LENGTH_MODES.contains(length)) {
        throw new IllegalArgumentException("length must be given, matched or both, got '" + length + "'");
      }
      if (permutations != null && (permutations < 100 || permutations > 10_000_000)) {
        throw new IllegalArgumentException("permutations must be auto or in [100, 10000000], got '" + permutations + "'");
      }
      if (!device.equals("auto")) { // auto probes the engine: left to the run
        SentenceEmbedder.parseDevice(device);
      }
      if (maxPrompts < 10 || maxPrompts > 100_000) {
        throw new IllegalArgumentException("max-prompts must be in [10, 100000]");
      }
      if (study == null && campaign == null) {
        throw new IllegalArgumentException("study is required (without it, a source lake and a campaign only write the campaign's prompts)");
      }
    }
  }

  /** The study's results (empty when only a campaign's prompts were written) and the campaign's harvest, if any. */
  public record Result(List<AttributionStudy.Result> studies, CampaignOutputs.Harvest harvest) {}

  private final SparkSession spark;
  private final Lake fromLake;
  private final Lake lake;
  private final Options options;

  /**
   * @param fromLake the lake the campaign's prompts and the provider's responses come from, or null
   * @param lake the lake whose {@code gold.attribution} receives the results, or null
   */
  public AttributeJob(SparkSession spark, Lake fromLake, Lake lake, Options options) {
    if ((fromLake == null) != (options.campaign() == null)) {
      throw new IllegalArgumentException("a source lake and a campaign go together");
    }
    this.spark = spark;
    this.fromLake = fromLake;
    this.lake = lake;
    this.options = options;
  }

  public Result execute(Consumer<String> progress) throws IOException {
    Path out = options.out();
    CampaignOutputs.Harvest harvest = null;
    if (fromLake != null) {
      harvest = CampaignOutputs.read(fromLake, options.campaign(), options.maxPrompts());
      Path prompts = out.resolve("campaign_prompts.jsonl");
      harvest.writePrompts(prompts);
      progress.accept(String.format("attribute: campaign %s (%,d accounts): %,d distinct prompts with the provider's "
          + "responses; the prompts for the suspects to answer (JSONL, same prompt_id) are in %s", harvest.campaign(),
          harvest.accounts(), harvest.prompts().size(), prompts));
      if (options.study() == null) {
        return new Result(List.of(), harvest);
      }
    }
    List<AttributionStudy.Result> results = study(harvest, progress);
    StudyReport.writeJson(results, out.resolve("attribution.json"));
    if (lake != null) {
      new AttributionTable(lake, results).execute();
      progress.accept("attribute: wrote " + Tables.GOLD_ATTRIBUTION.name() + " in " + lake.root());
    }
    Files.writeString(out.resolve("attribution.md"), StudyReport.markdown(results), StandardCharsets.UTF_8);
    for (AttributionStudy.Result r : results) {
      for (AttributionStudy.SuspectResult s : r.suspects()) {
        progress.accept(String.format("attribute %s (%s): %s %s (p %.2g, Holm %.2g)", r.study(), r.length(), s.suspect(),
            s.attributed() ? "ATTRIBUTED to " + r.provider() : "not attributed", s.pValue(), s.pHolm()));
      }
    }
    progress.accept("attribute: wrote " + out.resolve("attribution.json") + " and attribution.md");
    return new Result(results, harvest);
  }

  private List<AttributionStudy.Result> study(CampaignOutputs.Harvest harvest, Consumer<String> progress) {
    Path studyDir = options.study();
    List<AttributionStudy.Result> results = new ArrayList<>();
    AnswerEmbeddingCache embeddingCache = null;
    try {
      StudySpec spec = StudySpec.read(studyDir);
      Map<String, ModelOutputs> outputs = outputs(studyDir, spec,
          harvest == null ? null : harvest.providerOutputs(spec.provider()));
      ModelSource source = embeddingSource(options.embeddingModel());
      // embeddings kept with the study: a re-run embeds only answers it has not seen
      embeddingCache = source == null ? null
          : AnswerEmbeddingCache.open(studyDir.resolve(".cache"), source.fingerprint(), embedder(source, options.device()));
      String length = options.length();
      int modes = length.equals(AttributionStudy.BOTH_LENGTHS) ? 2 : 1;
      AttributionStudy.Options o = new AttributionStudy.Options(permutations(spec, modes),
          AttributionStudy.DEFAULT_BOOTSTRAPS, options.seed(), false, embeddingCache).withWatermark(watermark(spec))
          .withSpark(options.classifier() ? spark : null)
          .withLikelihood(likelihood(spec));
      if (!length.equals("matched")) {
        results.add(AttributionStudy.run(spec, outputs, o, progress));
      }
      if (!length.equals("given")) {
        results.add(AttributionStudy.run(spec, outputs, o.withMatchLength(true), progress));
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
        progress.accept(String.format("attribute: embeddings: %,d answers embedded, %,d reused (%s)", embeddingCache.computed(),
            embeddingCache.reused(), embeddingCache.file()));
      } catch (UncheckedIOException e) {
        progress.accept("attribute: the embedding cache was not saved (" + e.getMessage() + "); the results are complete");
      }
    }
    return results;
  }

  /**
   * The permutations given, or (auto) enough that the smallest permutation p-value, times the study's
   * suspects (Holm) and its length modes (Bonferroni), is half the study's alpha: a strong suspect is
   * then never held back by the Monte Carlo floor. A clear null stops after a few dozen permutations
   * whatever the number (sequential p-value), so only strong suspects pay.
   */
  private int permutations(StudySpec spec, int modes) {
    if (options.permutations() != null) {
      return options.permutations();
    }
    long needed = (long) Math.ceil(2.0 * modes * spec.suspects().size() / spec.alpha());
    return (int) Math.min(10_000_000, Math.max(AttributionStudy.DEFAULT_PERMUTATIONS, needed));
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
  private AttributionStudy.LikelihoodRatio likelihood(StudySpec spec) {
    if (spec.languageModels() == null) {
      return null;
    }
    ai.djl.Device device = SentenceEmbedder.parseDevice(options.device());
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

  /** The sentence-embedding model {@code name} names (bundled, a directory, or none: null). */
  public static ModelSource embeddingSource(String name) {
    if (name.equals("none")) {
      return null;
    }
    return name.equals("bundled") ? ModelSource.bundled() : ModelSource.directory(Path.of(name));
  }

  /** The sentence embedder of {@code source} on {@code device}, or null without a model. */
  public static AttributionStudy.Embedder embedder(ModelSource source, String device) {
    if (source == null) {
      return null;
    }
    SentenceEmbedder e = SentenceEmbedder.shared(source, SentenceEmbedder.parseDevice(device));
    return e::embed;
  }

  /** The study's rows of {@code gold.attribution}: one atomic replaceWhere, so a re-run replaces them, dropped suspects included. */
  private static final class AttributionTable extends LakeJob<Void> {
    private final List<AttributionStudy.Result> results;
    private final String study;

    AttributionTable(Lake lake, List<AttributionStudy.Result> results) {
      super(lake, NAME);
      this.results = results;
      this.study = results.get(0).study(); // checked by StudySpec: letters, digits, . _ + - only
    }

    @Override
    protected Map<String, ?> description() {
      return Map.of("study", study);
    }

    @Override
    protected Void run(JobGroup group) {
      group.step("write gold.attribution");
      Dataset<Row> rows = spark.createDataFrame(AttributionRows.of(results, Instant.now()), Tables.GOLD_ATTRIBUTION.schema());
      lake.replace(Tables.GOLD_ATTRIBUTION, rows, "study = '" + study + "'");
      return null;
    }
  }
}
