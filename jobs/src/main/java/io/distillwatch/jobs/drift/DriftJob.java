package io.distillwatch.jobs.drift;

import io.distillwatch.features.drift.BenignNull;
import io.distillwatch.features.drift.Mmd;
import io.distillwatch.features.drift.QueryDrift;
import io.distillwatch.jobs.features.EmbeddingCache;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LakeJob;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.lake.WindowInputs;
import io.distillwatch.jobs.spark.Faults;
import io.distillwatch.jobs.spark.JobGroup;
import io.distillwatch.models.ModelSource;
import io.distillwatch.models.SentenceEmbedder;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * {@code drift --lake K --date D}: a second detector, independent of identity links. Each account's
 * recent prompts are tested against benign traffic by maximum mean discrepancy over sentence
 * embeddings (arXiv 2606.05725): a window of {@code window} requests of the last {@code windowDays}
 * days ({@link QueryDrift#windows}), each request embedded as its template's representative of the day
 * (through {@code silver.embeddings}: a text is embedded once), against a reference of up to
 * {@code referenceSize} prompts of the <em>benign pool</em> (accounts with a window that no campaign
 * flagged on the last {@link #POOL_LOOKBACK_DAYS} nights holds), per stratum (the account's tier; a
 * tier with fewer than {@link #MIN_STRATUM_POOL} pool accounts is tested against all tiers together).
 * Heavy accounts (at least {@code heavyWindow} requests in the period) get a window of that size and
 * a stratum of their own, {@link #HEAVY_STRATUM}, when each half of its pool can resolve the alert
 * level: a mix of harvesting moves MMD^2 with the square of its share, so small shares need large windows.
 *
 * <p>The pool is split in two halves by a hash of the account id; an account is tested against the
 * reference drawn from the other half (so no account's own prompts are in its reference), and its
 * p-value is its rank among the statistics of the pool accounts tested against the same reference:
 * the benign-vs-benign null ({@link BenignNull}).
 *
 * <p>Beside the MMD test, a second statistic that grows linearly with the share of harvesting
 * (MMD^2 grows with its square): the window's {@link Mmd#contrast} towards <em>known harvesting</em>
 * (tonight's prompts of the accounts in recently flagged campaigns) against the same benign reference,
 * calibrated on the same benign null. Only pool accounts get it (a flagged campaign's own prompts are
 * the known harvesting); an account's {@code p_value} is then Bonferroni over the two tests.
 * Writes {@code gold.account_drift} (every scored account) and {@code gold.drift_alerts} (pool
 * accounts at p at most the alert level), both replaced per date.
 */
public final class DriftJob extends LakeJob<DriftJob.Result> {
  public static final String NAME = "drift";

  /** Accounts in a campaign flagged on one of these last nights are not benign reference material. */
  public static final int POOL_LOOKBACK_DAYS = 30;
  /** A tier with fewer benign-pool accounts than this is pooled with the others (its null would be too coarse). */
  public static final int MIN_STRATUM_POOL = 200;
  /** The stratum of heavy accounts (at least the heavy window's requests in the period), whatever their tier. */
  public static final String HEAVY_STRATUM = "heavy";
  /** A reference half with fewer prompts than this scores nobody (a lake's first nights, a tiny test lake). */
  public static final int MIN_REFERENCE = 50;

  /**
   * @param windowDays days of requests a window draws from
   * @param window requests per window (accounts with fewer are not scored)
   * @param heavyWindow requests per window of a heavy account (one with at least that many in the period),
   *     tested against other heavy accounts; 0 turns heavy windows off
   * @param referenceSize prompts per reference half
   * @param alertLevel p-value at or below which an account in no flagged campaign is alerted
   * @param embeddingModel "bundled" (all-MiniLM-L6-v2) or a model directory
   * @param device auto, cpu, gpu or gpu:N
   */
  public record Options(LocalDate date, int windowDays, int window, int heavyWindow, int referenceSize,
                        double alertLevel, String embeddingModel, String device) {
    public static final int DEFAULT_WINDOW_DAYS = 7;
    public static final int DEFAULT_WINDOW = 32;
    /**
     * A mix of a share e of harvesting moves MMD^2 by about e^2, so a 10 % mix needs windows of hundreds of
     * requests (docs/campaigns.md, section 7: 10 % found 0.16 at 32 and 0.79 at 256 in the published setting).
     */
    public static final int DEFAULT_HEAVY_WINDOW = 256;
    public static final int DEFAULT_REFERENCE = 1000;
    /** Prompts one pool account gives the reference at most, so no single account shapes it. */
    public static final int REFERENCE_ROWS_PER_ACCOUNT = 4;
    /** The benign false-positive rate of the published detector (arXiv 2606.05725): 0.3 %. */
    public static final double DEFAULT_ALERT_LEVEL = 0.003;

    public Options {
      if (windowDays < 1 || windowDays > 90) {
        throw new IllegalArgumentException("drift window must be 1 to 90 days");
      }
      if (window < 4) {
        throw new IllegalArgumentException("drift window must hold at least 4 requests");
      }
      if (heavyWindow != 0 && heavyWindow <= window) {
        throw new IllegalArgumentException("drift heavy window must be 0 (off) or larger than the drift window ("
            + window + "), got " + heavyWindow);
      }
      if (referenceSize < MIN_REFERENCE) {
        throw new IllegalArgumentException("drift reference must hold at least " + MIN_REFERENCE + " prompts");
      }
      if (!(alertLevel > 0 && alertLevel < 1)) {
        throw new IllegalArgumentException("drift alert level must be in (0, 1)");
      }
      SentenceEmbedder.parseDevice(device.equals("auto") ? "cpu" : device); // validates the spelling only
      if (!embeddingModel.equals("bundled")) {
        ModelSource.directory(Path.of(embeddingModel)); // validates the directory
      }
    }

    public static Options defaults(LocalDate date) {
      return new Options(date, DEFAULT_WINDOW_DAYS, DEFAULT_WINDOW, DEFAULT_HEAVY_WINDOW, DEFAULT_REFERENCE,
          DEFAULT_ALERT_LEVEL, "bundled", "auto");
    }

    /**
     * Pool accounts each half of the heavy stratum needs before heavy windows are used: enough that a
     * p-value can reach the alert level (the smallest is 1 / (N + 1)).
     */
    long minHeavyPoolPerHalf() {
      return (long) Math.ceil(1 / alertLevel) - 1;
    }

    ModelSource model() {
      return embeddingModel.equals("bundled") ? ModelSource.bundled() : ModelSource.directory(Path.of(embeddingModel));
    }
  }

  /**
   * @param windowed accounts with a full window; {@code scored} of them had a reference to be tested against
   * @param unscored accounts with requests in the period but fewer than a window
   * @param heavy accounts given the heavy window (0 when the heavy stratum's pool is too small for it)
   */
  public record Result(long windowed, long scored, long unscored, long pool, long embedded, long alerts, long strata,
                       long heavy) {
    public String summary() {
      return String.format("%,d accounts scored (%,d in the benign pool; %,d heavy, with the larger window), %,d with too "
          + "few requests for a window; %,d prompts embedded (the rest from silver.embeddings); %,d drift alerts", scored,
          pool, heavy, unscored, embedded, alerts);
    }

    Map<String, Long> metrics() {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("windowed", windowed);
      m.put("scored", scored);
      m.put("unscored", unscored);
      m.put("pool", pool);
      m.put("embedded", embedded);
      m.put("alerts", alerts);
      m.put("strata", strata);
      m.put("heavy", heavy);
      return m;
    }
  }

  private final Options options;

  public DriftJob(Lake lake, Options options) {
    super(lake, NAME);
    this.options = options;
  }

  @Override
  protected Map<String, ?> description() {
    Map<String, Object> desc = new LinkedHashMap<>();
    desc.put("date", options.date());
    desc.put("lake", lake.root());
    desc.put("window", options.window());
    desc.put("heavy-window", options.heavyWindow());
    desc.put("window-days", options.windowDays());
    desc.put("reference", options.referenceSize());
    return desc;
  }

  @Override
  protected Optional<Run> record(Result r) {
    return Optional.of(new Run(options.date(), r.metrics()));
  }

  @Override
  protected Result run(JobGroup group) {
    LocalDate d = options.date();
    Date day = Date.valueOf(d);
    Date from = Date.valueOf(d.minusDays(options.windowDays() - 1L));
    String where = "date = DATE'" + d + "'";
    group.step("drift " + d + ": requests");
    Dataset<Row> requests = lake.read(Tables.SILVER_REQUEST_TEMPLATES)
        .where(col("event_date").between(lit(from), lit(day)))
        .select("account_id", "event_id", "event_date", "template_id")
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    // freed however the night ends (the finally below)
    Dataset<Row> accounts = null;
    Dataset<Row> windows = null;
    try {
      long active = requests.select("account_id").distinct().count();

      group.step("drift " + d + ": benign pool and strata");
      Dataset<Row> flagged = lake.readIfExists(CampaignTables.NIGHTLY.members())
          .where(col("flagged").and(col("date").between(lit(Date.valueOf(d.minusDays(POOL_LOOKBACK_DAYS))),
              lit(Date.valueOf(d.minusDays(1))))))
          .select("account_id").distinct().withColumn("_flagged", lit(true));
      accounts = requests.groupBy("account_id").agg(count(lit(1)).as("window_requests"))
          .where(col("window_requests").geq(options.window()))
          .join(tiers(d), new String[] {"account_id"}, "left")
          .withColumn("tier", coalesce(col("tier"), lit("unknown")))
          .join(flagged, new String[] {"account_id"}, "left")
          .withColumn("in_pool", coalesce(col("_flagged"), lit(false)).equalTo(false))
          .withColumn("half", QueryDrift.half(col("account_id")))
          .withColumn("heavy", lit(options.heavyWindow() > 0).and(col("window_requests").geq(options.heavyWindow())))
          .drop("_flagged")
          .persist(StorageLevel.MEMORY_AND_DISK_SER());
      // the heavy stratum, when each of its halves has pool accounts enough to resolve the alert level;
      // one small collect gives the pools and the number of accounts with a window
      Map<String, Long> poolByTier = new HashMap<>();
      Map<String, Long> lightPoolByTier = new HashMap<>();
      long[] heavyPool = new long[2];
      long windowed = 0;
      for (Row r : accounts.groupBy("in_pool", "tier", "heavy", "half").agg(count(lit(1))).collectAsList()) {
        long n = r.getLong(4);
        windowed += n;
        if (!r.getBoolean(0)) {
          continue;
        }
        if (r.getBoolean(2)) {
          heavyPool[r.getInt(3)] += n;
        } else {
          lightPoolByTier.merge(r.getString(1), n, Long::sum);
        }
        poolByTier.merge(r.getString(1), n, Long::sum);
      }
      boolean heavyInUse = options.heavyWindow() > 0
          && Math.min(heavyPool[0], heavyPool[1]) >= options.minHeavyPoolPerHalf();
      // with the heavy stratum in use, heavy accounts leave their tiers
      Map<String, Long> tierPools = heavyInUse ? lightPoolByTier : poolByTier;
      List<String> ownStrata = tierPools.entrySet().stream().filter(e -> e.getValue() >= MIN_STRATUM_POOL)
          .map(Map.Entry::getKey).sorted().toList();
      Column tierStratum = ownStrata.isEmpty() ? lit("all")
          : when(col("tier").isin(ownStrata.toArray()), col("tier")).otherwise(lit("all"));
      Column heavyAccount = lit(heavyInUse).and(col("heavy"));
      Dataset<Row> stratified = accounts
          .withColumn("stratum", when(heavyAccount, lit(HEAVY_STRATUM)).otherwise(tierStratum))
          .withColumn("window_size", when(heavyAccount, lit(options.heavyWindow())).otherwise(lit(options.window())));

      group.step("drift " + d + ": windows");
      windows = QueryDrift.windows(requests.join(stratified.select("account_id", "window_requests",
              "window_size"), "account_id"))
          .join(lake.read(Tables.SILVER_TEMPLATE_DAILY).select(col("date").as("event_date"), col("template_id"),
              col("representative")), new String[] {"event_date", "template_id"})
          .withColumn("text_hash", sha2(col("representative"), 256))
          .persist(StorageLevel.MEMORY_AND_DISK_SER());
      group.step("drift " + d + ": embed new prompts (" + options.model().name() + ")");
      EmbeddingCache cache = new EmbeddingCache(lake, options.model(), options.device());
      long embedded = cache.embedMissing(windows.select(col("text_hash"), col("representative").as("text")));
      Faults.point("drift:after-embeddings");

      group.step("drift " + d + ": references");
      Dataset<Row> vectors = windows.select("account_id", "event_id", "template_id", "text_hash")
          .join(cache.vectors(), "text_hash");
      Map<String, Mmd.Reference> references = references(vectors, stratified);
      float[][] knownHarvest = knownHarvest(vectors, stratified);

      group.step("drift " + d + ": statistics");
      Dataset<Row> keyed = vectors.join(stratified.select(col("account_id"),
              concat(col("stratum"), lit("|"), lit(1).minus(col("half")).cast("string")).as("reference")), "account_id")
          .where(col("reference").isin(references.keySet().toArray()));
      Dataset<Row> scored = QueryDrift.score(
              keyed.select("account_id", "reference", "template_id", "embedding", "text_hash"), references, knownHarvest)
          .join(stratified.select("account_id", "stratum", "in_pool", "window_requests", "window_size"), "account_id")
          // a flagged campaign's own prompts are in the known harvesting: its members' contrast says nothing
          .withColumn("contrast", when(col("in_pool"), col("contrast")))
          .localCheckpoint(true);

      group.step("drift " + d + ": benign null and p-values");
      Map<String, BenignNull> nulls = nulls(scored, "mmd2");
      Map<String, BenignNull> contrastNulls = knownHarvest == null ? Map.of() : nulls(scored, "contrast");
      UserDefinedFunction pValue = udf((UDF2<String, Double, Double>) (ref, s) -> nulls.get(ref).pValue(s),
          DataTypes.DoubleType);
      UserDefinedFunction pContrast = udf((UDF2<String, Double, Double>) (ref, s) ->
          s == null || !contrastNulls.containsKey(ref) ? null : contrastNulls.get(ref).pValue(s), DataTypes.DoubleType);
      int harvestSize = knownHarvest == null ? 0 : knownHarvest.length;
      // what each reference was: a row per stratum, joined onto its accounts
      List<Row> perReference = new ArrayList<>();
      references.forEach((k, r) -> perReference.add(RowFactory.create(k, nulls.containsKey(k) ? nulls.get(k).size() : 0,
          r.size(), r.sigma())));
      Dataset<Row> referenceFacts = lake.spark().createDataFrame(perReference, new StructType()
          .add("reference", DataTypes.StringType).add("null_size", DataTypes.IntegerType)
          .add("reference_size", DataTypes.IntegerType).add("sigma", DataTypes.DoubleType));
      Dataset<Row> rows = scored.where(col("reference").isin(nulls.keySet().toArray()))
          .withColumn("date", lit(day))
          .withColumn("p_mmd", pValue.apply(col("reference"), col("mmd2")))
          .withColumn("p_contrast", pContrast.apply(col("reference"), col("contrast")))
          // two tests of one account: Bonferroni over the two
          .withColumn("p_value", when(col("p_contrast").isNull(), col("p_mmd"))
              .otherwise(least(lit(1.0), lit(2.0).multiply(least(col("p_mmd"), col("p_contrast"))))))
          .withColumn("harvest_reference_size", lit(harvestSize))
          .join(broadcast(referenceFacts), "reference");

      group.step("drift " + d + ": write gold.account_drift");
      lake.replace(Tables.GOLD_ACCOUNT_DRIFT, rows, where);
      Faults.point("drift:after-account-drift");

      group.step("drift " + d + ": write gold.drift_alerts");
      Dataset<Row> written = lake.read(Tables.GOLD_ACCOUNT_DRIFT).where(col("date").equalTo(lit(day)));
      lake.replace(Tables.GOLD_DRIFT_ALERTS, alerts(written), where);

      group.step("drift " + d + ": counts");
      Row c = written.agg(count(lit(1)), expr("count_if(in_pool)"),
          expr("count_if(window_size = " + options.heavyWindow() + ")")).first();
      long alertCount = lake.read(Tables.GOLD_DRIFT_ALERTS).where(col("date").equalTo(lit(day))).count();
      return new Result(windowed, c.getLong(0), active - windowed, c.getLong(1), embedded, alertCount,
          ownStrata.size() + 1L + (heavyInUse ? 1 : 0), heavyInUse ? c.getLong(2) : 0);
    } finally {
      if (windows != null) {
        windows.unpersist();
      }
      if (accounts != null) {
        accounts.unpersist();
      }
      requests.unpersist();
    }
  }

  /**
   * The references, keyed "stratum|half": up to {@link Options#REFERENCE_ROWS_PER_ACCOUNT} prompts of each
   * pool account of the half, then up to {@code referenceSize} of those, both by hash (deterministic).
   * Collected to the driver: at most (strata + 1) x 2 x referenceSize vectors.
   */
  private Map<String, Mmd.Reference> references(Dataset<Row> vectors, Dataset<Row> stratified) {
    Dataset<Row> poolRows = vectors.join(stratified.where(col("in_pool")).select("account_id", "stratum", "half"), "account_id")
        .withColumn("_h", xxhash64(col("event_id"), lit("drift-reference")))
        .withColumn("_n", row_number().over(Window.partitionBy("account_id").orderBy(col("_h"), col("event_id"))))
        .where(col("_n").leq(Options.REFERENCE_ROWS_PER_ACCOUNT));
    // every pool account also serves the pooled stratum "all"
    Dataset<Row> candidates = poolRows.where(col("stratum").notEqual("all"))
        .unionByName(poolRows.withColumn("stratum", lit("all")))
        .withColumn("_r", row_number().over(Window.partitionBy("stratum", "half").orderBy(col("_h"), col("event_id"))))
        .where(col("_r").leq(options.referenceSize()));
    Map<String, List<float[]>> rows = new HashMap<>();
    for (Row r : candidates.select("stratum", "half", "embedding").collectAsList()) {
      rows.computeIfAbsent(r.getString(0) + "|" + r.getInt(1), k -> new ArrayList<>()).add(floats(r.getList(2)));
    }
    Map<String, Mmd.Reference> references = new HashMap<>();
    rows.forEach((k, v) -> {
      if (v.size() >= MIN_REFERENCE) {
        references.put(k, Mmd.Reference.of(v.toArray(float[][]::new)));
      }
    });
    return references;
  }

  /**
   * Known harvesting: up to {@code referenceSize} prompts of tonight's windows of accounts in campaigns
   * flagged on the last nights (not in the pool), at most {@link Options#REFERENCE_ROWS_PER_ACCOUNT}
   * each, by hash; null when fewer than {@link #MIN_REFERENCE} (a lake's first nights).
   */
  private float[][] knownHarvest(Dataset<Row> vectors, Dataset<Row> stratified) {
    List<Row> rows = vectors.join(stratified.where(col("in_pool").equalTo(false)).select("account_id"), "account_id")
        .withColumn("_h", xxhash64(col("event_id"), lit("drift-harvest")))
        .withColumn("_n", row_number().over(Window.partitionBy("account_id").orderBy(col("_h"), col("event_id"))))
        .where(col("_n").leq(Options.REFERENCE_ROWS_PER_ACCOUNT))
        .orderBy(col("_h"), col("event_id")).limit(options.referenceSize())
        .select("embedding").collectAsList();
    if (rows.size() < MIN_REFERENCE) {
      return null;
    }
    float[][] out = new float[rows.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = floats(rows.get(i).getList(0));
    }
    return out;
  }

  private static float[] floats(List<Float> v) {
    float[] x = new float[v.size()];
    for (int k = 0; k < x.length; k++) {
      x[k] = v.get(k);
    }
    return x;
  }

  /** Per reference, the {@code statistic} of the pool accounts tested against it: one double per pool account. */
  private static Map<String, BenignNull> nulls(Dataset<Row> scored, String statistic) {
    Map<String, List<Double>> stats = new HashMap<>();
    for (Row r : scored.where(col("in_pool").and(col(statistic).isNotNull())).select("reference", statistic).collectAsList()) {
      stats.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r.getDouble(1));
    }
    Map<String, BenignNull> nulls = new HashMap<>();
    stats.forEach((k, v) -> nulls.put(k, new BenignNull(v.stream().mapToDouble(Double::doubleValue).toArray())));
    return nulls;
  }

  private Dataset<Row> alerts(Dataset<Row> drift) {
    return drift.where(col("in_pool").and(col("p_value").leq(options.alertLevel())))
        .withColumn("evidence", expr(String.format("format_string('queries drift from benign traffic: a window of %%d of "
            + "its %%d requests of the last %d days (%%d templates) has MMD^2 %%.4f against the %%s benign reference "
            + "(%%d prompts, RBF sigma %%.3f), p = %%.4f among %%d benign accounts tested alike%%s; p = %%.4f for the "
            + "account; carried most by templates %%s; in no campaign flagged in the last %d nights', window_size, window_requests, "
            + "window_templates, mmd2, stratum, reference_size, sigma, p_mmd, null_size, "
            + "if(p_contrast is null, '', format_string('; towards the %%d prompts of recently flagged campaigns: "
            + "contrast %%.4f, p = %%.4f', harvest_reference_size, contrast, p_contrast)), p_value, "
            + "array_join(drift_templates, ', '))", options.windowDays(), POOL_LOOKBACK_DAYS)));
  }

  /** Each account's tier in its newest registry snapshot delivered by the night ("unknown" when none). */
  private Dataset<Row> tiers(LocalDate d) {
    return WindowInputs.registryAsOf(lake, d).select(col("account_id"), coalesce(col("tier"), lit("unknown")).as("tier"));
  }
}
