package io.distillwatch.features.campaigns;

import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Which templates count as a cluster's private ones: those two or more of its accounts sent and no
 * account outside the night's candidate clusters did. One operator's accounts split over two
 * clusters (two cards) share a harvest template; under the older rule (nobody outside this one
 * cluster) it was private to neither piece.
 */
class PrivateTemplatesTest {
  private final SparkSession spark = SharedSpark.get();

  private static final StructType REQUESTS = new StructType()
      .add("account_id", DataTypes.StringType).add("cluster_key", DataTypes.StringType)
      .add("template_id", DataTypes.LongType);
  private static final StructType TEMPLATES = new StructType()
      .add("template_id", DataTypes.LongType).add("capability", DataTypes.StringType)
      .add("cot", DataTypes.BooleanType).add("window_accounts", DataTypes.LongType);

  private static final long HARVEST = 1, CHAT = 2, LONE = 3, WITH_OUTSIDER = 4;

  @Test
  void aTemplateSharedOnlyBetweenCandidateClustersIsPrivateToEachOfThem() {
    List<Row> requests = new ArrayList<>();
    // the operator's two pieces: each sends the harvest template (3 requests per account) and
    // chat shared with the world (1 per account)
    for (String piece : List.of("piece-a", "piece-b")) {
      for (int i = 0; i < 2; i++) {
        String account = piece + "-" + i;
        for (int k = 0; k < 3; k++) {
          requests.add(RowFactory.create(account, piece, HARVEST));
        }
        requests.add(RowFactory.create(account, piece, CHAT));
      }
    }
    // a third cluster: a template only one of its accounts sent, and one an outsider sent too
    requests.add(RowFactory.create("team-0", "team", LONE));
    requests.add(RowFactory.create("team-0", "team", WITH_OUTSIDER));
    requests.add(RowFactory.create("team-1", "team", WITH_OUTSIDER));
    List<Row> templates = List.of(
        RowFactory.create(HARVEST, "reasoning", true, 4L), // the four operator accounts, nobody else
        RowFactory.create(CHAT, "chat", false, 900L),
        RowFactory.create(LONE, "reasoning", true, 1L),
        RowFactory.create(WITH_OUTSIDER, "reasoning", true, 3L)); // team-0, team-1 and a background account

    Map<String, Row> byCluster = new HashMap<>();
    for (Row r : CampaignScoring.privateTraffic(frame(requests, REQUESTS), frame(templates, TEMPLATES)).collectAsList()) {
      byCluster.put(r.getAs("cluster_key"), r);
    }

    for (String piece : List.of("piece-a", "piece-b")) {
      Row r = byCluster.get(piece);
      assertThat((double) r.getAs("private_template_share")).as(piece).isCloseTo(6.0 / 8, within(1e-12));
      assertThat((long) r.getAs("_p_n")).as(piece).isEqualTo(6L);
      assertThat((long) r.getAs("_p_cot")).as(piece).isEqualTo(6L);
      assertThat((long) r.getAs("_p_distill")).as(piece).isEqualTo(6L);
    }
    // one account's template is no group's, and a background user makes a template nobody's private one
    Row team = byCluster.get("team");
    assertThat((double) team.getAs("private_template_share")).isZero();
    assertThat((long) team.getAs("_p_n")).isZero();
  }

  private Dataset<Row> frame(List<Row> rows, StructType schema) {
    return spark.createDataFrame(rows, schema);
  }
}
