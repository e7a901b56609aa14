package io.distillwatch.features.graph;

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
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectedComponentsTest {
  private static final StructType EDGES = new StructType()
      .add("src", DataTypes.LongType, false).add("dst", DataTypes.LongType, false);

  private static Map<Long, Long> components(SparkSession spark, List<long[]> edges) {
    List<Row> rows = new ArrayList<>();
    edges.forEach(e -> rows.add(RowFactory.create(e[0], e[1])));
    Dataset<Row> cc = ConnectedComponents.of(spark, spark.createDataFrame(rows, EDGES), 100);
    Map<Long, Long> out = new HashMap<>();
    cc.collectAsList().forEach(r -> out.put(r.getLong(0), r.getLong(1)));
    return out;
  }

  /**
   * The follower graph of the GraphX programming guide (Spark's data/graphx/followers.txt),
   * whose published connected components are {1, 2, 4} and {3, 6, 7}.
   */
  @Test
  void publishedGraphxExample() {
    List<long[]> followers = List.of(new long[] {2, 1}, new long[] {4, 1}, new long[] {1, 2}, new long[] {6, 3},
        new long[] {7, 3}, new long[] {7, 6}, new long[] {6, 7}, new long[] {3, 7});
    Map<Long, Long> cc = components(SharedSpark.get(), followers);
    assertThat(cc).containsExactlyInAnyOrderEntriesOf(Map.of(1L, 1L, 2L, 1L, 4L, 1L, 3L, 3L, 6L, 3L, 7L, 3L));
  }

  /** Random sparse graphs with negative ids and long chains, against a union-find on the driver. */
  @Test
  void agreesWithUnionFindOnRandomGraphs() {
    SplittableRandom rng = new SplittableRandom(11);
    List<long[]> edges = new ArrayList<>();
    long[] ids = new long[400];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rng.nextLong();
    }
    for (int i = 0; i < 300; i++) {
      edges.add(new long[] {ids[rng.nextInt(ids.length)], ids[rng.nextInt(ids.length)]});
    }
    for (int i = 0; i < 30; i++) { // a chain of 30 hops
      edges.add(new long[] {ids[i], ids[i + 1]});
    }
    edges.add(new long[] {ids[399], ids[399]}); // an isolated vertex enters by a self-loop

    Map<Long, Long> parent = new HashMap<>();
    for (long[] e : edges) {
      union(parent, e[0], e[1]);
    }
    Map<Long, Long> expected = new HashMap<>();
    Map<Long, Long> smallest = new HashMap<>();
    for (long v : parent.keySet()) {
      smallest.merge(find(parent, v), v, Math::min);
    }
    for (long v : parent.keySet()) {
      expected.put(v, smallest.get(find(parent, v)));
    }
    assertThat(components(SharedSpark.get(), edges)).isEqualTo(expected);
  }

  private static long find(Map<Long, Long> parent, long v) {
    parent.putIfAbsent(v, v);
    long root = v;
    while (parent.get(root) != root) {
      root = parent.get(root);
    }
    return root;
  }

  private static void union(Map<Long, Long> parent, long a, long b) {
    long ra = find(parent, a);
    long rb = find(parent, b);
    if (ra != rb) {
      parent.put(ra, rb);
    }
  }
}
