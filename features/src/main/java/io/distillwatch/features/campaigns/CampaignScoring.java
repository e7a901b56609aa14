package io.distillwatch.features.campaigns;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static io.distillwatch.features.linkage.AccountLinks.exactSum;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.date_trunc;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.format_number;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log1p;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

/**
 * Cluster features and the campaign score. The score is 0.75 x the cluster's evidence score (its
 * signals weighed by how rare each is among the night's accounts and clusters,
 * {@link EvidenceWeights}) + 0.25 x its isolation-forest anomaly score among the night's clusters;
 * where analysts' verdicts train a classifier ({@link CampaignClassifier}), that score counts 0.7
 * and the classifier's probability 0.3. A cluster is flagged as a campaign at
 * {@code score >= threshold}. The transparent rules ({@link #RULES}) are kept as named columns that
 * describe the cluster in an analyst's words; they no longer add up to the score (a count of rules
 * weighs a weak, common condition as much as a rare one).
 */
public final class CampaignScoring {
  private CampaignScoring() {}

  /** The evidence score's share of the unsupervised score (the anomaly score has the rest). */
  public static final double EVIDENCE_WEIGHT = 0.75;
  /** The classifier's share of the score, where there is one ({@link CampaignClassifier}). */
  public static final double SUPERVISED_WEIGHT = 0.3;
  public static final double DEFAULT_THRESHOLD = 0.5;

  /** Trees of the night's isolation forest: the paper's default (Liu, Ting and Zhou 2008: path lengths converge by 100). */
  public static final int ANOMALY_TREES = 100;
  /** Sub-sample per tree: the paper's default, 256 (smaller nights use every cluster). */
  public static final int ANOMALY_SAMPLE = 256;
  /** A fixed seed, so a re-run of a night fits the same forest and gives the same scores. */
  public static final long ANOMALY_SEED = 7L;

  /** The alert levels of gold.alerts: a flagged campaign escalates when its score rises by this since its last night ... */
  public static final double ESCALATION_SCORE_RISE = 0.1;
  /** ... or its size grows by this factor (half again). */
  public static final double ESCALATION_SIZE_FACTOR = 1.5;

  /**
   * A named rule: a condition on the cluster features, what it means, and its group: coordination
   * (the accounts are one operator's) or harvesting (the traffic is built to harvest outputs).
   */
  public record Rule(String name, String group, String condition, String meaning) {}

  public static final List<Rule> RULES = List.of(
      new Rule("young_accounts", "coordination", "median_age_days <= 45", "most accounts are new"),
      new Rule("signup_burst", "coordination", "cluster_size >= 5 AND signup_spread_days <= 3", "the accounts signed up within days of each other"),
      new Rule("shared_payment", "coordination", "payment_sharing >= 0.25", "accounts of different organisations share payment methods"),
      new Rule("shared_infrastructure", "coordination", "orgs_per_account >= 0.8 AND prefixes_per_account <= 1.0",
          "accounts of different organisations come from the same few networks"),
      new Rule("low_and_wide", "coordination", "cluster_size >= 10 AND requests_per_account_day <= 40", "many accounts, each below per-account volume limits"),
      new Rule("template_concentration", "harvesting", "template_concentration >= 0.5", "traffic concentrated on a few prompt templates"),
      new Rule("private_templates", "harvesting", "private_template_share >= 0.1",
          "a tenth or more of the traffic uses templates no account outside the night's candidate clusters uses"),
      new Rule("distillation_capabilities", "harvesting", "greatest(distill_capability_share, private_distill_share) >= 0.6",
          "traffic (or its private-template part) concentrated on coding, tools, reasoning and grading"),
      new Rule("chain_of_thought", "harvesting", "greatest(cot_share, private_cot_share) >= 0.25",
          "prompts (or the private-template part) elicit chain-of-thought"),
      new Rule("synchronised", "harvesting", "sync_score >= 0.3", "accounts hit the same templates in the same hours"),
      new Rule("new_model_pivot", "harvesting", "new_model_share >= 0.15", "traffic moved to a newly released model"));

  /** Features the anomaly score is computed on (all numeric, comparable across nights). */
  public static final List<String> ANOMALY_FEATURES = List.of("log_size", "log_requests", "requests_per_account_day",
      "cot_share", "distill_capability_share", "new_model_share", "template_concentration", "sync_score",
      "private_template_share", "private_cot_share", "private_distill_share",
      "log_median_age", "signup_spread_days", "payment_sharing", "orgs_per_account", "prefixes_per_account",
      "verified_share");

  /**
   * One row per cluster.
   *
   * @param members account_id, cluster_key, cluster_size
   * @param activity {@link AccountActivity#window} rows
   * @param registry account_id, org_id, created_at, payment_fingerprint, verified
   * @param requests account_id, ts, template_id of the window (the clusters' accounts suffice)
   * @param templates template_id, capability, cot, window_accounts (how many accounts used the
   *     template in the window, all accounts counted)
   * @param prefixes account_id, key (the /24 networks the account used)
   * @param edges link edges (src, dst, contributions)
   */
  /** A cluster's drift summary needs at least this many members with a drift score. */
  public static final int MIN_DRIFT_MEMBERS = 3;

  /**
   * {@code features} plus each cluster's query-drift summary: {@code drift_scored} (members with a
   * row in {@code accountDrift}: account_id, p_value) and {@code drift_median_p} (their median
   * p-value; null under {@link #MIN_DRIFT_MEMBERS} scored members).
   */
  public static Dataset<Row> withDrift(Dataset<Row> features, Dataset<Row> members, Dataset<Row> accountDrift) {
    Dataset<Row> perCluster = members.select("account_id", "cluster_key")
        .join(accountDrift.select("account_id", "p_value"), "account_id")
        .groupBy("cluster_key")
        .agg(count(lit(1)).as("drift_scored"), expr("percentile(p_value, 0.5)").as("_median_p"))
        .withColumn("drift_median_p", when(col("drift_scored").geq(MIN_DRIFT_MEMBERS), col("_median_p")))
        .drop("_median_p");
    return features.drop("drift_scored", "drift_median_p").join(perCluster, new String[] {"cluster_key"}, "left")
        .withColumn("drift_scored", coalesce(col("drift_scored"), lit(0L)));
  }

  /** Null drift columns where the night has no drift scores (the stage was left out). */
  static Dataset<Row> withDriftColumns(Dataset<Row> clusters) {
    java.util.Set<String> cols = java.util.Set.of(clusters.columns());
    Dataset<Row> out = clusters;
    if (!cols.contains("drift_median_p")) {
      out = out.withColumn("drift_median_p", lit(null).cast("double"));
    }
    if (!cols.contains("drift_scored")) {
      out = out.withColumn("drift_scored", lit(0L));
    }
    return out;
  }

  public static Dataset<Row> features(LocalDate date, Dataset<Row> members, Dataset<Row> activity, Dataset<Row> registry,
                                      Dataset<Row> requests, Dataset<Row> templates, Dataset<Row> prefixes,
                                      Dataset<Row> edges) {
    Column day = lit(Date.valueOf(date));
    List<Column> distill = new ArrayList<>();
    for (String c : AccountActivity.DISTILL_CAPABILITIES) {
      distill.add(col("cap_" + c + "_share"));
    }
    Column distillShare = distill.stream().reduce(Column::plus).orElseThrow();
    Dataset<Row> acc = members.join(activity.drop("org_id"), "account_id")
        .join(registry.select("account_id", "org_id", "created_at", "payment_fingerprint", "verified"), new String[] {"account_id"}, "left")
        .withColumn("age_days", datediff(day, col("created_at")))
        .withColumn("created_day", col("created_at").cast("double").divide(86_400));
    Dataset<Row> base = acc.groupBy("cluster_key").agg(
        expr("first(cluster_size)").as("cluster_size"),
        sum("requests").as("requests"),
        sum("active_days").as("account_days"),
        exactSum(col("cot_share").multiply(col("requests"))).as("_cot"),
        exactSum(distillShare.multiply(col("requests"))).as("_distill"),
        exactSum(col("new_model_share").multiply(col("requests"))).as("_new_model"),
        expr("percentile_approx(age_days, 0.5)").as("median_age_days"),
        expr("percentile_approx(created_day, 0.9) - percentile_approx(created_day, 0.1)").as("signup_spread_days"),
        countDistinct("payment_fingerprint").as("_payments"),
        count(col("payment_fingerprint")).as("_with_payment"),
        countDistinct("org_id").as("_orgs"),
        expr("avg(cast(coalesce(verified, false) as double))").as("verified_share"),
        expr("min(created_at)").as("first_signup"));

    // template concentration (top-5 templates' share) and synchronisation (share of requests in a
    // (template, hour) bin that two or more of the cluster's accounts were active in)
    Dataset<Row> req = requests.join(members.select("account_id", "cluster_key"), "account_id");
    Dataset<Row> perTemplate = req.groupBy("cluster_key", "template_id").agg(count(lit(1)).as("n"))
        .withColumn("_rank", row_number().over(Window.partitionBy("cluster_key").orderBy(col("n").desc(), col("template_id"))));
    Dataset<Row> concentration = perTemplate.groupBy("cluster_key").agg(
        sum(when(col("_rank").leq(5), col("n")).otherwise(0)).divide(sum("n")).as("template_concentration"),
        expr("slice(array_sort(collect_list(case when _rank <= 3 then named_struct('r', _rank, 't', template_id, 'n', n) end)), 1, 3)")
            .as("top_templates"));
    Dataset<Row> privateTraffic = privateTraffic(req, templates);
    Dataset<Row> sync = req.withColumn("hour", date_trunc("hour", col("ts")))
        .groupBy("cluster_key", "template_id", "hour").agg(count(lit(1)).as("n"), countDistinct("account_id").as("a"))
        .groupBy("cluster_key").agg(sum(when(col("a").geq(2), col("n")).otherwise(0)).divide(sum("n")).as("sync_score"));
    Dataset<Row> nets = prefixes.join(members.select("account_id", "cluster_key"), "account_id")
        .groupBy("cluster_key").agg(countDistinct("key").as("_prefixes"));
    Dataset<Row> kinds = internalEdges(members, edges).groupBy("cluster_key")
        .agg(expr("map_from_entries(collect_list(struct(kind, edges)))").as("edge_kinds"));

    Dataset<Row> clusters = base.join(concentration, new String[] {"cluster_key"}, "left")
        .join(sync, new String[] {"cluster_key"}, "left")
        .join(privateTraffic, new String[] {"cluster_key"}, "left")
        .join(nets, new String[] {"cluster_key"}, "left")
        .join(kinds, new String[] {"cluster_key"}, "left")
        .withColumn("requests_per_account_day", col("requests").divide(col("account_days")))
        .withColumn("cot_share", col("_cot").divide(col("requests")))
        .withColumn("distill_capability_share", col("_distill").divide(col("requests")))
        .withColumn("private_template_share", coalesce(col("private_template_share"), lit(0.0)))
        .withColumn("private_cot_share", when(col("_p_n").gt(0), col("_p_cot").divide(col("_p_n"))).otherwise(0.0))
        .withColumn("private_distill_share", when(col("_p_n").gt(0), col("_p_distill").divide(col("_p_n"))).otherwise(0.0))
        .withColumn("new_model_share", col("_new_model").divide(col("requests")))
        .withColumn("payment_sharing", when(col("_with_payment").gt(0),
            lit(1.0).minus(col("_payments").divide(col("_with_payment")))).otherwise(0.0))
        .withColumn("orgs_per_account", col("_orgs").divide(col("cluster_size")))
        .withColumn("prefixes_per_account", coalesce(col("_prefixes"), lit(0L)).divide(col("cluster_size")))
        .withColumn("template_concentration", coalesce(col("template_concentration"), lit(0.0)))
        .withColumn("sync_score", coalesce(col("sync_score"), lit(0.0)))
        .withColumn("signup_spread_days", coalesce(col("signup_spread_days"), lit(9999.0)))
        .withColumn("median_age_days", coalesce(col("median_age_days"), lit(9999)));
    return withDerivedFeatures(clusters)
        .drop("_p_cot", "_p_distill", "_p_n", "_cot", "_distill", "_new_model", "_payments", "_with_payment", "_orgs", "_prefixes");
  }

  /**
   * Per cluster, its traffic on <em>private</em> templates: used in the window by two or more of the
   * cluster's accounts and by no account outside the night's candidate clusters. A proxy that mixes
   * harvesting into its customers' traffic shows it here: the customers' prompts are shared with the
   * world, the harvesting templates only within the operator's accounts. Other candidate clusters
   * count as insiders because one operator's accounts often come out as several clusters (one per
   * card): a template its pieces share is still nobody else's, and counting the other pieces as
   * outsiders would hide it in every piece.
   *
   * @param req account_id, cluster_key, template_id: the window's requests of the candidate clusters' accounts
   * @param templates template_id, capability, cot, window_accounts
   * @return cluster_key, private_template_share, _p_cot, _p_distill, _p_n (private requests in all,
   *     of them chain-of-thought and on distillation capabilities)
   */
  static Dataset<Row> privateTraffic(Dataset<Row> req, Dataset<Row> templates) {
    Column distillTemplate = col("capability").isin(AccountActivity.DISTILL_CAPABILITIES.toArray());
    // an account is in one cluster only, so a template's users across the candidate clusters are the
    // sum of its users per cluster: no second pass over the requests
    return req.groupBy("cluster_key", "template_id")
        .agg(count(lit(1)).as("n"), countDistinct("account_id").as("cluster_accounts"))
        .withColumn("candidate_accounts", sum("cluster_accounts").over(Window.partitionBy("template_id")))
        .join(templates, new String[] {"template_id"}, "left")
        .withColumn("private", col("cluster_accounts").geq(2)
            .and(col("candidate_accounts").geq(coalesce(col("window_accounts"), lit(0L)))))
        .groupBy("cluster_key").agg(
            sum(when(col("private"), col("n")).otherwise(0)).divide(sum("n")).as("private_template_share"),
            sum(when(col("private").and(coalesce(col("cot"), lit(false))), col("n")).otherwise(0)).as("_p_cot"),
            sum(when(col("private").and(distillTemplate), col("n")).otherwise(0)).as("_p_distill"),
            sum(when(col("private"), col("n")).otherwise(0)).as("_p_n"));
  }

  /**
   * The anomaly features that are not stored in the campaigns table, from those that are:
   * log_size, log_requests, log_median_age (so stored nights can train the classifier).
   */
  public static Dataset<Row> withDerivedFeatures(Dataset<Row> clusters) {
    return clusters.withColumn("log_size", log1p(col("cluster_size")))
        .withColumn("log_requests", log1p(col("requests")))
        .withColumn("log_median_age", log1p(org.apache.spark.sql.functions.greatest(col("median_age_days"), lit(0))));
  }

  /** Edges with both ends in one cluster, counted per kind of evidence. */
  public static Dataset<Row> internalEdges(Dataset<Row> members, Dataset<Row> edges) {
    Dataset<Row> m = members.select("account_id", "cluster_key");
    return edges.join(m.withColumnRenamed("account_id", "src"), "src")
        .join(m.select(col("account_id").as("dst"), col("cluster_key").as("dst_cluster")), "dst")
        .where(col("cluster_key").equalTo(col("dst_cluster")))
        .select(col("cluster_key"), explode(col("contributions")).as(new String[] {"kind", "contribution"}))
        .groupBy("cluster_key", "kind").agg(count(lit(1)).as("edges"));
  }

  /**
   * Adds rule columns ({@code rule_<name>}), {@code rules_met}, {@code rule_score} (the share of
   * rules met, descriptive), the weighed evidence of {@link EvidenceWeights#weigh}, {@code anomaly},
   * {@code supervised} (the classifier's probability, null without one), {@code score},
   * {@code flagged} and a readable {@code evidence} line.
   *
   * @param references the night's reference populations ({@link EvidenceWeights#references})
   * @param classifier trained on analysts' verdicts, or null where there is no labelled history
   */
  public static Dataset<Row> score(Dataset<Row> features, EvidenceWeights.References references, IsolationForest forest,
                                   CampaignClassifier classifier, double threshold) {
    Dataset<Row> scored = EvidenceWeights.weigh(features, references);
    List<Column> met = new ArrayList<>();
    for (Rule r : RULES) {
      scored = scored.withColumn("rule_" + r.name(), coalesce(expr(r.condition()), lit(false)));
      met.add(when(col("rule_" + r.name()), lit(r.name())));
    }
    Column points = RULES.stream().map(r -> col("rule_" + r.name()).cast("double")).reduce(Column::plus).orElseThrow();
    UserDefinedFunction anomaly = udf((UDF1<scala.collection.Seq<Object>, Double>) v -> forest.score(doubles(v)),
        DataTypes.DoubleType);
    scored = scored
        .withColumn("rules_met", concat_ws(",", met.toArray(Column[]::new)))
        .withColumn("rule_score", points.divide(RULES.size()))
        .withColumn("anomaly", anomaly.apply(vector()));
    Column unsupervised = col("evidence_score").multiply(EVIDENCE_WEIGHT).plus(col("anomaly").multiply(1 - EVIDENCE_WEIGHT));
    Column classified = lit("");
    if (classifier == null) {
      scored = scored.withColumn("supervised", lit(null).cast("double"))
          .withColumn("score", unsupervised);
    } else {
      scored = classifier.score(scored)
          .withColumn("score", unsupervised.multiply(1 - SUPERVISED_WEIGHT).plus(col("supervised").multiply(SUPERVISED_WEIGHT)));
      classified = concat_ws("", lit("; classifier "), format_number(col("supervised"), 2),
          lit(String.format(" (trained on %d campaign and %d benign verdicts)", classifier.campaignVerdicts(),
              classifier.benignVerdicts())));
    }
    return scored
        .withColumn("flagged", col("score").geq(threshold))
        .withColumn("evidence", concat_ws("", evidence(), classified));
  }

  /** The anomaly features as an array column, nulls as 0. */
  public static Column vector() {
    return array(ANOMALY_FEATURES.stream().map(c -> coalesce(col(c).cast("double"), lit(0.0))).toArray(Column[]::new));
  }

  static double[] doubles(scala.collection.Seq<Object> s) {
    double[] out = new double[s.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) s.apply(i)).doubleValue();
    }
    return out;
  }

  private static Column evidence() {
    return concat_ws("; ",
        expr("format_string('%d accounts, %d requests (%.1f per account-day)', cluster_size, requests, requests_per_account_day)"),
        expr("format_string('evidence weight %.2f (evidence score %.2f), carried by: %s', evidence_weight, evidence_score, "
            + "evidence_carried_by)"),
        expr("concat('rules met: ', if(rules_met = '', 'none', rules_met))"),
        expr("format_string('median account age %d d, sign-ups spread over %.1f d, payment sharing %.2f, %d /24 networks', "
            + "cast(median_age_days as int), signup_spread_days, payment_sharing, cast(prefixes_per_account * cluster_size as int))"),
        expr("format_string('templates: top-5 share %.2f, private %.2f, synchronised %.2f, chain-of-thought %.2f (private %.2f), "
            + "distillation capabilities %.2f (private %.2f), new model %.2f', template_concentration, private_template_share, "
            + "sync_score, cot_share, private_cot_share, distill_capability_share, private_distill_share, new_model_share)"),
        expr("concat('link edges: ', coalesce(array_join(transform(sort_array(map_entries(edge_kinds)), e -> concat(e.key, ' ', e.value)), ', '), 'none'))"),
        expr("concat('top templates: ', coalesce(array_join(transform(top_templates, t -> concat('#', t.t, ' (', t.n, ' requests)')), ', '), 'none'))"),
        concat_ws("", lit("anomaly "), format_number(col("anomaly"), 2)));
  }
}
