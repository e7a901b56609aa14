package io.distillwatch.features.campaigns;

import io.distillwatch.features.graph.ConnectedComponents;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Clusters of linked accounts: connected components (GraphX, on the executors) of the link edges
 * at or above a weight threshold. Account ids become GraphX vertex ids through a 64-bit hash
 * (xxhash64; a collision among a million accounts has a probability of about 3e-8, and would only
 * merge two accounts' vertices). A cluster is keyed by its smallest vertex id, so the keying is
 * deterministic; campaign ids are assigned later ({@link CampaignIds}).
 *
 * <p>Refinement: a weak edge (weight below {@code bridgeWeight}) whose two ends both have other
 * links but no common neighbour is a bridge between two groups that have nothing else in common
 * (a shared proxy address between a campaign and one customer, say); such edges are removed before
 * the components are taken. Leaves (an account with a single link, e.g. a star member) are never
 * cut off this way.
 */
public final class AccountClusters {
  private AccountClusters() {}

  /**
   * @param edges src, dst (account ids), weight
   * @return (account_id, cluster_key, cluster_size) for every account of a cluster of at least
   *     {@code minSize} accounts
   */
  public static Dataset<Row> of(SparkSession spark, Dataset<Row> edges, double minWeight, int minSize,
                                int maxIterations) {
    return of(spark, edges, minWeight, minSize, maxIterations, minWeight);
  }

  /** As {@link #of(SparkSession, Dataset, double, int, int)}, cutting weak bridges below {@code bridgeWeight}. */
  public static Dataset<Row> of(SparkSession spark, Dataset<Row> edges, double minWeight, int minSize,
                                int maxIterations, double bridgeWeight) {
    Dataset<Row> kept = withoutWeakBridges(edges.where(col("weight").geq(minWeight)).select("src", "dst", "weight"),
        bridgeWeight);
    Dataset<Row> strong = kept.select(col("src"), col("dst"), xxhash64(col("src")).as("s"), xxhash64(col("dst")).as("d"));
    Dataset<Row> vertices = strong.select(col("src").as("account_id"), col("s").as("vertex"))
        .unionByName(strong.select(col("dst").as("account_id"), col("d").as("vertex")))
        .distinct();
    Dataset<Row> components = ConnectedComponents.of(spark, strong.select("s", "d"), maxIterations);
    Dataset<Row> labelled = vertices.join(components, "vertex")
        .select(col("account_id"), col("component").as("cluster_key"));
    Dataset<Row> sizes = labelled.groupBy("cluster_key").agg(count(lit(1)).as("cluster_size"));
    return labelled.join(sizes, "cluster_key").where(col("cluster_size").geq(minSize))
        .select("account_id", "cluster_key", "cluster_size");
  }

  /** The edges minus weak bridges (see the class comment). */
  public static Dataset<Row> withoutWeakBridges(Dataset<Row> edges, double bridgeWeight) {
    Dataset<Row> adjacency = edges.select(col("src").as("x"), col("dst").as("y"))
        .unionByName(edges.select(col("dst").as("x"), col("src").as("y")));
    Dataset<Row> degree = adjacency.groupBy("x").agg(count(lit(1)).as("deg"));
    Dataset<Row> weak = edges.where(col("weight").lt(bridgeWeight))
        .join(degree.select(col("x").as("src"), col("deg").as("deg_src")), "src")
        .join(degree.select(col("x").as("dst"), col("deg").as("deg_dst")), "dst")
        .where(col("deg_src").geq(2).and(col("deg_dst").geq(2)))
        .select("src", "dst");
    // common neighbours of the weak edges' ends: (src, c) and (dst, c) both edges
    Dataset<Row> supported = weak.join(adjacency.select(col("x").as("src"), col("y").as("c")), "src")
        .join(adjacency.select(col("x").as("dst"), col("y").as("c")), new String[] {"dst", "c"})
        .select("src", "dst").distinct();
    Dataset<Row> bridges = weak.join(supported, new String[] {"src", "dst"}, "left_anti");
    return edges.join(bridges, new String[] {"src", "dst"}, "left_anti");
  }
}
