package io.distillwatch.features.campaigns;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.time.LocalDate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

/**
 * Campaign ids that stay stable across nights. Tonight's clusters are matched to the previous
 * night's campaigns by shared members: a cluster and a campaign that are each other's best match
 * (most shared accounts; ties to the smaller id) continue under the campaign's id. Every other
 * cluster gets a new id, derived from the date and its smallest member (so a re-run gives the
 * same id), and its overlaps are recorded as lineage: {@code split_from} a campaign that
 * continues elsewhere, {@code merged_from} a campaign that does not continue.
 */
public final class CampaignIds {
  private CampaignIds() {}

  /**
   * @param ids cluster_key, campaign_id, status (new, continuing, split, merged)
   * @param lineage campaign_id, related_id, relation, shared_accounts
   */
  public record Assignment(Dataset<Row> ids, Dataset<Row> lineage) {}

  /**
   * @param current account_id, cluster_key (tonight's clusters)
   * @param previous account_id, campaign_id (the members of the previous night's campaigns)
   */
  public static Assignment assign(LocalDate date, Dataset<Row> current, Dataset<Row> previous) {
    Dataset<Row> overlap = current.select("account_id", "cluster_key")
        .join(previous.select("account_id", "campaign_id"), "account_id")
        .groupBy("cluster_key", "campaign_id").agg(count(lit(1)).as("shared"));
    Dataset<Row> bestOfCluster = overlap
        .withColumn("_r", row_number().over(Window.partitionBy("cluster_key").orderBy(col("shared").desc(), col("campaign_id"))))
        .where(col("_r").equalTo(1)).drop("_r");
    Dataset<Row> bestOfCampaign = overlap
        .withColumn("_r", row_number().over(Window.partitionBy("campaign_id").orderBy(col("shared").desc(), col("cluster_key"))))
        .where(col("_r").equalTo(1)).select("cluster_key", "campaign_id");
    Dataset<Row> continued = bestOfCluster.join(bestOfCampaign, new String[] {"cluster_key", "campaign_id"})
        .select(col("cluster_key"), col("campaign_id").as("continued_id"));
    Dataset<Row> touched = overlap.select("cluster_key").distinct().withColumn("_overlaps", lit(true));

    Dataset<Row> clusters = current.groupBy("cluster_key").agg(min("account_id").as("_anchor"));
    Dataset<Row> ids = clusters.join(continued, new String[] {"cluster_key"}, "left")
        .join(touched, new String[] {"cluster_key"}, "left")
        .withColumn("campaign_id", coalesce(col("continued_id"),
            concat(lit("cmp-" + date.toString().replace("-", "") + "-"), substring(sha2(col("_anchor"), 256), 1, 10))))
        .withColumn("status", when(col("continued_id").isNotNull(), lit("continuing"))
            .when(col("_overlaps").isNotNull(), lit("regrouped"))
            .otherwise(lit("new")))
        .select("cluster_key", "campaign_id", "status");

    Dataset<Row> continuing = continued.select(col("continued_id").as("related_id")).withColumn("_continues", lit(true));
    Dataset<Row> lineage = overlap.join(ids.select(col("cluster_key"), col("campaign_id").as("now_id")), "cluster_key")
        .where(col("campaign_id").notEqual(col("now_id")))
        .select(col("now_id").as("campaign_id"), col("campaign_id").as("related_id"), col("shared").as("shared_accounts"))
        .join(continuing, new String[] {"related_id"}, "left")
        .withColumn("relation", when(col("_continues").isNotNull(), lit("split_from")).otherwise(lit("merged_from")))
        .select("campaign_id", "related_id", "relation", "shared_accounts");
    return new Assignment(ids, lineage);
  }
}
