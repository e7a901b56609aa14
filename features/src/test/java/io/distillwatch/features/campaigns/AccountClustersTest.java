package io.distillwatch.features.campaigns;

import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class AccountClustersTest {
  private final SparkSession spark = SharedSpark.get();

  private static void clique(List<Row> edges, String prefix, int n, double w) {
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        edges.add(RowFactory.create(prefix + i, prefix + j, w));
      }
    }
  }

  private Map<String, Long> clusters(List<Row> edges) {
    Dataset<Row> df = spark.createDataFrame(edges, new StructType().add("src", "string").add("dst", "string")
        .add("weight", "double"));
    return AccountClusters.of(spark, df, 1.0, 3, 20, 1.5).collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(0), r -> r.getLong(1)));
  }

  @Test
  void aWeakBridgeBetweenTwoGroupsIsCutAndAStrongOneIsNot() {
    List<Row> edges = new ArrayList<>();
    clique(edges, "a", 5, 2.0);
    clique(edges, "b", 5, 2.0);
    edges.add(RowFactory.create("a0", "b0", 1.1)); // one shared proxy address, say
    Map<String, Long> weak = clusters(edges);
    assertThat(weak).hasSize(10);
    assertThat(weak.get("a1")).isEqualTo(weak.get("a0")).isNotEqualTo(weak.get("b0"));

    edges.set(edges.size() - 1, RowFactory.create("a0", "b0", 2.0));
    Map<String, Long> strong = clusters(edges);
    assertThat(strong.get("a1")).isEqualTo(strong.get("b1"));
  }

  @Test
  void starsAndTrianglesStayWhole() {
    List<Row> edges = new ArrayList<>();
    for (int i = 1; i <= 8; i++) { // a star of weak edges: every member is a leaf
      edges.add(RowFactory.create("s0", "s" + i, 1.0));
    }
    edges.add(RowFactory.create("t0", "t1", 1.0)); // a weak triangle: each edge has a common neighbour
    edges.add(RowFactory.create("t1", "t2", 1.0));
    edges.add(RowFactory.create("t0", "t2", 1.0));
    edges.add(RowFactory.create("x0", "x1", 1.0)); // a pair: smaller than the minimum size
    Map<String, Long> c = clusters(edges);
    assertThat(c.keySet()).hasSize(12).doesNotContain("x0", "x1");
    assertThat(c.values().stream().distinct().count()).isEqualTo(2);
  }
}
