package io.distillwatch.jobs.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.distillwatch.testing.SharedSpark;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Lake#replace} returns the rows it wrote, counted by the write as they pass (the jobs' counts
 * come from there, not from reading the table back): for a first write, a replacement of the same
 * partition by fewer rows, rows filtered on their way, an empty write, and another partition.
 */
class LakeWriteCountTest {
  @TempDir Path tmp;

  @Test
  void replaceReturnsTheRowsItWrote() {
    SparkSession spark = SharedSpark.get();
    Lake lake = Lake.open(spark, tmp.resolve("lake").toString());
    LocalDate day = LocalDate.of(2026, 10, 1);
    String where = "date = DATE'" + day + "'";

    assertThat(lake.replace(Tables.GOLD_DRIFT_ALERTS, alerts(spark, day, 7), where)).isEqualTo(7);
    assertThat(partition(lake, day)).isEqualTo(7);

    assertThat(lake.replace(Tables.GOLD_DRIFT_ALERTS, alerts(spark, day, 3), where)).isEqualTo(3);
    assertThat(partition(lake, day)).isEqualTo(3);

    Dataset<Row> filtered = alerts(spark, day, 10).where(col("p_value").lt(lit(0.0005))); // rows 0-4 of 10
    assertThat(lake.replace(Tables.GOLD_DRIFT_ALERTS, filtered, where)).isEqualTo(5);
    assertThat(partition(lake, day)).isEqualTo(5);

    assertThat(lake.replace(Tables.GOLD_DRIFT_ALERTS, alerts(spark, day, 0), where)).isZero();
    assertThat(partition(lake, day)).isZero();

    LocalDate other = day.plusDays(1);
    assertThat(lake.replace(Tables.GOLD_DRIFT_ALERTS, alerts(spark, other, 4), "date = DATE'" + other + "'")).isEqualTo(4);
    assertThat(partition(lake, day)).isZero();
  }

  private static long partition(Lake lake, LocalDate day) {
    return lake.read(Tables.GOLD_DRIFT_ALERTS).where(col("date").equalTo(lit(Date.valueOf(day)))).count();
  }

  private static Dataset<Row> alerts(SparkSession spark, LocalDate day, int n) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(RowFactory.create(Date.valueOf(day), "acct_" + i, i / 10_000.0, 0.1, "evidence " + i));
    }
    return spark.createDataFrame(rows, Tables.GOLD_DRIFT_ALERTS.schema());
  }
}
