package io.distillwatch.features.campaigns;

import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class CampaignIdsTest {
  private final SparkSession spark = SharedSpark.get();
  private static final LocalDate D = LocalDate.parse("2026-10-02");

  private Dataset<Row> clusters(Map<Long, List<String>> byKey) {
    List<Row> rows = new ArrayList<>();
    byKey.forEach((k, accounts) -> accounts.forEach(a -> rows.add(RowFactory.create(a, k))));
    return spark.createDataFrame(rows, new StructType().add("account_id", "string").add("cluster_key", "long"));
  }

  private Dataset<Row> previous(Map<String, List<String>> byId) {
    List<Row> rows = new ArrayList<>();
    byId.forEach((id, accounts) -> accounts.forEach(a -> rows.add(RowFactory.create(a, id))));
    return spark.createDataFrame(rows, new StructType().add("account_id", "string").add("campaign_id", "string"));
  }

  private static Map<Long, String> ids(CampaignIds.Assignment a) {
    return a.ids().collectAsList().stream().collect(Collectors.toMap(r -> r.getLong(0), r -> r.getString(1)));
  }

  @Test
  void aClusterThatKeepsMostOfItsMembersKeepsItsId() {
    CampaignIds.Assignment a = CampaignIds.assign(D,
        clusters(Map.of(1L, List.of("a1", "a2", "a3", "a9"), 2L, List.of("n1", "n2", "n3"))),
        previous(Map.of("cmp-A", List.of("a1", "a2", "a3", "a4"))));
    Map<Long, String> ids = ids(a);
    assertThat(ids.get(1L)).isEqualTo("cmp-A");
    assertThat(ids.get(2L)).startsWith("cmp-20261002-").isNotEqualTo("cmp-A");
    assertThat(a.lineage().count()).isZero();
    // deterministic: a re-run names the new cluster the same
    assertThat(ids(CampaignIds.assign(D, clusters(Map.of(2L, List.of("n1", "n2", "n3"))), previous(Map.of())))
        .get(2L)).isEqualTo(ids.get(2L));
  }

  @Test
  void splitsAndMergesAreRecorded() {
    // cmp-A splits into two clusters; cmp-B and cmp-C merge into one
    CampaignIds.Assignment a = CampaignIds.assign(D,
        clusters(Map.of(1L, List.of("a1", "a2", "a3"), 2L, List.of("a4", "a5"),
            3L, List.of("b1", "b2", "b3", "c1", "c2"))),
        previous(Map.of("cmp-A", List.of("a1", "a2", "a3", "a4", "a5"), "cmp-B", List.of("b1", "b2", "b3"),
            "cmp-C", List.of("c1", "c2"))));
    Map<Long, String> ids = ids(a);
    assertThat(ids.get(1L)).isEqualTo("cmp-A");
    assertThat(ids.get(3L)).isEqualTo("cmp-B");
    List<String> lineage = a.lineage().collectAsList().stream()
        .map(r -> r.getString(0) + " " + r.getString(2) + " " + r.getString(1) + " " + r.getLong(3)).toList();
    assertThat(lineage).containsExactlyInAnyOrder(ids.get(2L) + " split_from cmp-A 2", "cmp-B merged_from cmp-C 2");
    Map<Long, String> status = a.ids().collectAsList().stream().collect(Collectors.toMap(r -> r.getLong(0), r -> r.getString(2)));
    assertThat(status).containsEntry(1L, "continuing").containsEntry(2L, "regrouped").containsEntry(3L, "continuing");
  }
}
