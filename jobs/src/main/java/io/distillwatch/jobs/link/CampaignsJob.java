package io.distillwatch.jobs.link;

import io.distillwatch.features.campaigns.AccountClusters;
import io.distillwatch.features.campaigns.CampaignClassifier;
import io.distillwatch.features.campaigns.CampaignIds;
import io.distillwatch.features.campaigns.CampaignScoring;
import io.distillwatch.features.campaigns.EvidenceWeights;
import io.distillwatch.features.campaigns.IsolationForest;
import io.distillwatch.features.linkage.AccountLinks;
import io.distillwatch.features.linkage.LinkKind;
import io.distillwatch.features.spark.Materialized;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LakeJob;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.lake.WindowInputs;
import io.distillwatch.jobs.spark.Faults;
import io.distillwatch.jobs.spark.JobGroup;
import io.distillwatch.jobs.verdict.VerdictJob;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * {@code campaigns --lake K --date D}: clusters of the date's link graph, scored and tracked
 * under stable ids. Reads {@code <ns>.account_links} of the date (run {@code link} first) and
 * the campaigns of the last {@link CampaignIds#LOOKBACK_NIGHTS} nights (for stable ids); writes
 * the date's rows of campaigns, members, account scores, lineage and alerts (each replaced, so a
 * re-run is idempotent).
 */
public final class CampaignsJob extends LakeJob<CampaignsJob.Result> {
  public static final String NAME = "campaigns";

  public record Options(LocalDate date, int windowDays, double minWeight, int minSize, double threshold,
                        CampaignTables tables) {
    public static final int DEFAULT_MIN_SIZE = 3;

    public Options {
      if (windowDays < 1 || windowDays > 90) {
        throw new IllegalArgumentException("window must be 1 to 90 days");
      }
      if (minSize < 2) {
        throw new IllegalArgumentException("min campaign size must be at least 2");
      }
      if (!(threshold > 0 && threshold <= 1)) {
        throw new IllegalArgumentException("score threshold must be in (0, 1]");
      }
    }

    public static Options defaults(LocalDate date) {
      return new Options(date, LinkJob.Options.DEFAULT_WINDOW, LinkJob.Options.DEFAULT_MIN_WEIGHT, DEFAULT_MIN_SIZE,
          CampaignScoring.DEFAULT_THRESHOLD, CampaignTables.NIGHTLY);
    }
  }

  /** @param classifierVerdicts the verdicts the night's classifier was trained on; 0: no classifier */
  public record Result(long clusters, long flagged, long flaggedAccounts, long alerts, long lineage,
                       long classifierVerdicts) {
    public String summary() {
      return String.format("%,d clusters, %,d flagged as campaigns (%,d accounts), %,d alerts, %,d merges/splits%s",
          clusters, flagged, flaggedAccounts, alerts, lineage,
          classifierVerdicts == 0 ? "" : String.format("; classifier trained on %,d verdicts", classifierVerdicts));
    }

    Map<String, Long> metrics() {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("clusters", clusters);
      m.put("flagged", flagged);
      m.put("flagged_accounts", flaggedAccounts);
      m.put("alerts", alerts);
      m.put("lineage", lineage);
      m.put("classifier_verdicts", classifierVerdicts);
      return m;
    }
  }

  /** Pregel supersteps: above the diameter any link graph of ours forms (stars keep it short). */
  private static final int MAX_ITERATIONS = 50;
  /** Edges lighter than this whose ends share no neighbour are cut as weak bridges ({@link AccountClusters}). */
  static final double BRIDGE_WEIGHT = 1.5;
  /** The anomaly model is fitted on the driver, on at most this many of the night's clusters. */
  static final int ANOMALY_FIT_LIMIT = 100_000;

  private final Options options;

  public CampaignsJob(Lake lake, Options options) {
    super(lake, NAME);
    this.options = options;
  }

  @Override
  protected Map<String, ?> description() {
    Map<String, Object> desc = new LinkedHashMap<>();
    desc.put("date", options.date());
    desc.put("lake", lake.root());
    desc.put("min-size", options.minSize());
    desc.put("threshold", options.threshold());
    return desc;
  }

  @Override
  protected Optional<Run> record(Result r) {
    return options.tables() == CampaignTables.NIGHTLY ? Optional.of(new Run(options.date(), r.metrics())) : Optional.empty();
  }

  @Override
  protected Result run(JobGroup group) {
    LocalDate d = options.date();
    Date day = Date.valueOf(d);
    String where = "date = DATE'" + d + "'";
    CampaignTables t = options.tables();
    group.step("campaigns " + d + ": clusters");
    // an empty graph is a valid night (no links); a graph that was never built is a mistake
    if (t == CampaignTables.NIGHTLY && lake.readIfExists(Tables.OPS_RUNS)
        .where(col("command").equalTo(LinkJob.NAME).and(col("date").equalTo(lit(day)))).isEmpty()) {
      throw new InvalidInputException("no link graph for " + d + " in " + t.links().name() + "; run link first");
    }
    // the inputs every later step reads, computed once, as plan leaves (Materialized says why)
    Dataset<Row> edges = Materialized.of(lake.read(t.links()).where(col("date").equalTo(lit(day))));
    Dataset<Row> members = Materialized.of(AccountClusters.of(spark, edges, options.minWeight(), options.minSize(),
        MAX_ITERATIONS, BRIDGE_WEIGHT));
    try {
      WindowInputs in = new WindowInputs(lake, d, options.windowDays());
      group.step("campaigns " + d + ": cluster features");
      // read by the cluster features and by the evidence references: computed once
      Dataset<Row> registry = Materialized.of(in.registry());
      Dataset<Row> activity = Materialized.of(in.activity(registry));
      Dataset<Row> prefixes = AccountLinks.usageMemberships(in.events().join(members.select("account_id"), "account_id"))
          .where(col("kind").equalTo(io.distillwatch.features.linkage.LinkKind.IP_PREFIX)).select("account_id", "key");
      Dataset<Row> requests = in.requests().join(members.select("account_id"), "account_id");
      Dataset<Row> templates = in.requests().groupBy("template_id").agg(countDistinct("account_id").as("window_accounts"))
          .join(lake.read(Tables.SILVER_TEMPLATES).select("template_id", "capability", "cot"),
              new String[] {"template_id"}, "left");
      // the second detector's per-account tests of the night (run by the drift stage before link), when it ran
      Dataset<Row> accountDrift = lake.readIfExists(Tables.GOLD_ACCOUNT_DRIFT).where(col("date").equalTo(lit(day)));
      Dataset<Row> features = Materialized.of(CampaignScoring.withDrift(CampaignScoring.features(d, members, activity,
          registry, requests, templates, prefixes, edges), members, accountDrift));

      group.step("campaigns " + d + ": evidence references");
      // every account active in the window, with its age and whether a candidate cluster holds it:
      // the accounts in none are the background that a cluster's behaviour is weighed against
      Dataset<Row> accounts = activity.drop("org_id")
          .join(registry.select("account_id", "created_at"), new String[] {"account_id"}, "left")
          .withColumn("age_days", datediff(lit(day), col("created_at")))
          .join(members.select(col("account_id"), lit(true).as("in_cluster")), new String[] {"account_id"}, "left")
          .withColumn("in_cluster", coalesce(col("in_cluster"), lit(false)));
      EvidenceWeights.References references = EvidenceWeights.references(features, accounts);
      Materialized.release(activity);
      Materialized.release(registry);

      group.step("campaigns " + d + ": anomaly model");
      // the night's clusters are few (one row each): fit on the driver, score on the executors
      List<Row> vectors = features.select(CampaignScoring.vector().as("v")).orderBy("v").limit(ANOMALY_FIT_LIMIT).collectAsList();
      double[][] data = new double[Math.max(1, vectors.size())][];
      data[0] = new double[CampaignScoring.ANOMALY_FEATURES.size()]; // no cluster tonight: a placeholder
      for (int i = 0; i < vectors.size(); i++) {
        List<Double> v = vectors.get(i).getList(0);
        data[i] = v.stream().mapToDouble(Double::doubleValue).toArray();
      }
      group.step("campaigns " + d + ": classifier");
      CampaignClassifier classifier = CampaignClassifier.fit(spark, verdictHistory(d, verdictsAsOf(t, d))).orElse(null);
      Dataset<Row> scored = CampaignScoring.score(features, references, IsolationForest.fit(data, CampaignScoring.ANOMALY_TREES,
          CampaignScoring.ANOMALY_SAMPLE, CampaignScoring.ANOMALY_SEED), classifier,
          options.threshold());

      group.step("campaigns " + d + ": stable ids");
      List<LocalDate> nights = earlierNights(t, d, CampaignIds.LOOKBACK_NIGHTS);
      LocalDate previousDate = nights.isEmpty() ? null : nights.get(0);
      CampaignIds.Assignment ids = CampaignIds.assign(d, members,
          CampaignIds.onNights(lake.readIfExists(t.members()), nights).select("account_id", "campaign_id", "date"),
          previousDate);
      // each id as it last stood in the lookback (a resumed id's last night is before the previous one)
      Dataset<Row> lookback = CampaignIds.onNights(lake.readIfExists(t.campaigns()), nights);
      Dataset<Row> previous = lookback.join(lookback.groupBy("campaign_id").agg(max("date").as("date")),
          new String[] {"campaign_id", "date"});
      Dataset<Row> prevCols = previous.select(col("campaign_id"), col("first_seen").as("prev_first_seen"),
          col("first_flagged").as("prev_first_flagged"), col("flagged").as("prev_flagged"),
          col("score").as("previous_score"), col("cluster_size").as("previous_size"));
      Dataset<Row> campaigns = Materialized.of(scored.join(ids.ids(), "cluster_key")
          .join(prevCols, new String[] {"campaign_id"}, "left")
          .withColumn("date", lit(day))
          .withColumn("first_seen", coalesce(col("prev_first_seen"), lit(day)))
          .withColumn("first_flagged", coalesce(col("prev_first_flagged"), when(col("flagged"), lit(day)))));

      group.step("campaigns " + d + ": write");
      lake.replace(t.campaigns(), campaigns, where);
      Faults.point("campaigns:after-campaigns");
      Dataset<Row> memberRows = members.join(campaigns.select("cluster_key", "campaign_id", "flagged", "score"), "cluster_key")
          .withColumn("date", lit(day));
      lake.replace(t.members(), memberRows, where);
      lake.replace(t.accountScores(), memberRows.join(degrees(edges), new String[] {"account_id"}, "left")
          .na().fill(0L, new String[] {"links"}).na().fill(0.0, new String[] {"link_weight"}), where);
      lake.replace(t.lineage(), ids.lineage().withColumn("date", lit(day)), where);
      // a cluster a peer lab's campaign joined (share match, link kind peer_indicator) is a lead for an analyst,
      // flagged or not: our own evidence decides the flag, the peer's only brings the accounts together
      Column peerEdges = coalesce(element_at(col("edge_kinds"), lit(LinkKind.PEER_INDICATOR)), lit(0L));
      Dataset<Row> alerts = campaigns.where(col("flagged").or(peerEdges.gt(0)))
          .withColumn("alert", when(col("flagged").and(coalesce(col("prev_flagged"), lit(false)).equalTo(false)), lit("new"))
              .when(col("flagged").and(col("score").geq(col("previous_score").plus(CampaignScoring.ESCALATION_SCORE_RISE))
                  .or(col("cluster_size").geq(col("previous_size").multiply(CampaignScoring.ESCALATION_SIZE_FACTOR)))),
                  lit("escalated"))
              .when(peerEdges.gt(0), lit("peer_lead")))
          .where(col("alert").isNotNull());
      lake.replace(t.alerts(), alerts, where);

      group.step("campaigns " + d + ": counts");
      // the night's campaigns as written, from the kept rows (no read-back of the table)
      Row c = campaigns.agg(count(lit(1)), sum(when(col("flagged"), 1).otherwise(0)),
          sum(when(col("flagged"), col("cluster_size")).otherwise(0))).first();
      long alertCount = lake.read(t.alerts()).where(col("date").equalTo(lit(day))).count();
      long lineageCount = lake.read(t.lineage()).where(col("date").equalTo(lit(day))).count();
      long verdicts = classifier == null ? 0 : classifier.campaignVerdicts() + classifier.benignVerdicts();
      Result r = new Result(c.getLong(0), c.isNullAt(1) ? 0 : c.getLong(1), c.isNullAt(2) ? 0 : c.getLong(2),
          alertCount, lineageCount, verdicts);
      Materialized.release(campaigns);
      Materialized.release(features);
      return r;
    } finally {
      Materialized.release(members);
      Materialized.release(edges);
    }
  }

  /**
   * The time a night's classifier reads analysts' verdicts as of: when the nightly {@code campaigns}
   * of the night first ran (recorded now, on its first run), so a re-run, a backfill or a
   * {@code discover} of the night trains on what the night itself could have known. A night the
   * nightly runs never saw reads them as of the end of its day.
   */
  private Instant verdictsAsOf(CampaignTables t, LocalDate d) {
    if (t == CampaignTables.NIGHTLY) {
      return lake.firstRun(NAME, d, Instant.now());
    }
    return lake.recordedFirstRun(NAME, d).orElse(d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
  }

  /**
   * The labelled history: for each (campaign, night) judged before the date, the verdict as it
   * stood at {@code asOf} (the latest recorded before it), with the features of the campaign on
   * the night it judged (always the nightly tables: verdicts are about nightly campaigns).
   * Verdicts on the date or later, and verdicts recorded (or changed) after {@code asOf}, are left
   * out, so re-running a date gives the same scores whatever was judged since.
   */
  private Dataset<Row> verdictHistory(LocalDate d, Instant asOf) {
    Dataset<Row> verdicts = lake.readIfExists(Tables.OPS_CAMPAIGN_VERDICTS)
        .where(col("date").lt(lit(Date.valueOf(d))).and(col("recorded_at").lt(lit(Timestamp.from(asOf)))))
        .withColumn("_latest", row_number().over(Window.partitionBy("campaign_id", "date").orderBy(col("recorded_at").desc())))
        .where(col("_latest").equalTo(1));
    return CampaignScoring.withDerivedFeatures(
            lake.readIfExists(CampaignTables.NIGHTLY.campaigns()).join(verdicts.select("campaign_id", "date", "verdict"),
                new String[] {"campaign_id", "date"}))
        .withColumn("label", when(col("verdict").equalTo(VerdictJob.CAMPAIGN), lit(1.0)).otherwise(lit(0.0)));
  }

  /** The last {@code n} nights before {@code d} with campaigns in these tables, newest first (a few dates). */
  private List<LocalDate> earlierNights(CampaignTables t, LocalDate d, int n) {
    return lake.readIfExists(t.campaigns()).where(col("date").lt(lit(Date.valueOf(d))))
        .select("date").distinct().orderBy(col("date").desc()).limit(n).collectAsList()
        .stream().map(r -> r.getDate(0).toLocalDate()).toList();
  }

  private static Dataset<Row> degrees(Dataset<Row> edges) {
    Dataset<Row> ends = edges.select(col("src").as("account_id"), col("weight"))
        .unionByName(edges.select(col("dst").as("account_id"), col("weight")));
    return ends.groupBy("account_id").agg(count(lit(1)).as("links"),
        io.distillwatch.features.linkage.AccountLinks.exactSum(col("weight")).as("link_weight"));
  }
}
