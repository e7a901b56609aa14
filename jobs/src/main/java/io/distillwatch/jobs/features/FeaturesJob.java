package io.distillwatch.jobs.features;

import io.distillwatch.features.accounts.AccountDaily;
import io.distillwatch.features.accounts.AccountWindows;
import io.distillwatch.features.templates.EmbeddingTagger;
import io.distillwatch.features.templates.MinHashLsh;
import io.distillwatch.features.templates.TemplateAssignment;
import io.distillwatch.features.templates.TemplateTags;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LakeJob;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.spark.Faults;
import io.distillwatch.jobs.spark.JobGroup;
import io.distillwatch.models.ModelSource;
import io.distillwatch.models.SentenceEmbedder;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;

import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;

/**
 * Traffic features for one date, from the {@code bronze.events} of that date delivered by its night
 * (late arrivals stay in bronze and in the link evidence of later nights, and are counted):
 * <ol>
 *   <li>prompt templates by banded MinHash ({@link TemplateAssignment}) against the band index
 *       as it stood before the date, written to {@code silver.request_templates} (no prompt
 *       text), {@code silver.template_daily} (tags on the day's representative),
 *       {@code silver.template_bands} (the entries the date founded) and {@code silver.templates};</li>
 *   <li>{@code silver.models} (first day each model was seen);</li>
 *   <li>{@code gold.account_daily} ({@link AccountDaily}) and {@code gold.account_windows}
 *       ({@link AccountWindows}, from account_daily alone).</li>
 * </ol>
 * Every write replaces the date's rows (replaceWhere) or MERGEs on the natural key, and the
 * index is read as of before the date, so a re-run, or a crash and a re-run, gives the lake of
 * one uninterrupted run. Dates are meant to be processed in order (the nightly does): a
 * template founded on a later date is not known to an earlier one.
 */
public final class FeaturesJob extends LakeJob<FeaturesJob.Result> {
  public static final String NAME = "features";

  /**
   * @param minTemplateRequests a template with fewer requests on a day is not indexed that day
   *     (free text would otherwise fill the index) nor listed in silver.templates
   */
  /**
   * @param embeddingModel "bundled" (all-MiniLM-L6-v2), a model directory, or "none" to skip the
   *     embedding classifier
   * @param device auto, cpu, gpu or gpu:N
   */
  public record Options(LocalDate date, int bands, int rows, int shingle, double minSimilarity, int minTemplateRequests,
                        String embeddingModel, String device) {
    public static final int DEFAULT_BANDS = 20;
    public static final int DEFAULT_ROWS = 4;
    public static final int DEFAULT_SHINGLE = 3;
    public static final long LSH_SEED = 0x5EEDL;

    public Options {
      new MinHashLsh(bands, rows, shingle, LSH_SEED); // validates the shape
      if (!(minSimilarity > 0 && minSimilarity <= 1)) {
        throw new IllegalArgumentException("minSimilarity must be in (0, 1]");
      }
      if (minTemplateRequests < 1) {
        throw new IllegalArgumentException("minTemplateRequests must be positive");
      }
      SentenceEmbedder.parseDevice(device.equals("auto") ? "cpu" : device); // validates the spelling only
      if (!embeddingModel.equals("none") && !embeddingModel.equals("bundled")) {
        ModelSource.directory(java.nio.file.Path.of(embeddingModel)); // validates the directory
      }
    }

    public static Options defaults(LocalDate date) {
      return new Options(date, DEFAULT_BANDS, DEFAULT_ROWS, DEFAULT_SHINGLE, TemplateAssignment.DEFAULT_MIN_SIMILARITY, 2,
          "bundled", "auto");
    }

    /** The embedding model, or null when the embedding classifier is off. */
    ModelSource model() {
      return switch (embeddingModel) {
        case "none" -> null;
        case "bundled" -> ModelSource.bundled();
        default -> ModelSource.directory(java.nio.file.Path.of(embeddingModel));
      };
    }

    public MinHashLsh lsh() {
      return new MinHashLsh(bands, rows, shingle, LSH_SEED);
    }
  }

  /** @param embedded template representatives embedded tonight (the others' vectors were in silver.embeddings) */
  public record Result(long requests, long prompts, long templates, long recurringTemplates, long newIndexEntries,
                       long accounts, long windowRows, long lateEvents, long embedded) {
    public Map<String, Long> metrics(Options o) {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("requests", requests);
      m.put("distinct_prompts", prompts);
      m.put("templates", templates);
      m.put("recurring_templates", recurringTemplates);
      m.put("new_index_entries", newIndexEntries);
      m.put("accounts", accounts);
      m.put("window_rows", windowRows);
      m.put("late_events", lateEvents);
      m.put("embedded", embedded);
      m.put("lsh_bands", (long) o.bands());
      m.put("lsh_rows", (long) o.rows());
      m.put("lsh_shingle", (long) o.shingle());
      return m;
    }

    public String summary() {
      return String.format("%,d requests, %,d distinct prompts, %,d templates (%,d recurring), %,d new index entries; "
          + "%,d accounts, %,d window rows; %,d late events of earlier days landed tonight (not featured); "
          + "%,d template representatives embedded (none already in silver.embeddings)",
          requests, prompts, templates, recurringTemplates, newIndexEntries, accounts, windowRows, lateEvents, embedded);
    }
  }

  /** The bronze.events columns the stage reads. */
  public static final List<String> REQUEST_FIELDS = List.of("event_id", "account_id", "ts", "prompt", "model",
      "prompt_tokens", "completion_tokens", "temperature", "max_tokens", "n", "logprobs", "tools", "turns",
      "status", "ip", "asn", "user_agent", "country");

  private final Options options;

  public FeaturesJob(Lake lake, Options options) {
    super(lake, NAME);
    this.options = options;
  }

  @Override
  protected Map<String, ?> description() {
    Map<String, Object> desc = new LinkedHashMap<>();
    desc.put("date", options.date());
    desc.put("lake", lake.root());
    desc.put("bands", options.bands());
    desc.put("rows", options.rows());
    desc.put("shingle", options.shingle());
    desc.put("min-similarity", options.minSimilarity());
    return desc;
  }

  @Override
  protected Optional<Run> record(Result r) {
    return Optional.of(new Run(options.date(), r.metrics(options)));
  }

  @Override
  protected Result run(JobGroup group) {
    LocalDate d = options.date();
    Date day = Date.valueOf(d);
    requireSameLshShape();
    group.step("features " + d + ": normalise prompts");
    // the events of the date delivered by its night: one delivered late (on a later night) would
    // make a re-run or a backfill of the date differ from the night itself
    Dataset<Row> requests = TemplateAssignment.normalize(lake.read(Tables.BRONZE_EVENTS)
            .where(col("event_date").equalTo(lit(day)).and(col("landing_date").leq(lit(day))))
            .select(REQUEST_FIELDS.stream().map(c -> col(c)).toArray(Column[]::new)))
        .drop("prompt")
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    Dataset<Row> prompts = requests.groupBy("norm_hash", "norm").agg(count(lit(1)).as("requests"))
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    Dataset<Row> signed = TemplateAssignment.sign(prompts, options.lsh()).persist(StorageLevel.MEMORY_AND_DISK_SER());
    try {
      group.step("features " + d + ": assign templates");
      Dataset<Row> index = lake.readIfExists(Tables.SILVER_TEMPLATE_BANDS).where(col("first_seen").lt(lit(day)));
      Dataset<Row> assignment = TemplateAssignment.assign(spark, signed, index, options.minSimilarity())
          .persist(StorageLevel.MEMORY_AND_DISK_SER());
      Dataset<Row> tagged = requests.join(assignment, "norm_hash");

      group.step("features " + d + ": write silver.template_daily");
      Dataset<Row> representatives = prompts.join(assignment, "norm_hash")
          .withColumn("_rank", row_number().over(Window.partitionBy("template_id")
              .orderBy(col("requests").desc(), col("norm_hash"))))
          .where(col("_rank").equalTo(1))
          .select(col("template_id"), col("norm").as("representative"));
      Dataset<Row> templateDaily = tagged.groupBy("template_id")
          .agg(count(lit(1)).as("requests"), countDistinct("account_id").as("accounts"),
              expr("hll_sketch_agg(account_id)").as("account_sketch"))
          .join(representatives, "template_id")
          .withColumn("date", lit(day))
          .withColumn("capability", TemplateTags.capability(col("representative")))
          .withColumn("cot", TemplateTags.chainOfThought(col("representative")))
          .withColumn("script", TemplateTags.script(col("representative")));
      EmbeddingTags embeddingTags = withEmbeddingTags(group, d, templateDaily);
      templateDaily = embeddingTags.templateDaily();
      lake.replace(Tables.SILVER_TEMPLATE_DAILY, templateDaily, "date = DATE'" + d + "'");
      Dataset<Row> todaysTemplates = lake.read(Tables.SILVER_TEMPLATE_DAILY).where(col("date").equalTo(lit(day)))
          .persist(StorageLevel.MEMORY_AND_DISK_SER());
      Faults.point("features:after-template-daily");

      group.step("features " + d + ": write silver.request_templates");
      lake.replace(Tables.SILVER_REQUEST_TEMPLATES,
          tagged.select(lit(day).as("event_date"), col("event_id"), col("account_id"), col("ts"), col("template_id")),
          "event_date = DATE'" + d + "'");

      group.step("features " + d + ": write silver.template_bands");
      Dataset<Row> indexable = todaysTemplates.where(col("requests").geq(options.minTemplateRequests())).select("template_id");
      Dataset<Row> newEntries = TemplateAssignment.newIndexEntries(signed, assignment, indexable, index)
          .withColumn("first_seen", lit(day));
      lake.replace(Tables.SILVER_TEMPLATE_BANDS, newEntries, "first_seen = DATE'" + d + "'");
      long newIndexEntries = lake.read(Tables.SILVER_TEMPLATE_BANDS).where(col("first_seen").equalTo(lit(day))).count();
      Faults.point("features:after-template-bands");

      group.step("features " + d + ": merge silver.templates");
      Dataset<Row> touched = todaysTemplates.select("template_id");
      Dataset<Row> templates = lake.read(Tables.SILVER_TEMPLATE_DAILY).join(touched, "template_id")
          .groupBy("template_id")
          .agg(expr("min_by(representative, date)").as("representative"),
              expr("min_by(capability, date)").as("capability"),
              expr("min_by(cot, date)").as("cot"),
              expr("min_by(script, date)").as("script"),
              expr("min_by(capability_embedding, date)").as("capability_embedding"),
              expr("min_by(cot_embedding, date)").as("cot_embedding"),
              min("date").as("first_seen"), expr("max(date)").as("last_seen"), count(lit(1)).as("days"),
              expr("sum(requests)").as("requests"),
              expr("hll_sketch_estimate(hll_union_agg(account_sketch))").as("accounts"))
          .where(col("requests").geq(options.minTemplateRequests()));
      lake.upsert(Tables.SILVER_TEMPLATES, templates, "true");

      group.step("features " + d + ": merge silver.models");
      lake.upsert(Tables.SILVER_MODELS, requests.groupBy("model").agg(lit(day).as("first_seen")),
          "s.first_seen < t.first_seen");
      // a model already in the traffic on the lake's first day has no known release: never "new"
      // (else every account would be on a new model for the lake's first nights)
      Dataset<Row> models = lake.read(Tables.SILVER_MODELS);
      Dataset<Row> newModels = models
          .crossJoin(models.agg(min("first_seen").as("lake_start")))
          .where(col("first_seen").between(lit(Date.valueOf(d.minusDays(AccountDaily.NEW_MODEL_DAYS))), lit(day))
              .and(col("first_seen").gt(col("lake_start"))))
          .select("model");

      group.step("features " + d + ": write gold.account_daily");
      Dataset<Row> withTags = tagged.join(todaysTemplates.select("template_id", "capability", "cot", "script"), "template_id");
      lake.replace(Tables.GOLD_ACCOUNT_DAILY, AccountDaily.compute(d, withTags, newModels), "date = DATE'" + d + "'");
      Faults.point("features:after-account-daily");

      group.step("features " + d + ": write gold.account_windows");
      Dataset<Row> recentDaily = lake.read(Tables.GOLD_ACCOUNT_DAILY)
          .where(col("date").between(lit(Date.valueOf(d.minusDays(89))), lit(day)));
      lake.replace(Tables.GOLD_ACCOUNT_WINDOWS, AccountWindows.compute(d, recentDaily), "date = DATE'" + d + "'");

      group.step("features " + d + ": counts");
      Row t = todaysTemplates.agg(count(lit(1)), expr("count_if(requests >= " + options.minTemplateRequests() + ")"),
          expr("sum(requests)")).first();
      long accounts = lake.read(Tables.GOLD_ACCOUNT_DAILY).where(col("date").equalTo(lit(day))).count();
      long windowRows = lake.read(Tables.GOLD_ACCOUNT_WINDOWS).where(col("date").equalTo(lit(day))).count();
      long lateEvents = lake.read(Tables.BRONZE_EVENTS)
          .where(col("landing_date").equalTo(lit(day)).and(col("event_date").lt(lit(day)))).count();
      Result result = new Result(t.isNullAt(2) ? 0 : t.getLong(2), prompts.count(), t.getLong(0), t.getLong(1),
          newIndexEntries, accounts, windowRows, lateEvents, embeddingTags.embedded());
      assignment.unpersist();
      todaysTemplates.unpersist();
      return result;
    } finally {
      signed.unpersist();
      prompts.unpersist();
      requests.unpersist();
    }
  }

  /**
   * The embedding classifier's tags for the day's recurring templates (one embedding per
   * template and day, of its normalised representative); null for the rest and when the
   * classifier is off. Embeddings come from {@code silver.embeddings}: only representatives no
   * earlier night embedded with this model are embedded tonight (most templates recur day after
   * day), and their vectors are added to the table (an insert-only MERGE: a re-run adds nothing).
   */
  private EmbeddingTags withEmbeddingTags(JobGroup group, LocalDate d, Dataset<Row> templateDaily) {
    ModelSource model = options.model();
    if (model == null) {
      return new EmbeddingTags(templateDaily.withColumn("capability_embedding", lit(null).cast("string"))
          .withColumn("cot_embedding", lit(null).cast("boolean")), 0);
    }
    SentenceEmbedder driverModel = SentenceEmbedder.shared(model, SentenceEmbedder.parseDevice(options.device()));
    EmbeddingTagger tagger = EmbeddingTagger.fromSeeds(driverModel::embed);
    Column recurring = col("requests").geq(options.minTemplateRequests());
    Dataset<Row> hashed = templateDaily.where(recurring).withColumn("text_hash", sha2(col("representative"), 256));
    group.step("features " + d + ": embed new template representatives (" + model.name() + ")");
    EmbeddingCache cache = new EmbeddingCache(lake, model, options.device());
    long embeddedTonight = cache.embedMissing(hashed.select(col("text_hash"), col("representative").as("text")));
    Dataset<Row> vectors = cache.vectors();
    Dataset<Row> embedded = hashed.join(vectors, "text_hash")
        .withColumn("capability_embedding", tagger.capability(col("embedding")))
        .withColumn("cot_embedding", tagger.chainOfThought(col("embedding")))
        .drop("embedding", "text_hash");
    Dataset<Row> rest = templateDaily.where(recurring.equalTo(false))
        .withColumn("capability_embedding", lit(null).cast("string"))
        .withColumn("cot_embedding", lit(null).cast("boolean"));
    return new EmbeddingTags(embedded.unionByName(rest), embeddedTonight);
  }

  /** The day's templates with their embedding tags, and how many representatives this run embedded. */
  private record EmbeddingTags(Dataset<Row> templateDaily, long embedded) {}

  /** Band keys from another LSH shape never meet the index's: refuse rather than fork every template. */
  private void requireSameLshShape() {
    Dataset<Row> runs = lake.readIfExists(Tables.OPS_RUNS).where(col("command").equalTo(NAME));
    List<Row> last = runs.orderBy(col("date").desc()).limit(1).collectAsList();
    if (last.isEmpty()) {
      return;
    }
    scala.collection.Map<String, Object> m = last.get(0).getMap(2);
    long b = (Long) m.getOrElse("lsh_bands", () -> (long) options.bands());
    long r = (Long) m.getOrElse("lsh_rows", () -> (long) options.rows());
    long k = (Long) m.getOrElse("lsh_shingle", () -> (long) options.shingle());
    if (b != options.bands() || r != options.rows() || k != options.shingle()) {
      throw new InvalidInputException(String.format("the template index of %s was built with --bands %d --rows %d "
          + "--shingle %d; another LSH shape needs a new lake (its buckets would never meet the index's)",
          lake.root(), b, r, k));
    }
  }
}
