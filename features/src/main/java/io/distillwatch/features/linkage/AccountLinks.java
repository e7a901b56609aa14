package io.distillwatch.features.linkage;

import io.distillwatch.features.spark.Materialized;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;


import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_trunc;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The account link graph of a window: which accounts share what. Pure transformations.
 *
 * <p>Every kind of evidence is first written as <em>memberships</em> (account, kind, key): the
 * account holds attribute {@code key} of that kind (a payment fingerprint, an IP, a template, a
 * template in an hour). Attributes held by more accounts than the kind's hub limit are dropped and
 * counted (the hub guard). The remaining attribute groups become pair edges; a group larger than
 * {@code starAbove} becomes a star (every member linked to the group's smallest account id), so the
 * cost is linear in the group size and the weights of the pairs it does emit stay exact. Pairs of
 * accounts of one organisation are not evidence (an organisation sharing a card and an office
 * network is how organisations work). A pair's weight is the sum over kinds of the kind's capped
 * contribution ({@link LinkKind}); a pair is an edge when its weight reaches the threshold and some
 * of it is identity evidence (registry or addresses), never on shared content and timing alone.
 * Cost: one shuffle per pass for the groups and one for the pairs; nothing is collected.
 */
public final class AccountLinks {
  private AccountLinks() {}

  /** (account_id, org_id, kind, key): the input of {@link #edges}. */
  public static final StructType MEMBERSHIP = new StructType()
      .add("account_id", DataTypes.StringType, false)
      .add("org_id", DataTypes.StringType)
      .add("kind", DataTypes.StringType, false)
      .add("key", DataTypes.StringType, false);

  public static final StructType EDGE = new StructType()
      .add("src", DataTypes.StringType, false)
      .add("dst", DataTypes.StringType, false)
      .add("weight", DataTypes.DoubleType, false)
      .add("contributions", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, true), false)
      .add("shared", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType, true), false);

  /**
   * Result: the edges at or above the threshold, and per kind what the hub guard dropped.
   * {@link #release} frees the cached identity evidence both are computed from, once they are written.
   */
  public record Links(Dataset<Row> edges, Dataset<Row> hubs, Dataset<Row> identityEvidence) {
    public void release() {
      Materialized.release(identityEvidence);
    }
  }

  /**
   * Registry memberships: payment fingerprint, sign-up IP, sign-up bursts (same e-mail domain in
   * the same 30 minutes; the same programme in the same 10 minutes; each with a half-shifted
   * bucket too, so a burst across a bucket boundary still meets).
   *
   * @param accounts account_id, org_id, created_at, email_domain, payment_fingerprint, signup_ip, program
   */
  public static Dataset<Row> registryMemberships(Dataset<Row> accounts) {
    List<Dataset<Row>> parts = new ArrayList<>();
    parts.add(membership(accounts, LinkKind.PAYMENT, col("payment_fingerprint")));
    parts.add(membership(accounts, LinkKind.SIGNUP_IP, col("signup_ip")));
    for (long shift : new long[] {0, 900}) {
      parts.add(membership(accounts.where(col("email_domain").isNotNull().and(col("created_at").isNotNull())),
          LinkKind.SIGNUP_BURST, concat_ws("|", col("email_domain"), bucket(shift, 1800))));
    }
    for (long shift : new long[] {0, 300}) {
      parts.add(membership(accounts.where(col("program").isNotNull().and(col("created_at").isNotNull())),
          LinkKind.PROGRAM_BURST, concat_ws("|", col("program"), bucket(shift, 600))));
    }
    return union(parts);
  }

  private static Column bucket(long shift, long seconds) {
    return concat_ws("+", lit(String.valueOf(shift)),
        expr("floor((cast(created_at as long) + " + shift + ") / " + seconds + ")").cast("string"));
  }

  private static Dataset<Row> membership(Dataset<Row> rows, String kind, Column key) {
    return rows.select(col("account_id"), col("org_id"), lit(kind).as("kind"), key.cast("string").as("key"))
        .where(col("key").isNotNull());
  }

  /**
   * Usage memberships from request metadata: each IP, each /24 (IPv4; the first three groups of an
   * IPv6 address), and each (ASN, user agent, hour).
   *
   * @param events account_id, org_id, ts, ip, asn, user_agent
   */
  public static Dataset<Row> usageMemberships(Dataset<Row> events) {
    Column prefix = when(col("ip").contains(":"), expr("substring_index(ip, ':', 3)"))
        .otherwise(expr("substring_index(ip, '.', 3)"));
    Column asnUaHour = when(col("asn").isNotNull().and(col("user_agent").isNotNull()),
        concat_ws("|", col("asn").cast("string"), col("user_agent"), date_trunc("hour", col("ts")).cast("string")));
    return union(List.of(
        membership(events, LinkKind.IP, col("ip")),
        membership(events, LinkKind.IP_PREFIX, when(col("ip").isNotNull(), prefix)),
        membership(events, LinkKind.ASN_UA_HOUR, asnUaHour))).distinct();
  }

  /**
   * Template memberships: each template the account used (rare ones link, by inverse frequency)
   * and each (template, hour) it was active in (SynchroTrap-style synchronised activity).
   *
   * @param requests account_id, org_id, ts, template_id
   */
  public static Dataset<Row> templateMemberships(Dataset<Row> requests) {
    return union(List.of(
        membership(requests, LinkKind.TEMPLATE, col("template_id")),
        membership(requests, LinkKind.SYNC,
            concat_ws("|", col("template_id").cast("string"), date_trunc("hour", col("ts")).cast("string")))))
        .distinct();
  }

  private static Dataset<Row> union(List<Dataset<Row>> parts) {
    Dataset<Row> all = parts.get(0);
    for (int i = 1; i < parts.size(); i++) {
      all = all.unionByName(parts.get(i));
    }
    return all;
  }

  /**
   * Behaviour near neighbours among candidate pairs: pairs whose behaviour vectors, standardised
   * over every account of {@code behaviour} (MLlib {@link StandardScaler}), lie within
   * {@code maxDistance} of each other (exact Euclidean distance), at most {@code neighbours} per
   * account, nearest first.
   *
   * <p>Only candidate pairs are measured because behaviour never links a pair on its own (an edge
   * needs identity evidence): measuring the identity pairs is linear in their number, whereas a
   * neighbour search over all accounts (MLlib's {@code BucketedRandomProjectionLSH}, as this was
   * first written) compares every pair in a bucket, and thousands of look-alike accounts share a
   * bucket (at scale 100 its similarity join ran for over 20 minutes on one night).
   *
   * @param behaviour account_id and one numeric column per feature (nulls count as 0), one row per account
   * @param candidates (src, dst) pairs, src &lt; dst
   * @return (src, dst, kind, shared, contribution) rows for {@link #edges}'s {@code extraPairs}
   */
  public static Dataset<Row> behaviourPairs(Dataset<Row> behaviour, List<String> features, Dataset<Row> candidates,
                                            double maxDistance, int neighbours, double weight) {
    Dataset<Row> filled = behaviour.na().fill(0.0, features.toArray(String[]::new));
    Dataset<Row> raw = new VectorAssembler().setInputCols(features.toArray(String[]::new)).setOutputCol("raw")
        .transform(filled);
    Dataset<Row> vectors = new StandardScaler().setInputCol("raw").setOutputCol("features").setWithMean(true)
        .setWithStd(true).fit(raw).transform(raw)
        .select(col("account_id"), vector_to_array(col("features"), "float64").as("v"));
    Dataset<Row> measured = candidates.select("src", "dst")
        .join(vectors.select(col("account_id").as("src"), col("v").as("v_src")), "src")
        .join(vectors.select(col("account_id").as("dst"), col("v").as("v_dst")), "dst")
        .withColumn("distance", expr("sqrt(aggregate(zip_with(v_src, v_dst, (x, y) -> (x - y) * (x - y)), 0D, (s, x) -> s + x))"))
        .where(col("distance").leq(maxDistance));
    // keep each account's nearest few, so a dense crowd of look-alikes does not become a clique
    Dataset<Row> ranked = measured
        .withColumn("_ra", row_number().over(Window.partitionBy("src").orderBy(col("distance"), col("dst"))))
        .withColumn("_rb", row_number().over(Window.partitionBy("dst").orderBy(col("distance"), col("src"))))
        .where(col("_ra").leq(neighbours).and(col("_rb").leq(neighbours)));
    return ranked.select(col("src"), col("dst"), lit(LinkKind.BEHAVIOUR).as("kind"),
        lit(1L).as("shared"), lit(weight).as("contribution"));
  }

  /**
   * A sum that does not depend on the order rows arrive in (decimal, 9 places), so a re-run
   * writes bit-identical weights; a double sum can differ in its last bits between runs.
   */
  public static Column exactSum(Column c) {
    return sum(c.cast("decimal(20,9)")).cast("double");
  }

  private static Column sameOrg(Column a, Column b) {
    return coalesce(a.equalTo(b), lit(false));
  }

  /**
   * Pair edges from memberships, keeping pairs of weight at least {@code minWeight} that hold
   * identity evidence.
   *
   * <p>In two passes, because an edge needs identity evidence: first the identity kinds over every
   * account (few attributes per account, small groups), which gives the pairs that can be edges;
   * then the content and timing kinds (the bulk of the memberships, and the large groups) only among
   * the accounts of those pairs, and only for those pairs. Pairing content among all accounts grows
   * with the square of the busy attribute groups (at scale 100 every account shares some /24 with
   * someone, so no account could be ruled out early); pairing it among identity-linked accounts does
   * not. Group sizes for the star rule are counted among the accounts paired; the hub guard and the
   * inverse-frequency weight use every holder.
   *
   * @param activeAccounts N of the inverse-frequency weight
   * @param extraPairs given the candidate pairs (src, dst: those with identity evidence), further
   *     scored pairs among them (src, dst, kind, shared, contribution), e.g. behaviour
   *     neighbours; null for none
   */
  public static Links edges(SparkSession spark, Dataset<Row> memberships,
                            Function<Dataset<Row>, Dataset<Row>> extraPairs, List<LinkKind> kinds,
                            long activeAccounts, int starAbove, double minWeight) {
    List<Row> kindRows = new ArrayList<>();
    for (LinkKind k : kinds) {
      kindRows.add(RowFactory.create(k.name(), k.weight(), k.hubLimit(), k.minGroup(), k.minShared(), k.cap(), k.idf(),
          k.identity()));
    }
    Dataset<Row> kindTable = broadcast(spark.createDataFrame(kindRows, new StructType()
        .add("kind", DataTypes.StringType).add("kind_weight", DataTypes.DoubleType).add("hub_limit", DataTypes.IntegerType)
        .add("min_group", DataTypes.IntegerType).add("min_shared", DataTypes.IntegerType)
        .add("cap", DataTypes.DoubleType).add("idf", DataTypes.BooleanType).add("identity", DataTypes.BooleanType)));

    Dataset<Row> groups = memberships.groupBy("kind", "key")
        .agg(count(lit(1)).as("n"), min("account_id").as("anchor"))
        .join(kindTable, "kind");
    Dataset<Row> hubs = groups.where(col("n").gt(col("hub_limit")))
        .groupBy("kind").agg(count(lit(1)).as("dropped_attributes"), sum("n").as("dropped_memberships"),
            expr("max(n)").as("largest"));
    double lnN = Math.log(Math.max(activeAccounts, 3));
    Dataset<Row> kept = groups.where(col("n").leq(col("hub_limit")).and(col("n").geq(col("min_group"))))
        .withColumn("key_weight", when(col("idf"),
            col("kind_weight").multiply(greatest(lit(0.0), lit(lnN).minus(log(col("n").cast("double"))).divide(lnN))))
            .otherwise(col("kind_weight")))
        .select("kind", "key", "n", "anchor", "key_weight", "identity");

    // pass 1: identity evidence, every account
    Dataset<Row> identityMembers = memberships.join(kept.where(col("identity")).drop("identity"), new String[] {"kind", "key"});
    // computed once: the plan below reads it three times
    Dataset<Row> identity = Materialized.of(perKind(pairs(identityMembers, starAbove), kindTable)
        .where(col("contribution").gt(0)));
    Dataset<Row> candidates = identity.select("src", "dst").distinct();
    Dataset<Row> linkable = candidates.select(col("src").as("account_id"))
        .union(candidates.select(col("dst").as("account_id"))).distinct();

    // pass 2: content and timing, among linkable accounts, for identity pairs only
    WindowSpec group = Window.partitionBy("kind", "key");
    Dataset<Row> contentMembers = memberships.join(linkable, "account_id")
        .join(kept.where(col("identity").equalTo(false)).select("kind", "key", "key_weight"), new String[] {"kind", "key"})
        .withColumn("n", count(lit(1)).over(group))
        .withColumn("anchor", min("account_id").over(group));
    Dataset<Row> evidence = identity.unionByName(
        perKind(pairs(contentMembers, starAbove), kindTable).join(candidates, new String[] {"src", "dst"}));
    if (extraPairs != null) {
      evidence = evidence.unionByName(extraPairs.apply(candidates).select("src", "dst", "kind", "shared", "contribution"));
    }
    Dataset<Row> edges = evidence.where(col("contribution").gt(0))
        .groupBy("src", "dst")
        .agg(exactSum(col("contribution")).as("weight"),
            map_from_entries(collect_list(struct(col("kind"), col("contribution")))).as("contributions"),
            map_from_entries(collect_list(struct(col("kind"), col("shared")))).as("shared"))
        .where(col("weight").geq(minWeight));
    return new Links(edges.select("src", "dst", "weight", "contributions", "shared"), hubs, identity);
  }

  /**
   * The pairs of accounts in the same attribute group (kind, key; with its size n, its smallest
   * member anchor and key_weight): every pair of a group of at most {@code starAbove}, the star
   * to the anchor of a larger one; pairs within one organisation dropped.
   */
  private static Dataset<Row> pairs(Dataset<Row> members, int starAbove) {
    Dataset<Row> a = members.select(col("kind"), col("key"), col("n"), col("anchor"), col("key_weight"),
        col("account_id").as("a"), col("org_id").as("a_org"));
    Dataset<Row> b = members.select(col("kind").as("kind_b"), col("key").as("key_b"), col("account_id").as("b"),
        col("org_id").as("b_org"));
    Column sameGroup = col("kind").equalTo(col("kind_b")).and(col("key").equalTo(col("key_b")));
    Dataset<Row> cliques = a.where(col("n").leq(starAbove)).join(b, sameGroup.and(col("a").lt(col("b"))));
    Dataset<Row> stars = a.where(col("n").gt(starAbove)).where(col("a").equalTo(col("anchor")))
        .join(b, sameGroup.and(col("b").notEqual(col("a"))));
    return cliques.unionByName(stars)
        .where(sameOrg(col("a_org"), col("b_org")).equalTo(false))
        .select(least(col("a"), col("b")).as("src"), greatest(col("a"), col("b")).as("dst"), col("kind"), col("key_weight"));
  }

  /** Each pair's contribution per kind: the summed key weights when enough are shared, capped. */
  private static Dataset<Row> perKind(Dataset<Row> pairs, Dataset<Row> kindTable) {
    return pairs.groupBy("src", "dst", "kind")
        .agg(count(lit(1)).as("shared"), exactSum(col("key_weight")).as("raw_weight"))
        .join(kindTable.select("kind", "min_shared", "cap"), "kind")
        .where(col("shared").geq(col("min_shared")))
        .select(col("src"), col("dst"), col("kind"), col("shared"), least(col("cap"), col("raw_weight")).as("contribution"));
  }
}
