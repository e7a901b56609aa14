package io.distillwatch.features.drift;

import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/** Windows of a size chosen per account: that many requests each, and a smaller window is a larger one's prefix. */
class QueryDriftWindowsTest {
  static final StructType REQUESTS = new StructType()
      .add("account_id", DataTypes.StringType, false)
      .add("event_id", DataTypes.StringType, false)
      .add("window_size", DataTypes.IntegerType, false);

  static Map<String, Set<String>> windows(List<Row> requests) {
    Dataset<Row> w = QueryDrift.windows(SharedSpark.get().createDataFrame(requests, REQUESTS));
    Map<String, Set<String>> out = new TreeMap<>();
    for (Row r : w.select(col("account_id"), col("event_id")).collectAsList()) {
      out.computeIfAbsent(r.getString(0), k -> new TreeSet<>()).add(r.getString(1));
    }
    return out;
  }

  static List<Row> requests(int smallSize, int heavySize) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 100; i++) { // a heavy account: 100 requests
      rows.add(RowFactory.create("heavy", "h-" + i, heavySize));
    }
    for (int i = 0; i < 20; i++) { // a lighter one: 20
      rows.add(RowFactory.create("light", "l-" + i, smallSize));
    }
    return rows;
  }

  @Test
  void eachAccountGetsItsSizeAndTheSmallerWindowIsThePrefixOfTheLarger() {
    Map<String, Set<String>> large = windows(requests(8, 64));
    assertThat(large.get("heavy")).hasSize(64);
    assertThat(large.get("light")).hasSize(8);
    // the same account with the smaller size: the requests of smallest hash, which the larger window holds
    Map<String, Set<String>> small = windows(requests(8, 8));
    assertThat(small.get("heavy")).hasSize(8);
    assertThat(large.get("heavy")).containsAll(small.get("heavy"));
    assertThat(small.get("light")).isEqualTo(large.get("light"));
    // deterministic: the same rows again
    assertThat(windows(requests(8, 64))).isEqualTo(large);
  }
}
