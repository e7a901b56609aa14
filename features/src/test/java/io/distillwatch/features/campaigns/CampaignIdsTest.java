package io.distillwatch.features.campaigns;

import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

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
    return nights(Map.of(D.minusDays(1), byId));
  }

  /** Campaign members of earlier nights: night -> campaign id -> accounts. */
  private Dataset<Row> nights(Map<LocalDate, Map<String, List<String>>> byNight) {
    List<Row> rows = new ArrayList<>();
    byNight.forEach((night, byId) -> byId.forEach((id, accounts) ->
        accounts.forEach(a -> rows.add(RowFactory.create(a, id, Date.valueOf(night))))));
    return spark.createDataFrame(rows, new StructType().add("account_id", "string").add("campaign_id", "string")
        .add("date", "date"));
  }

  private static List<String> accounts(String prefix, int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(i -> String.format("%s%03d", prefix, i)).toList();
  }

  private static Map<Long, String> status(CampaignIds.Assignment a) {
    return a.ids().collectAsList().stream().collect(Collectors.toMap(r -> r.getLong(0), r -> r.getString(2)));
  }

  private static Map<Long, String> ids(CampaignIds.Assignment a) {
    return a.ids().collectAsList().stream().collect(Collectors.toMap(r -> r.getLong(0), r -> r.getString(1)));
  }

  @Test
  void aClusterThatKeepsMostOfItsMembersKeepsItsId() {
    CampaignIds.Assignment a = CampaignIds.assign(D,
        clusters(Map.of(1L, List.of("a1", "a2", "a3", "a9"), 2L, List.of("n1", "n2", "n3"))),
        previous(Map.of("cmp-A", List.of("a1", "a2", "a3", "a4"))), D.minusDays(1));
    Map<Long, String> ids = ids(a);
    assertThat(ids.get(1L)).isEqualTo("cmp-A");
    assertThat(ids.get(2L)).startsWith("cmp-20261002-").isNotEqualTo("cmp-A");
    assertThat(a.lineage().count()).isZero();
    // deterministic: a re-run names the new cluster the same
    assertThat(ids(CampaignIds.assign(D, clusters(Map.of(2L, List.of("n1", "n2", "n3"))), previous(Map.of()), null))
        .get(2L)).isEqualTo(ids.get(2L));
  }

  @Test
  void splitsAndMergesAreRecorded() {
    // cmp-A splits into two clusters; cmp-B and cmp-C merge into one
    CampaignIds.Assignment a = CampaignIds.assign(D,
        clusters(Map.of(1L, List.of("a1", "a2", "a3"), 2L, List.of("a4", "a5"),
            3L, List.of("b1", "b2", "b3", "c1", "c2"))),
        previous(Map.of("cmp-A", List.of("a1", "a2", "a3", "a4", "a5"), "cmp-B", List.of("b1", "b2", "b3"),
            "cmp-C", List.of("c1", "c2"))), D.minusDays(1));
    Map<Long, String> ids = ids(a);
    assertThat(ids.get(1L)).isEqualTo("cmp-A");
    assertThat(ids.get(3L)).isEqualTo("cmp-B");
    List<String> lineage = a.lineage().collectAsList().stream()
        .map(r -> r.getString(0) + " " + r.getString(2) + " " + r.getString(1) + " " + r.getLong(3)).toList();
    assertThat(lineage).containsExactlyInAnyOrder(ids.get(2L) + " split_from cmp-A 2", "cmp-B merged_from cmp-C 2");
    assertThat(status(a)).containsEntry(1L, "continuing").containsEntry(2L, "regrouped").containsEntry(3L, "continuing");
  }

  /**
   * A hydra's pieces on night 1 (ids A, B, C), merged into one cluster on night 2 (which keeps A),
   * in the same pieces again tonight: each piece gets its night-1 id back. Matched against the
   * previous night alone, A's three pieces tie and only one of them could keep an id; here piece
   * B has the smallest cluster key, so a tie broken by key would even give B's accounts the id A.
   */
  @Test
  void piecesThatMergedAndSplitAgainGetTheirIdsBack() {
    List<String> a = accounts("a", 1, 60);
    List<String> b = accounts("b", 1, 60);
    List<String> c = accounts("c", 1, 60);
    List<String> merged = new ArrayList<>(a);
    merged.addAll(b);
    merged.addAll(c);
    Dataset<Row> history = nights(Map.of(
        D.minusDays(2), Map.of("cmp-A", a, "cmp-B", b, "cmp-C", c),
        D.minusDays(1), Map.of("cmp-A", merged)));
    CampaignIds.Assignment tonight = CampaignIds.assign(D, clusters(Map.of(1L, b, 2L, a, 3L, c)), history, D.minusDays(1));
    assertThat(ids(tonight)).containsEntry(1L, "cmp-B").containsEntry(2L, "cmp-A").containsEntry(3L, "cmp-C");
    assertThat(status(tonight)).containsEntry(1L, "resumed").containsEntry(2L, "continuing").containsEntry(3L, "resumed");
    // lineage is about the previous night: B and C split from A, which goes on
    List<String> lineage = tonight.lineage().collectAsList().stream()
        .map(r -> r.getString(0) + " " + r.getString(2) + " " + r.getString(1) + " " + r.getLong(3)).toList();
    assertThat(lineage).containsExactlyInAnyOrder("cmp-B split_from cmp-A 60", "cmp-C split_from cmp-A 60");
    // a re-run of the night gives the same ids
    assertThat(ids(CampaignIds.assign(D, clusters(Map.of(1L, b, 2L, a, 3L, c)), history, D.minusDays(1))))
        .isEqualTo(ids(tonight));
  }

  /**
   * A campaign of 10 accounts grew to 100 on the previous night; tonight its first 10 form a
   * cluster of their own: the id stays with the body it last had, not with its old core.
   */
  @Test
  void aCampaignIsMatchedAsItLastStood() {
    List<String> core = accounts("x", 1, 10);
    List<String> grown = accounts("x", 1, 100);
    List<String> body = new ArrayList<>(accounts("x", 11, 100));
    body.addAll(accounts("y", 1, 5));
    CampaignIds.Assignment tonight = CampaignIds.assign(D, clusters(Map.of(1L, core, 2L, body)),
        nights(Map.of(D.minusDays(2), Map.of("cmp-X", core), D.minusDays(1), Map.of("cmp-X", grown))), D.minusDays(1));
    assertThat(ids(tonight)).containsEntry(2L, "cmp-X");
    assertThat(ids(tonight).get(1L)).startsWith("cmp-20261002-");
    assertThat(status(tonight)).containsEntry(1L, "regrouped").containsEntry(2L, "continuing");
  }

  /** Pairs are taken best first by Jaccard: a worked example of the matching on the driver. */
  @Test
  void theMatchingTakesTheBestPairsFirst() {
    LocalDate prev = D.minusDays(1);
    // cluster 1 (4 accounts) shares 3 with P (6 accounts): J = 3/7; shares 2 with Q (2 accounts): J = 2/4
    // cluster 2 (5 accounts) shares 4 with P: J = 4/7
    CampaignIds.Matching m = CampaignIds.match(D,
        List.of(new CampaignIds.Cluster(1, "a", 4), new CampaignIds.Cluster(2, "b", 5), new CampaignIds.Cluster(3, "c", 3)),
        List.of(new CampaignIds.Overlap(1, "P", prev, 3, 6), new CampaignIds.Overlap(1, "Q", prev, 2, 2),
            new CampaignIds.Overlap(2, "P", prev, 4, 6)), prev);
    assertThat(m.ids()).containsExactlyInAnyOrder(new CampaignIds.Id(1, "Q", "continuing"),
        new CampaignIds.Id(2, "P", "continuing"), new CampaignIds.Id(3, CampaignIds.newId(D, "c"), "new"));
    assertThat(m.lineage()).containsExactly(new CampaignIds.Lineage("Q", "P", "split_from", 3));
  }
}
