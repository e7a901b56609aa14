package io.distillwatch.jobs.lake;

import io.distillwatch.features.linkage.AccountLinks;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * The tables of linkage and campaigns, in two namespaces with the same layout: {@code gold.*}
 * written by the nightly runs, and {@code discovery.*} written by {@code discover}, so a
 * retrospective run never overwrites what the nights decided (and can be compared with it).
 */
public record CampaignTables(TableSpec links, TableSpec hubs, TableSpec campaigns, TableSpec members,
                             TableSpec accountScores, TableSpec lineage, TableSpec alerts) {

  public List<TableSpec> all() {
    return List.of(links, hubs, campaigns, members, accountScores, lineage, alerts);
  }

  static final StructType CAMPAIGN = new StructType()
      .add("date", DataTypes.DateType, false)
      .add("campaign_id", DataTypes.StringType, false)
      .add("status", DataTypes.StringType, false)
      .add("flagged", DataTypes.BooleanType, false)
      .add("score", DataTypes.DoubleType, false)
      .add("rule_score", DataTypes.DoubleType, false)
      .add("evidence_score", DataTypes.DoubleType)
      .add("evidence_weight", DataTypes.DoubleType)
      .add("evidence_weights", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType))
      .add("signal_rarity", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType))
      .add("anomaly", DataTypes.DoubleType, false)
      .add("supervised", DataTypes.DoubleType)
      .add("rules_met", DataTypes.StringType, false)
      .add("evidence", DataTypes.StringType, false)
      .add("first_seen", DataTypes.DateType, false)
      .add("first_flagged", DataTypes.DateType)
      .add("cluster_size", DataTypes.LongType, false)
      .add("requests", DataTypes.LongType, false)
      .add("requests_per_account_day", DataTypes.DoubleType)
      .add("template_concentration", DataTypes.DoubleType)
      .add("distill_capability_share", DataTypes.DoubleType)
      .add("cot_share", DataTypes.DoubleType)
      .add("private_template_share", DataTypes.DoubleType)
      .add("private_cot_share", DataTypes.DoubleType)
      .add("private_distill_share", DataTypes.DoubleType)
      .add("sync_score", DataTypes.DoubleType)
      .add("median_age_days", DataTypes.DoubleType)
      .add("signup_spread_days", DataTypes.DoubleType)
      .add("payment_sharing", DataTypes.DoubleType)
      .add("orgs_per_account", DataTypes.DoubleType)
      .add("prefixes_per_account", DataTypes.DoubleType)
      .add("verified_share", DataTypes.DoubleType)
      .add("new_model_share", DataTypes.DoubleType)
      .add("drift_scored", DataTypes.LongType)
      .add("drift_median_p", DataTypes.DoubleType)
      .add("edge_kinds", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType))
      .add("top_templates", DataTypes.createArrayType(new StructType()
          .add("r", DataTypes.IntegerType).add("t", DataTypes.LongType).add("n", DataTypes.LongType)));

  public static final CampaignTables NIGHTLY = of("gold");
  public static final CampaignTables DISCOVERY = of("discovery");

  private static CampaignTables of(String ns) {
    StructType links = new StructType().add("date", DataTypes.DateType, false);
    for (var f : AccountLinks.EDGE.fields()) {
      links = links.add(f);
    }
    return new CampaignTables(
        new TableSpec(ns + ".account_links", links, List.of("date"), List.of("date", "src", "dst"),
            "link edges of the window ending at the date: pairs of accounts with their total weight, each kind's "
                + "contribution and how many attributes of each kind they share (only pairs at or above the link threshold)"),
        new TableSpec(ns + ".link_hubs", new StructType()
            .add("date", DataTypes.DateType, false)
            .add("kind", DataTypes.StringType, false)
            .add("dropped_attributes", DataTypes.LongType, false)
            .add("dropped_memberships", DataTypes.LongType, false)
            .add("largest", DataTypes.LongType, false),
            List.of(), List.of("date", "kind"),
            "the hub guard's report: per date and kind, attributes held by more accounts than the limit and dropped"),
        new TableSpec(ns + ".campaigns", CAMPAIGN, List.of("date"), List.of("date", "campaign_id"),
            "clusters of linked accounts per night with stable ids, features, rule flags, anomaly score, campaign "
                + "score, whether flagged, and a readable evidence line"),
        new TableSpec(ns + ".campaign_members", new StructType()
            .add("date", DataTypes.DateType, false)
            .add("campaign_id", DataTypes.StringType, false)
            .add("account_id", DataTypes.StringType, false)
            .add("flagged", DataTypes.BooleanType, false)
            .add("score", DataTypes.DoubleType, false),
            List.of("date"), List.of("date", "campaign_id", "account_id"),
            "which accounts each night's clusters hold"),
        new TableSpec(ns + ".account_scores", new StructType()
            .add("date", DataTypes.DateType, false)
            .add("account_id", DataTypes.StringType, false)
            .add("campaign_id", DataTypes.StringType, false)
            .add("score", DataTypes.DoubleType, false)
            .add("flagged", DataTypes.BooleanType, false)
            .add("links", DataTypes.LongType, false)
            .add("link_weight", DataTypes.DoubleType, false),
            List.of("date"), List.of("date", "account_id"),
            "per account in a cluster: its campaign's score, whether flagged, and its own link degree and weight"),
        new TableSpec(ns + ".campaign_lineage", new StructType()
            .add("date", DataTypes.DateType, false)
            .add("campaign_id", DataTypes.StringType, false)
            .add("related_id", DataTypes.StringType, false)
            .add("relation", DataTypes.StringType, false)
            .add("shared_accounts", DataTypes.LongType, false),
            List.of(), List.of("date", "campaign_id", "related_id"),
            "merges and splits: a campaign that took members of an earlier one (merged_from: the earlier one ended; "
                + "split_from: it goes on)"),
        new TableSpec(ns + ".alerts", new StructType()
            .add("date", DataTypes.DateType, false)
            .add("campaign_id", DataTypes.StringType, false)
            .add("alert", DataTypes.StringType, false)
            .add("score", DataTypes.DoubleType, false)
            .add("previous_score", DataTypes.DoubleType)
            .add("cluster_size", DataTypes.LongType, false)
            .add("previous_size", DataTypes.LongType)
            .add("evidence", DataTypes.StringType, false),
            List.of(), List.of("date", "campaign_id"),
            "new campaigns and escalations (score up by 0.1 or size up by half) with the evidence chain"));
  }
}
