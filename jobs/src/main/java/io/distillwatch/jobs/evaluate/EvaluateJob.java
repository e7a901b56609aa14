package io.distillwatch.jobs.evaluate;

import io.distillwatch.features.campaigns.CampaignScoring;
import io.distillwatch.features.campaigns.EvidenceWeights;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LakeJob;
import io.distillwatch.jobs.lake.TableSpec;
import io.distillwatch.jobs.lake.WindowInputs;
import io.distillwatch.jobs.spark.JobGroup;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.percent_rank;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * {@code evaluate --lake K --labels F [--date D]}: the night's flagged campaigns against labels
 * (the simulator's, or an analyst's). Accounts in scope are those active in the window ending at
 * D. A labelled campaign counts as found when at least half of its active accounts are flagged.
 * Written to {@code gold.evaluation} (the date's rows replaced) and returned for printing.
 */
public final class EvaluateJob extends LakeJob<EvaluateJob.Result> {
  public static final String NAME = "evaluate";

  public static final TableSpec EVALUATION = new TableSpec("gold.evaluation", new StructType()
      .add("date", DataTypes.DateType, false)
      .add("source", DataTypes.StringType, false)
      .add("scope", DataTypes.StringType, false)
      .add("metric", DataTypes.StringType, false)
      .add("value", DataTypes.DoubleType)
      .add("numerator", DataTypes.LongType)
      .add("denominator", DataTypes.LongType),
      List.of(), List.of("date", "source", "scope", "metric"),
      "quality of the night's campaigns against labels: campaign recall, account precision and recall, benign "
          + "false-positive rates (overall and for the heaviest 1 % of benign accounts), per tactic, and detection "
          + "delay (days from a campaign's 10,000th request to its first flag), and ids_kept: of the accounts flagged on the "
          + "previous night and this one, the share that kept their campaign id");

  public record Options(LocalDate date, String labels, int windowDays, CampaignTables tables) {}

  /** One metric: a ratio with its counts (null value when the denominator is 0). */
  public record Metric(String scope, String metric, Double value, long numerator, long denominator) {}

  public record Result(LocalDate date, List<Metric> metrics, List<String> composition) {
    public Double value(String scope, String metric) {
      return metrics.stream().filter(m -> m.scope().equals(scope) && m.metric().equals(metric))
          .map(Metric::value).findFirst().orElse(null);
    }

    public List<String> table() {
      List<String> lines = new ArrayList<>();
      lines.add(String.format("%-34s %-26s %9s %14s", "scope", "metric", "value", "count"));
      for (Metric m : metrics) {
        lines.add(String.format("%-34s %-26s %9s %14s", m.scope(), m.metric(),
            m.value() == null ? "-" : String.format("%.4f", m.value()),
            m.denominator() < 0 ? "" : m.numerator() + "/" + m.denominator()));
      }
      return lines;
    }
  }

  private final Options options;

  public EvaluateJob(Lake lake, Options options) {
    super(lake, NAME);
    this.options = options;
  }

  /** The latest date with campaigns, for a default {@code --date}. */
  public static LocalDate latestDate(Lake lake, CampaignTables t) {
    Row r = lake.readIfExists(t.campaigns()).agg(max("date")).first();
    if (r.isNullAt(0)) {
      throw new InvalidInputException("no campaigns in " + t.campaigns().name() + " of " + lake.root() + "; run campaigns first");
    }
    return r.getDate(0).toLocalDate();
  }

  @Override
  protected Map<String, ?> description() {
    Map<String, Object> desc = new LinkedHashMap<>();
    desc.put("date", options.date());
    desc.put("lake", lake.root());
    return desc;
  }

  @Override
  protected Result run(JobGroup group) {
    LocalDate d = options.date();
    Date day = Date.valueOf(d);
    CampaignTables t = options.tables();
    group.step("evaluate " + d + ": labels");
    Dataset<Row> labels = readLabels();
    WindowInputs in = new WindowInputs(lake, d, options.windowDays());
    Dataset<Row> active = in.daily().groupBy("account_id").agg(sum("requests").as("requests"));
    Dataset<Row> flagged = lake.read(t.members()).where(col("date").equalTo(lit(day)).and(col("flagged")))
        .select("account_id").distinct().withColumn("flagged", lit(true));
    Dataset<Row> scope = active.join(labels, new String[] {"account_id"}, "left")
        .join(flagged, new String[] {"account_id"}, "left")
        .withColumn("flagged", coalesce(col("flagged"), lit(false)))
        .withColumn("campaign_account", col("campaign").isNotNull())
        .cache();
    List<Metric> metrics = new ArrayList<>();

    group.step("evaluate " + d + ": accounts");
    Row acc = scope.agg(
        sum(when(col("flagged").and(col("campaign_account")), 1).otherwise(0)),
        sum(when(col("flagged").and(col("campaign_account").equalTo(false)), 1).otherwise(0)),
        sum(when(col("campaign_account"), 1).otherwise(0)),
        sum(when(col("campaign_account").equalTo(false), 1).otherwise(0))).first();
    long tp = acc.getLong(0);
    long fp = acc.getLong(1);
    long positives = acc.getLong(2);
    long negatives = acc.getLong(3);
    metrics.add(ratio("all", "account_precision", tp, tp + fp));
    metrics.add(ratio("all", "account_recall", tp, positives));
    metrics.add(ratio("all", "benign_fpr", fp, negatives));
    Dataset<Row> benign = scope.where(col("campaign_account").equalTo(false))
        .withColumn("_rank", percent_rank().over(Window.orderBy(col("requests").desc())));
    Row heavy = benign.where(col("_rank").lt(0.01)).agg(sum(when(col("flagged"), 1).otherwise(0)), count(lit(1))).first();
    metrics.add(ratio("benign_top_1pct_volume", "benign_fpr", heavy.isNullAt(0) ? 0 : heavy.getLong(0), heavy.getLong(1)));

    group.step("evaluate " + d + ": campaigns");
    Dataset<Row> perCampaign = scope.where(col("campaign_account")).groupBy("campaign", "tactic")
        .agg(count(lit(1)).as("accounts"), sum(when(col("flagged"), 1).otherwise(0)).as("flagged"))
        .withColumn("found", col("flagged").multiply(2).geq(col("accounts")));
    List<Row> campaigns = perCampaign.orderBy("campaign").collectAsList(); // one row per labelled campaign
    long found = campaigns.stream().filter(r -> r.getBoolean(r.fieldIndex("found"))).count();
    metrics.add(ratio("all", "campaign_recall", found, campaigns.size()));
    Map<String, Long> firstFlag = firstFlagged(labels, t);
    Map<String, LocalDate> tenThousand = reachedRequests(labels, d, 10_000);
    for (Row r : campaigns) {
      String tactic = r.getString(r.fieldIndex("tactic"));
      String name = "tactic:" + tactic;
      metrics.add(ratio(name, "campaign_found", r.getBoolean(r.fieldIndex("found")) ? 1 : 0, 1));
      metrics.add(ratio(name, "account_recall", r.getLong(r.fieldIndex("flagged")), r.getLong(r.fieldIndex("accounts"))));
      String campaign = r.getString(r.fieldIndex("campaign"));
      LocalDate reached = tenThousand.get(campaign);
      Long flaggedOn = firstFlag.get(campaign);
      if (reached != null) {
        Double delay = flaggedOn == null ? null : (double) (LocalDate.ofEpochDay(flaggedOn).toEpochDay() - reached.toEpochDay());
        metrics.add(new Metric(name, "days_10k_to_flag", delay, -1, -1));
      }
    }
    Dataset<Row> byProfile = scope.where(col("campaign_account").equalTo(false)).groupBy("profile")
        .agg(sum(when(col("flagged"), 1).otherwise(0)).as("fp"), count(lit(1)).as("n"));
    for (Row r : byProfile.orderBy("profile").collectAsList()) {
      metrics.add(ratio("profile:" + r.getString(0), "benign_fpr", r.getLong(1), r.getLong(2)));
    }
    group.step("evaluate " + d + ": id stability");
    Row previous = lake.read(t.members()).where(col("date").lt(lit(day))).agg(max("date")).first();
    if (!previous.isNullAt(0)) {
      // accounts flagged on the previous night and tonight: how many kept their campaign id
      Dataset<Row> before = flaggedIds(t, previous.getDate(0)).withColumnRenamed("campaign_id", "previous_id");
      Dataset<Row> kept = flaggedIds(t, day).join(before, "account_id").join(labels, new String[] {"account_id"}, "left")
          .withColumn("kept", when(col("campaign_id").equalTo(col("previous_id")), 1).otherwise(0))
          .groupBy("tactic").agg(sum("kept").as("kept"), count(lit(1)).as("n"));
      long keptAll = 0;
      long bothAll = 0;
      for (Row r : kept.orderBy("tactic").collectAsList()) { // one row per tactic
        keptAll += r.getLong(1);
        bothAll += r.getLong(2);
        if (!r.isNullAt(0)) {
          metrics.add(ratio("tactic:" + r.getString(0), "ids_kept", r.getLong(1), r.getLong(2)));
        }
      }
      metrics.add(ratio("all", "ids_kept", keptAll, bothAll));
    }
    group.step("evaluate " + d + ": signals on campaign and benign clusters");
    metrics.addAll(signalRates(t, day, labels));
    group.step("evaluate " + d + ": cluster composition");
    List<String> composition = new ArrayList<>();
    Dataset<Row> members = lake.read(t.members()).where(col("date").equalTo(lit(day)))
        .join(labels, new String[] {"account_id"}, "left")
        .withColumn("label", coalesce(col("campaign"), org.apache.spark.sql.functions.concat(lit("benign:"), col("profile"))));
    for (Row r : members.groupBy("campaign_id", "flagged", "label").agg(count(lit(1)).as("n"))
        .orderBy(col("campaign_id"), col("n").desc()).collectAsList()) { // clusters x labels: small
      composition.add(String.format("%s %s %s=%d", r.getString(0), r.getBoolean(1) ? "flagged" : "not-flagged",
          r.getString(2), r.getLong(3)));
    }
    scope.unpersist();

    List<Row> rows = new ArrayList<>();
    for (Metric m : metrics) {
      rows.add(org.apache.spark.sql.RowFactory.create(day, source(t), m.scope(), m.metric(), m.value(),
          m.denominator() < 0 ? null : m.numerator(), m.denominator() < 0 ? null : m.denominator()));
    }
    lake.replace(EVALUATION, spark.createDataFrame(rows, EVALUATION.schema()),
        "date = DATE'" + d + "' AND source = '" + source(t) + "'");
    return new Result(d, metrics, composition);
  }

  /**
   * How often each weighed signal and each descriptive rule fires on the night's campaign clusters
   * and on its benign clusters (a cluster is a campaign's when at least half its members are
   * labelled with a campaign): scopes {@code signal:<name>} (weight above 0) and {@code rule:<name>}
   * (rule met), metrics {@code campaign_clusters} and {@code benign_clusters}; and the share of each
   * kind of cluster flagged ({@code all}, {@code campaign_clusters_flagged} and {@code benign_clusters_flagged}).
   */
  private List<Metric> signalRates(CampaignTables t, Date day, Dataset<Row> labels) {
    Dataset<Row> kinds = lake.read(t.members()).where(col("date").equalTo(lit(day)))
        .join(labels, new String[] {"account_id"}, "left")
        .groupBy("campaign_id").agg(sum(when(col("campaign").isNotNull(), 2).otherwise(0)).geq(count(lit(1))).as("campaign_cluster"));
    // one row per cluster of the night (a few thousand at most)
    List<Row> clusters = lake.read(t.campaigns()).where(col("date").equalTo(lit(day))).join(kinds, "campaign_id")
        .select("campaign_cluster", "flagged", "evidence_weights", "rules_met").collectAsList();
    List<Metric> out = new ArrayList<>();
    long[] totals = new long[2];
    long[] flaggedClusters = new long[2];
    Map<String, long[]> signals = new java.util.TreeMap<>();
    Map<String, long[]> rules = new java.util.TreeMap<>();
    EvidenceWeights.SIGNALS.forEach(sig -> signals.put(sig.name(), new long[2]));
    CampaignScoring.RULES.forEach(rule -> rules.put(rule.name(), new long[2]));
    for (Row r : clusters) {
      int kind = r.getBoolean(0) ? 0 : 1;
      totals[kind]++;
      flaggedClusters[kind] += r.getBoolean(1) ? 1 : 0;
      Map<String, Double> weights = r.isNullAt(2) ? Map.of() : r.getJavaMap(2);
      weights.forEach((name, w) -> {
        if (w != null && w > 0 && signals.containsKey(name)) {
          signals.get(name)[kind]++;
        }
      });
      for (String met : r.getString(3).split(",")) {
        if (rules.containsKey(met)) {
          rules.get(met)[kind]++;
        }
      }
    }
    out.add(ratio("all", "campaign_clusters_flagged", flaggedClusters[0], totals[0]));
    out.add(ratio("all", "benign_clusters_flagged", flaggedClusters[1], totals[1]));
    signals.forEach((name, n) -> {
      out.add(ratio("signal:" + name, "campaign_clusters", n[0], totals[0]));
      out.add(ratio("signal:" + name, "benign_clusters", n[1], totals[1]));
    });
    rules.forEach((name, n) -> {
      out.add(ratio("rule:" + name, "campaign_clusters", n[0], totals[0]));
      out.add(ratio("rule:" + name, "benign_clusters", n[1], totals[1]));
    });
    return out;
  }

  private Dataset<Row> flaggedIds(CampaignTables t, Date night) {
    return lake.read(t.members()).where(col("date").equalTo(lit(night)).and(col("flagged"))).select("account_id", "campaign_id");
  }

  /** nightly or discovery: which namespace's campaigns were evaluated. */
  static String source(CampaignTables t) {
    return t == CampaignTables.NIGHTLY ? "nightly" : "discovery";
  }

  private static Metric ratio(String scope, String metric, long num, long den) {
    return new Metric(scope, metric, den == 0 ? null : (double) num / den, num, den);
  }

  private Dataset<Row> readLabels() {
    StructType schema = new StructType().add("account_id", DataTypes.StringType).add("campaign", DataTypes.StringType)
        .add("tactic", DataTypes.StringType).add("profile", DataTypes.StringType);
    Dataset<Row> labels;
    try {
      labels = spark.read().schema(schema).option("mode", "FAILFAST").json(options.labels());
      if (labels.isEmpty()) {
        throw new InvalidInputException("labels " + options.labels() + " hold no rows");
      }
    } catch (RuntimeException e) {
      if (e instanceof InvalidInputException) {
        throw e;
      }
      throw new InvalidInputException("labels " + options.labels() + " cannot be read: " + e.getMessage().lines().findFirst().orElse(""));
    }
    return labels.where(col("account_id").isNotNull()).dropDuplicates("account_id");
  }

  /** Per labelled campaign, the first night (epoch day) that flagged at least half of its accounts active that day. */
  private Map<String, Long> firstFlagged(Dataset<Row> labels, CampaignTables t) {
    Dataset<Row> activeByDay = lake.read(io.distillwatch.jobs.lake.Tables.GOLD_ACCOUNT_DAILY)
        .join(labels.where(col("campaign").isNotNull()), "account_id")
        .groupBy("campaign", "date").agg(countDistinct("account_id").as("active"));
    Dataset<Row> flaggedByDay = lake.read(t.members()).where(col("flagged"))
        .join(labels.where(col("campaign").isNotNull()), "account_id")
        .groupBy("campaign", "date").agg(countDistinct("account_id").as("flagged"));
    Column firstDay = min(col("date"));
    Map<String, Long> out = new LinkedHashMap<>();
    for (Row r : flaggedByDay.join(activeByDay, new String[] {"campaign", "date"})
        .where(col("flagged").multiply(2).geq(col("active")))
        .groupBy("campaign").agg(firstDay).collectAsList()) {
      out.put(r.getString(0), r.getDate(1).toLocalDate().toEpochDay());
    }
    return out;
  }

  /** Per labelled campaign, the day its cumulative requests reached {@code threshold} (up to {@code d}). */
  private Map<String, LocalDate> reachedRequests(Dataset<Row> labels, LocalDate d, long threshold) {
    Dataset<Row> daily = lake.read(io.distillwatch.jobs.lake.Tables.GOLD_ACCOUNT_DAILY)
        .where(col("date").leq(lit(Date.valueOf(d))))
        .join(labels.where(col("campaign").isNotNull()), "account_id")
        .groupBy("campaign", "date").agg(sum("requests").as("requests"))
        .withColumn("cumulative", sum("requests").over(Window.partitionBy("campaign").orderBy("date")));
    Map<String, LocalDate> out = new LinkedHashMap<>();
    for (Row r : daily.where(col("cumulative").geq(threshold)).groupBy("campaign").agg(min("date")).collectAsList()) {
      out.put(r.getString(0), r.getDate(1).toLocalDate());
    }
    return out;
  }
}
