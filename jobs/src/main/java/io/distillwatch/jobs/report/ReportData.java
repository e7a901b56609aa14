package io.distillwatch.jobs.report;

import io.distillwatch.features.accounts.AccountDaily;
import io.distillwatch.jobs.discover.DiscoverJob;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;

/**
 * What the briefing shows, read from the lake into small driver-side records: every query is bounded
 * (the top campaigns of one night, their daily totals, one drawn graph of at most {@link #MAX_GRAPH_NODES}
 * accounts), so the report costs the same at any lake size. Account ids pass through {@link Pseudonyms}
 * before they leave this class.
 */
public record ReportData(LocalDate date, Headline headline, List<Campaign> campaigns, List<DailyPoint> timeline,
                         Map<String, Map<String, Double>> capabilityMix, LinkGraph graph,
                         List<AttributionRow> attribution, List<Discovery> discoveries, boolean internal,
                         DriftAlerts driftAlerts) {
  public static final int TABLE_CAMPAIGNS = 25;
  public static final int CHART_CAMPAIGNS = 6;
  public static final int TIMELINE_DAYS = 30;
  public static final int MAX_GRAPH_NODES = 60;

  public record Headline(long clusters, long flaggedCampaigns, long flaggedAccounts, long activeAccounts,
                         long flaggedRequests, long alerts, long newCampaigns, long peerLeads, long attributedSuspects,
                         long suspects) {}

  public record Campaign(String id, String status, boolean flagged, double score, double evidenceScore, double anomaly,
                         long size, long requests, Double requestsPerAccountDay, LocalDate firstSeen,
                         LocalDate firstFlagged, Double cotShare, Double distillShare, Double syncScore,
                         String rulesMet, String evidence) {}

  public record DailyPoint(String campaignId, LocalDate day, long requests, long accounts) {}

  public record LinkGraph(String campaignId, List<String> nodes, List<Edge> edges, long members, long memberEdges) {
    public record Edge(int a, int b, double weight, String kind) {}
  }

  public record AttributionRow(String study, String lengthMode, String provider, String suspect, String method,
                               boolean baseline, double statistic, double ciLow, double ciHigh, double pValue,
                               Double pHolm, Boolean attributed, String nearest, double alpha, int prompts,
                               int permutations) {}

  public record Discovery(String campaignId, String status, LocalDate firstFlagged, LocalDate nightlyFirstFlagged,
                          Integer daysEarlier, long accounts) {}

  /** The night's query-drift alerts (gold.drift_alerts): whether the stage ran, how many, the strongest few. */
  public record DriftAlerts(boolean ran, long total, List<DriftAlert> strongest) {
    static final DriftAlerts NONE = new DriftAlerts(false, 0, List.of());
  }

  /** account: its pseudonym (its id in an internal briefing). */
  public record DriftAlert(String account, double pValue, double mmd2, String evidence) {}

  /**
   * @param date the night to brief on; null for the newest night in gold.campaigns
   */
  public static ReportData load(Lake lake, LocalDate date, Pseudonyms pseudonyms) {
    CampaignTables t = CampaignTables.NIGHTLY;
    boolean haveCampaigns = lake.exists(t.campaigns());
    boolean haveAttribution = lake.exists(Tables.GOLD_ATTRIBUTION);
    if (!haveCampaigns && !haveAttribution) {
      throw new InvalidInputException("lake " + lake.root() + " has neither campaigns nor attribution results to "
          + "report; run nightly (or campaigns) or attribute --lake first");
    }
    LocalDate night = date;
    if (haveCampaigns && night == null) {
      Row newest = lake.read(t.campaigns()).agg(max("date")).first();
      night = newest.isNullAt(0) ? null : newest.getDate(0).toLocalDate();
    }
    List<AttributionRow> attribution = haveAttribution ? attribution(lake) : List.of();
    long suspects = attribution.stream().filter(a -> a.method().equals("combined")).count();
    long attributed = attribution.stream().filter(a -> a.method().equals("combined") && Boolean.TRUE.equals(a.attributed())).count();
    if (!haveCampaigns || night == null) {
      return new ReportData(night, new Headline(0, 0, 0, 0, 0, 0, 0, 0, attributed, suspects), List.of(), List.of(),
          Map.of(), null, attribution, List.of(), pseudonyms.isInternal(), DriftAlerts.NONE);
    }
    Date day = Date.valueOf(night);
    Dataset<Row> campaignsOfNight = lake.read(t.campaigns()).where(col("date").equalTo(lit(day)));
    Row counts = campaignsOfNight.agg(count(lit(1)), sum(col("flagged").cast("int"))).first();
    if (counts.getLong(0) == 0) {
      throw new InvalidInputException("gold.campaigns has no rows for " + night + "; run campaigns for that date or "
          + "leave --date out for the newest night");
    }
    List<Campaign> campaigns = new ArrayList<>();
    for (Row r : campaignsOfNight.orderBy(col("flagged").desc(), col("score").desc(), col("campaign_id"))
        .limit(TABLE_CAMPAIGNS).collectAsList()) {
      campaigns.add(campaign(r));
    }
    List<String> charted = campaigns.stream().filter(Campaign::flagged).limit(CHART_CAMPAIGNS).map(Campaign::id).toList();

    Dataset<Row> flaggedMembers = lake.read(t.members()).where(col("date").equalTo(lit(day)).and(col("flagged")));
    long flaggedAccounts = flaggedMembers.count();
    Dataset<Row> daily = lake.readIfExists(Tables.GOLD_ACCOUNT_DAILY)
        .where(col("date").between(lit(Date.valueOf(night.minusDays(TIMELINE_DAYS - 1))), lit(day)));
    Row active = daily.where(col("date").equalTo(lit(day))).agg(count(lit(1))).first();
    Row flaggedReq = daily.where(col("date").equalTo(lit(day))).join(flaggedMembers.select("account_id"), "account_id")
        .agg(sum("requests")).first();
    Row alerts = lake.readIfExists(t.alerts()).where(col("date").equalTo(lit(day)))
        .agg(count(lit(1)), sum(col("alert").equalTo("new").cast("int")), sum(col("alert").equalTo("peer_lead").cast("int"))).first();
    Headline headline = new Headline(counts.getLong(0), counts.isNullAt(1) ? 0 : counts.getLong(1), flaggedAccounts,
        active.getLong(0), flaggedReq.isNullAt(0) ? 0 : flaggedReq.getLong(0), alerts.getLong(0),
        alerts.isNullAt(1) ? 0 : alerts.getLong(1), alerts.isNullAt(2) ? 0 : alerts.getLong(2), attributed, suspects);

    Dataset<Row> chartedMembers = flaggedMembers.where(col("campaign_id").isin(charted.toArray()))
        .select("campaign_id", "account_id");
    Dataset<Row> chartedDaily = daily.join(chartedMembers, "account_id");
    List<DailyPoint> timeline = new ArrayList<>();
    for (Row r : chartedDaily.groupBy("campaign_id", "date").agg(sum("requests"), countDistinct("account_id"))
        .orderBy("campaign_id", "date").collectAsList()) {
      timeline.add(new DailyPoint(r.getString(0), r.getDate(1).toLocalDate(), r.getLong(2), r.getLong(3)));
    }
    LinkGraph graph = campaigns.stream().filter(Campaign::flagged).findFirst()
        .map(top -> graph(lake, t, day, top.id(), top.size(), pseudonyms)).orElse(null);
    return new ReportData(night, headline, campaigns, timeline, capabilityMix(chartedDaily), graph, attribution,
        discoveries(lake, night), pseudonyms.isInternal(), driftAlerts(lake, day, pseudonyms));
  }

  /** The night's drift alerts, strongest (smallest p) first, at most {@link #TABLE_CAMPAIGNS}; ids pseudonymised. */
  private static DriftAlerts driftAlerts(Lake lake, Date day, Pseudonyms pseudonyms) {
    if (!lake.exists(Tables.GOLD_DRIFT_ALERTS) || !lake.exists(Tables.GOLD_ACCOUNT_DRIFT)) {
      return DriftAlerts.NONE;
    }
    boolean ran = !lake.read(Tables.GOLD_ACCOUNT_DRIFT).where(col("date").equalTo(lit(day))).isEmpty();
    Dataset<Row> night = lake.read(Tables.GOLD_DRIFT_ALERTS).where(col("date").equalTo(lit(day)));
    List<DriftAlert> strongest = new ArrayList<>();
    for (Row r : night.orderBy(col("p_value"), col("account_id")).limit(TABLE_CAMPAIGNS).collectAsList()) {
      strongest.add(new DriftAlert(pseudonyms.of(r.getAs("account_id")), r.getAs("p_value"), r.getAs("mmd2"),
          r.getAs("evidence")));
    }
    return new DriftAlerts(ran, night.count(), strongest);
  }

  private static Campaign campaign(Row r) {
    return new Campaign(r.getAs("campaign_id"), r.getAs("status"), r.getAs("flagged"), r.getAs("score"),
        r.isNullAt(r.fieldIndex("evidence_score")) ? Double.NaN : r.<Double>getAs("evidence_score"), r.getAs("anomaly"), r.getAs("cluster_size"), r.getAs("requests"),
        r.getAs("requests_per_account_day"), ((Date) r.getAs("first_seen")).toLocalDate(),
        r.isNullAt(r.fieldIndex("first_flagged")) ? null : ((Date) r.getAs("first_flagged")).toLocalDate(),
        r.getAs("cot_share"), r.getAs("distill_capability_share"), r.getAs("sync_score"), r.getAs("rules_met"),
        r.getAs("evidence"));
  }

  /** Per charted campaign, the request-weighted share of each capability over the timeline window. */
  private static Map<String, Map<String, Double>> capabilityMix(Dataset<Row> chartedDaily) {
    List<Column> aggs = new ArrayList<>();
    aggs.add(sum("requests").as("requests"));
    for (String c : AccountDaily.CAPABILITIES) {
      aggs.add(sum(col("requests").multiply(col("cap_" + c + "_share"))).as(c));
    }
    Map<String, Map<String, Double>> out = new LinkedHashMap<>();
    for (Row r : chartedDaily.groupBy("campaign_id").agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new))
        .orderBy("campaign_id").collectAsList()) {
      double total = Math.max(1, r.getLong(1));
      Map<String, Double> shares = new LinkedHashMap<>();
      for (int i = 0; i < AccountDaily.CAPABILITIES.size(); i++) {
        shares.put(AccountDaily.CAPABILITIES.get(i), r.isNullAt(i + 2) ? 0.0 : r.getDouble(i + 2) / total);
      }
      out.put(r.getString(0), shares);
    }
    return out;
  }

  /** The top campaign's link graph among its flagged members, cut to the best-connected accounts. */
  private static LinkGraph graph(Lake lake, CampaignTables t, Date day, String campaignId, long members,
                                 Pseudonyms pseudonyms) {
    if (!lake.exists(t.links())) {
      return null;
    }
    Dataset<Row> ids = lake.read(t.members())
        .where(col("date").equalTo(lit(day)).and(col("campaign_id").equalTo(campaignId)).and(col("flagged")))
        .select("account_id");
    Dataset<Row> edges = lake.read(t.links()).where(col("date").equalTo(lit(day)))
        .join(ids.withColumnRenamed("account_id", "src"), "src")
        .join(ids.withColumnRenamed("account_id", "dst"), "dst")
        .select("src", "dst", "weight", "contributions").persist();
    try {
      long edgeCount = edges.count();
      Dataset<Row> degree = edges.select(col("src").as("a")).union(edges.select(col("dst").as("a")))
          .groupBy("a").agg(count(lit(1)).as("degree"));
      List<String> nodes = new ArrayList<>();
      for (Row r : degree.orderBy(col("degree").desc(), col("a")).limit(MAX_GRAPH_NODES).collectAsList()) {
        nodes.add(r.getString(0));
      }
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < nodes.size(); i++) {
        index.put(nodes.get(i), i);
      }
      List<LinkGraph.Edge> drawn = new ArrayList<>();
      for (Row r : edges.where(col("src").isin(nodes.toArray()).and(col("dst").isin(nodes.toArray())))
          .orderBy("src", "dst").collectAsList()) {
        Map<String, Double> contributions = r.getJavaMap(3);
        String kind = contributions.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("?");
        drawn.add(new LinkGraph.Edge(index.get(r.getString(0)), index.get(r.getString(1)), r.getDouble(2), kind));
      }
      return new LinkGraph(campaignId, nodes.stream().map(pseudonyms::of).toList(), drawn, members, edgeCount);
    } finally {
      edges.unpersist();
    }
  }

  /** The newest run of each study in gold.attribution. */
  private static List<AttributionRow> attribution(Lake lake) {
    Dataset<Row> rows = lake.read(Tables.GOLD_ATTRIBUTION);
    Dataset<Row> newest = rows.withColumn("newest", max("run_at").over(Window.partitionBy("study")))
        .where(col("run_at").equalTo(col("newest")));
    List<AttributionRow> out = new ArrayList<>();
    for (Row r : newest.orderBy("study", "length_mode", "suspect", "method").collectAsList()) {
      out.add(new AttributionRow(r.getAs("study"), r.getAs("length_mode"), r.getAs("provider"), r.getAs("suspect"),
          r.getAs("method"), r.getAs("baseline"), r.getAs("statistic"), r.getAs("ci_low"), r.getAs("ci_high"),
          r.getAs("p_value"), r.getAs("p_holm"), r.getAs("attributed"), r.getAs("nearest"), r.getAs("alpha"),
          r.getAs("prompts"), r.getAs("permutations")));
    }
    return out;
  }

  /** The newest discover run that ends on or before the night: what the nights missed or found late. */
  private static List<Discovery> discoveries(Lake lake, LocalDate night) {
    if (!lake.exists(DiscoverJob.DISCOVERIES)) {
      return List.of();
    }
    Dataset<Row> runs = lake.read(DiscoverJob.DISCOVERIES).where(col("run_to").leq(lit(Date.valueOf(night))));
    Row newest = runs.agg(max("run_to")).first();
    if (newest.isNullAt(0)) {
      return List.of();
    }
    List<Discovery> out = new ArrayList<>();
    for (Row r : runs.where(col("run_to").equalTo(lit(newest.getDate(0))))
        .withColumn("newest_from", max("run_from").over(Window.partitionBy("run_to")))
        .where(col("run_from").equalTo(col("newest_from")))
        .orderBy(col("accounts").desc(), col("campaign_id")).limit(TABLE_CAMPAIGNS).collectAsList()) {
      out.add(new Discovery(r.getAs("campaign_id"), r.getAs("status"), ((Date) r.getAs("first_flagged")).toLocalDate(),
          r.isNullAt(r.fieldIndex("nightly_first_flagged")) ? null : ((Date) r.getAs("nightly_first_flagged")).toLocalDate(),
          r.getAs("days_earlier"), r.getAs("accounts")));
    }
    return out;
  }
}
