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
    Dataset<Row> strong = edges.where(col("weight").geq(minWeight))
        .select(col("src"), col("dst"), xxhash64(col("src")).as("s"), xxhash64(col("dst")).as("d"));
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
}
