package io.distillwatch.features.campaigns;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log10;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

/**
 * Evidence weighed by how rare it is tonight, not rules counted. Each {@link Signal} is a cluster
 * feature oriented so that a larger value is more suspicious. Its <em>rarity</em> is the share of a
 * reference population of the same night at least as extreme (with one pseudo-observation, so it
 * is never 0): the night's <em>background accounts</em> (active in the window, in no candidate
 * cluster: the traffic no identity evidence ties to anyone) for signals an account has on its own,
 * and the night's other candidate clusters for signals only a group has. A signal's weight is
 * {@code log10(1 / rarity) - 1}: nothing at or below the reference's 90th percentile (common values
 * carry no weight however many of them there are), 1 at one in a hundred, 2 at one in a thousand,
 * capped at {@link #SIGNAL_CAP}. A value under the signal's materiality floor weighs nothing
 * whatever its rank (a tenth of traffic, a year of age: orders of magnitude, not fitted to any data).
 *
 * <p>The weights add up, with the coordination group capped at {@link #COORDINATION_CAP} and at the
 * harvesting group's own weight: coordination corroborates unusual traffic, it never carries a
 * cluster. A group that is only coordinated (a family on one card, a course that signed up together)
 * weighs nothing until its traffic is unusual too, and then at most twice what its traffic weighs.
 * The evidence score is {@code E / (E + HALF_EVIDENCE)}: 0.5 at two units of weight (one signal as
 * rare as one in a thousand, or two as rare as one in a hundred each). The rarities and weights of
 * every signal are kept with the cluster, so the evidence line can say which signals carried the
 * score and how rare each was.
 */
public final class EvidenceWeights {
  private EvidenceWeights() {}

  /**
   * What a signal's value is ranked against: the background accounts, the other clusters, or nothing
   * (CALIBRATED: the value is already 1 - a p-value calibrated against benign traffic by its own test,
   * so the rarity is that p-value).
   */
  public enum Reference { ACCOUNTS, CLUSTERS, CALIBRATED }

  /**
   * @param clusterValue SQL over a cluster's features, in [0, 1], larger = more suspicious
   * @param accountValue SQL over a background account's row (ACCOUNTS signals only), the same quantity
   * @param floor the smallest value that can weigh anything
   * @param shown SQL that shows the value to an analyst (in the evidence line)
   */
  public record Signal(String name, String group, Reference reference, String clusterValue, String accountValue,
                       double floor, String shown, String meaning) implements Serializable {}

  public static final String COORDINATION = "coordination";
  public static final String HARVESTING = "harvesting";

  /** An account's share on the distillation capabilities, from its {@link AccountActivity#window} columns. */
  private static final String ACCOUNT_DISTILL_SHARE = "(" + String.join(" + ",
      AccountActivity.DISTILL_CAPABILITIES.stream().map(c -> "coalesce(cap_" + c + "_share, 0)").toList()) + ")";
  /** A cluster's chain-of-thought or distillation-shaped requests per account-day on its private templates. */
  private static final String PRIVATE_HARVEST_PER_ACCOUNT = "coalesce(requests_per_account_day, 0) * coalesce(private_template_share, 0)"
      + " * greatest(coalesce(private_cot_share, 0), coalesce(private_distill_share, 0))";
  /**
   * The same for all its accounts together: what the cluster harvests a day if it is one operator. A
   * campaign spreads its volume so that no account of it stands out ("per-account volume thresholds
   * cannot see it; detection must work across accounts", docs/design.md), so the operator's total is
   * what is ranked against single accounts' own such volume.
   */
  private static final String CLUSTER_PRIVATE_HARVEST = "(" + PRIVATE_HARVEST_PER_ACCOUNT + ") * coalesce(cluster_size, 0)";
  /**
   * Requests a day x map to x / (x + PER_DAY_SCALE) in [0, 1), an order-preserving map (rarity is a rank)
   * that keeps the histogram's 1/1000 steps under a tenth of a request a day near zero.
   */
  static final double PER_DAY_SCALE = 30.0;
  /** The disclosed campaign's rate: 28.8M exchanges over ~25,000 accounts in 45 days (docs/design.md). */
  static final double DISCLOSED_REQUESTS_PER_ACCOUNT_DAY = 26.0;
  /**
   * A cluster harvesting fewer requests a day than this on its private templates has no harvest,
   * however rare: three accounts (the smallest campaign candidate, {@code campaigns --min-size}) at
   * the disclosed campaigns' 26 exchanges per account-day (docs/design.md). A published rate, not one
   * fitted to any data: a course's shared assignments (1-2 a day per student) stay under it.
   */
  public static final double HARVEST_FLOOR_PER_DAY = 3 * DISCLOSED_REQUESTS_PER_ACCOUNT_DAY;

  private static String perDayScale(String perDay) {
    return "((" + perDay + ") / ((" + perDay + ") + " + PER_DAY_SCALE + "))";
  }

  public static final List<Signal> SIGNALS = List.of(
      new Signal("chain_of_thought", HARVESTING, Reference.ACCOUNTS, "coalesce(cot_share, 0)", "cot_share", 0.1,
          "format_string('%.2f', coalesce(cot_share, 0))", "share of prompts eliciting chain-of-thought"),
      new Signal("distillation_capabilities", HARVESTING, Reference.ACCOUNTS, "coalesce(distill_capability_share, 0)",
          ACCOUNT_DISTILL_SHARE, 0.1, "format_string('%.2f', coalesce(distill_capability_share, 0))",
          "share on coding, tools, reasoning and grading"),
      // the private-template part is weighed by its volume, not by its share: a share over the part of a
      // cluster's traffic picked out because nobody else sent it is not comparable with whole accounts'
      // shares (a course's shared assignments are all of its private part); a harvest is many answers,
      // and an operator's are its accounts' together
      new Signal("private_harvest", HARVESTING, Reference.ACCOUNTS, perDayScale(CLUSTER_PRIVATE_HARVEST),
          perDayScale("coalesce(requests / active_days, 0)"
              + " * greatest(coalesce(cot_share, 0), " + ACCOUNT_DISTILL_SHARE + ")"),
          HARVEST_FLOOR_PER_DAY / (HARVEST_FLOOR_PER_DAY + PER_DAY_SCALE),
          "format_string('%.0f a day (%.1f per account)', " + CLUSTER_PRIVATE_HARVEST + ", " + PRIVATE_HARVEST_PER_ACCOUNT + ")",
          "chain-of-thought or distillation-shaped requests a day, all its accounts together, on templates nobody outside"
              + " the candidate clusters sent, against single accounts' own such requests per day"),
      new Signal("new_model_pivot", HARVESTING, Reference.ACCOUNTS, "coalesce(new_model_share, 0)",
          "coalesce(new_model_share, 0)", 0.1, "format_string('%.2f', coalesce(new_model_share, 0))",
          "share on a model released in the last two days"),
      new Signal("young_accounts", COORDINATION, Reference.ACCOUNTS,
          "1 / (1 + greatest(coalesce(median_age_days, 9999), 0))", "1 / (1 + greatest(coalesce(age_days, 9999), 0))",
          1.0 / 366, "format_string('median age %d d', cast(median_age_days as int))", "accounts created recently"),
      new Signal("template_concentration", HARVESTING, Reference.CLUSTERS, "coalesce(template_concentration, 0)", null, 0.1,
          "format_string('%.2f', template_concentration)", "top-5 templates' share of the requests"),
      new Signal("private_templates", HARVESTING, Reference.CLUSTERS, "coalesce(private_template_share, 0)", null, 0.1,
          "format_string('%.2f', private_template_share)", "share on templates nobody outside the candidate clusters uses"),
      new Signal("synchronised", HARVESTING, Reference.CLUSTERS, "coalesce(sync_score, 0)", null, 0.1,
          "format_string('%.2f', sync_score)", "share of requests in (template, hour) bins two members shared"),
      new Signal("shared_payment", COORDINATION, Reference.CLUSTERS, "coalesce(payment_sharing, 0)", null, 0.1,
          "format_string('%.2f', payment_sharing)", "1 - payment methods per account"),
      new Signal("signup_burst", COORDINATION, Reference.CLUSTERS,
          "if(cluster_size >= 5, 1 / (1 + greatest(coalesce(signup_spread_days, 9999), 0)), 0)", null, 1.0 / 31,
          "format_string('%.1f d', signup_spread_days)", "sign-ups of five or more accounts close together"),
      new Signal("shared_infrastructure", COORDINATION, Reference.CLUSTERS,
          "coalesce(orgs_per_account, 0) * greatest(0, 1 - coalesce(prefixes_per_account, 1))", null, 0.1,
          "format_string('%.2f orgs, %.2f /24s per account', orgs_per_account, prefixes_per_account)",
          "many organisations behind few networks"),
      new Signal("many_organisations", COORDINATION, Reference.CLUSTERS,
          "1 - 1 / greatest(1, round(coalesce(orgs_per_account, 0) * cluster_size))", null, 1 - 1.0 / 3,
          "format_string('%d orgs', cast(round(orgs_per_account * cluster_size) as int))",
          "linked accounts spanning many organisations"),
      // the median member's p-value of the query-drift test (gold.account_drift): half the members drift at
      // least this much; as a rarity it is conservative (the median of m benign p-values is near 0.5)
      new Signal("query_drift", HARVESTING, Reference.CALIBRATED, "1 - coalesce(drift_median_p, 1)", null, 0.9,
          "format_string('median p %.4f over %d members', drift_median_p, drift_scored)",
          "members' prompts unlike benign traffic (MMD test over embeddings)"));

  /** Resolution of the reference histograms: values are binned in steps of 1/BINS. */
  public static final int BINS = 1000;
  /** Weight starts above the reference's 90th percentile: log10(1/rarity) - COMMON_LOG10. */
  public static final double COMMON_LOG10 = 1.0;
  /** One signal weighs at most this (one in 10,000: beyond that, no night's population resolves it). */
  public static final double SIGNAL_CAP = 3.0;
  /** Coordination signals together weigh at most this, and never more than the harvesting signals do. */
  public static final double COORDINATION_CAP = 1.5;
  /** The total weight at which the evidence score is 0.5. */
  public static final double HALF_EVIDENCE = 2.0;
  /** A calibrated p-value below this is read as this (the drift test's nulls resolve no finer). */
  public static final double MIN_CALIBRATED_RARITY = 1e-6;
  /** With fewer background accounts than this, every active account is the account reference. */
  public static final int MIN_BACKGROUND = 100;

  /**
   * Per signal, how many reference units sit in each value bin or above (tail counts), and how
   * many units there are. Small (signals x BINS longs), built once a night on the executors.
   */
  public record References(Map<String, long[]> tails, Map<String, Long> sizes, String accountReference)
      implements Serializable {

    /** Rarity of {@code value} for a signal: (1 + units at least as extreme, itself excluded) / (1 + units). */
    public double rarity(Signal s, double value) {
      if (s.reference() == Reference.CALIBRATED) {
        return Math.max(MIN_CALIBRATED_RARITY, 1 - value);
      }
      long[] tail = tails.get(s.name());
      long n = sizes.get(s.name());
      long self = s.reference() == Reference.CLUSTERS ? 1 : 0;
      long atLeast = Math.max(0, tail[bin(value)] - self);
      long units = Math.max(0, n - self);
      return (1.0 + atLeast) / (1.0 + units);
    }
  }

  static int bin(double v) {
    if (Double.isNaN(v)) {
      return 0;
    }
    return (int) Math.max(0, Math.min(BINS, Math.floor(v * BINS)));
  }

  /**
   * The night's references.
   *
   * @param clusters candidate clusters with the features of {@link CampaignScoring#features}
   * @param accounts one row per account active in the window with its {@link AccountActivity#window}
   *     columns, {@code age_days} and {@code in_cluster} (member of a candidate cluster)
   */
  public static References references(Dataset<Row> clusters, Dataset<Row> accounts) {
    // one pass over the accounts, counted apart by in_cluster: the background is the "false" half,
    // unless it is too small to resolve anything, then both halves together
    Map<Boolean, Histograms> byMembership = histograms(accounts, Reference.ACCOUNTS, col("in_cluster"));
    Histograms background = byMembership.getOrDefault(false, Histograms.empty(Reference.ACCOUNTS));
    String accountReference = "background accounts (in no candidate cluster)";
    if (background.units() < MIN_BACKGROUND) {
      background = background.plus(byMembership.getOrDefault(true, Histograms.empty(Reference.ACCOUNTS)));
      accountReference = "all active accounts (fewer than " + MIN_BACKGROUND + " in no cluster)";
    }
    Histograms groups = histograms(clusters, Reference.CLUSTERS, lit(true))
        .getOrDefault(true, Histograms.empty(Reference.CLUSTERS));
    Map<String, long[]> tails = new HashMap<>();
    Map<String, Long> sizes = new HashMap<>();
    for (Histograms h : List.of(background, groups)) {
      h.counts().forEach((name, perBin) -> {
        long[] tail = perBin.clone();
        for (int b = BINS - 1; b >= 0; b--) { // counts per bin -> counts at that bin or above
          tail[b] += tail[b + 1];
        }
        tails.put(name, tail);
        sizes.put(name, tail[0]);
      });
    }
    return new References(tails, sizes, accountReference);
  }

  /** Per signal, the reference units in each value bin. */
  private record Histograms(Map<String, long[]> counts) {
    static Histograms empty(Reference reference) {
      Map<String, long[]> m = new HashMap<>();
      SIGNALS.stream().filter(s -> s.reference() == reference).forEach(s -> m.put(s.name(), new long[BINS + 1]));
      return new Histograms(m);
    }

    long units() {
      return counts.values().stream().findFirst().map(c -> java.util.Arrays.stream(c).sum()).orElse(0L);
    }

    Histograms plus(Histograms other) {
      Map<String, long[]> m = new HashMap<>();
      counts.forEach((name, c) -> {
        long[] sum = c.clone();
        long[] o = other.counts().get(name);
        for (int b = 0; b < sum.length; b++) {
          sum[b] += o[b];
        }
        m.put(name, sum);
      });
      return new Histograms(m);
    }
  }

  /** The bin counts of every signal of {@code reference} over {@code units}, per value of {@code split} (one Spark job). */
  private static Map<Boolean, Histograms> histograms(Dataset<Row> units, Reference reference, Column split) {
    List<Signal> signals = SIGNALS.stream().filter(s -> s.reference() == reference).toList();
    List<Column> pairs = new ArrayList<>();
    for (Signal s : signals) {
      String value = reference == Reference.ACCOUNTS ? s.accountValue() : s.clusterValue();
      pairs.add(struct(lit(s.name()).as("signal"),
          expr("cast(least(" + BINS + ", greatest(0, floor(coalesce(" + value + ", 0) * " + BINS + "))) as int)").as("bin")));
    }
    List<Row> counts = units.select(split.as("split"), explode(array(pairs.toArray(Column[]::new))).as("p"))
        .groupBy(col("split"), col("p.signal").as("signal"), col("p.bin").as("bin")).agg(count(lit(1)).as("n"))
        .collectAsList(); // at most 2 x signals x (BINS + 1) rows
    Map<Boolean, Histograms> out = new HashMap<>();
    for (Row r : counts) {
      Histograms h = out.computeIfAbsent(r.getBoolean(0), k -> Histograms.empty(reference));
      h.counts().get(r.getString(1))[r.getInt(2)] += r.getLong(3);
    }
    return out;
  }

  /**
   * Adds {@code signal_rarity} and {@code evidence_weights} (maps by signal), {@code evidence_weight}
   * (the total, coordination capped) and {@code evidence_score} in [0, 1).
   */
  public static Dataset<Row> weigh(Dataset<Row> clusters, References refs) {
    clusters = CampaignScoring.withDriftColumns(clusters);
    Column values = array(SIGNALS.stream().map(s -> expr(s.clusterValue()).cast("double")).toArray(Column[]::new));
    UserDefinedFunction rarities = udf((UDF1<scala.collection.Seq<Object>, double[]>) v -> {
      double[] out = new double[SIGNALS.size()];
      for (int i = 0; i < out.length; i++) {
        Object o = v.apply(i);
        out[i] = refs.rarity(SIGNALS.get(i), o == null ? 0.0 : ((Number) o).doubleValue());
      }
      return out;
    }, DataTypes.createArrayType(DataTypes.DoubleType));
    Dataset<Row> out = clusters.withColumn("_values", values).withColumn("_rarity", rarities.apply(col("_values")));
    List<Column> weights = new ArrayList<>();
    Column coordination = lit(0.0);
    Column harvesting = lit(0.0);
    for (int i = 0; i < SIGNALS.size(); i++) {
      Signal s = SIGNALS.get(i);
      Column w = when(coalesce(col("_values").getItem(i), lit(0.0)).lt(s.floor()), lit(0.0))
          .otherwise(least(lit(SIGNAL_CAP), greatest(lit(0.0),
              log10(lit(1.0).divide(col("_rarity").getItem(i))).minus(COMMON_LOG10))));
      weights.add(w);
      if (s.group().equals(COORDINATION)) {
        coordination = coordination.plus(w);
      } else {
        harvesting = harvesting.plus(w);
      }
    }
    Column names = array(SIGNALS.stream().map(s -> lit(s.name())).toArray(Column[]::new));
    // coordination corroborates: it adds no more than the traffic's own evidence (a course that signed up
    // together and sends a little chain-of-thought is not a campaign), and at most COORDINATION_CAP
    Column total = harvesting.plus(least(coordination, lit(COORDINATION_CAP), harvesting));
    return out
        .withColumn("signal_rarity", map_from_arrays(names, col("_rarity")))
        .withColumn("evidence_weights", map_from_arrays(names, array(weights.toArray(Column[]::new))))
        .withColumn("evidence_weight", total)
        .withColumn("evidence_score", col("evidence_weight").divide(col("evidence_weight").plus(HALF_EVIDENCE)))
        .withColumn("evidence_carried_by", carriedBy(refs))
        .drop("_values", "_rarity");
  }

  /**
   * "chain_of_thought 0.80 (1 in 601 background accounts, +1.78); ..." for the signals that weigh
   * something, heaviest first.
   */
  private static Column carriedBy(References refs) {
    List<Column> items = new ArrayList<>();
    for (int i = 0; i < SIGNALS.size(); i++) {
      Signal s = SIGNALS.get(i);
      String unit = switch (s.reference()) {
        case ACCOUNTS -> "accounts";
        case CLUSTERS -> "clusters";
        case CALIBRATED -> "benign accounts, calibrated";
      };
      items.add(struct(
          col("evidence_weights").getItem(s.name()).as("w"),
          format_string("%s %s (1 in %.0f %s, +%.2f)", lit(s.name()), expr(s.shown()),
              lit(1.0).divide(col("signal_rarity").getItem(s.name())), lit(unit),
              col("evidence_weights").getItem(s.name())).as("text")));
    }
    Column sorted = sort_array(
        filter(array(items.toArray(Column[]::new)), c -> c.getField("w").gt(0)), false);
    Column joined = array_join(
        transform(sorted, c -> c.getField("text")), "; ");
    return when(size(sorted).equalTo(0), lit("nothing rare"))
        .otherwise(joined);
  }
}
