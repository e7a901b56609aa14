package io.distillwatch.features.validate;

import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/** Duplicate deliveries: same content counts once, different content is quarantined, never overwritten. */
class ValidationPlanTest {
  static final LocalDate DAY = LocalDate.parse("2026-10-02");

  static String event(String id, String prompt) {
    return "{\"event_id\":\"" + id + "\",\"ts\":\"2026-10-02T10:00:00Z\",\"account_id\":\"acct_1\","
        + "\"model\":\"atlas-3\",\"prompt\":\"" + prompt + "\"}";
  }

  @Test
  void conflictingDuplicatesAreQuarantinedAndTheFirstDeliveryWins() {
    SparkSession spark = SharedSpark.get();
    StructType raw = new StructType().add("source_file", DataTypes.StringType).add("line_number", DataTypes.LongType)
        .add("raw_line", DataTypes.StringType).add("read_error", DataTypes.StringType);
    List<Row> lines = List.of(
        RowFactory.create("a.jsonl", 1L, event("e1", "hello"), null),
        RowFactory.create("b.jsonl", 1L, event("e1", "hello"), null),        // same content again: harmless
        RowFactory.create("b.jsonl", 2L, event("e1", "tampered"), null),     // same id, other content
        RowFactory.create("b.jsonl", 3L, event("e2", "question"), null),
        RowFactory.create("b.jsonl", 4L, event("e3", "new"), null));
    Dataset<Row> valid = Validation.events(spark.createDataFrame(lines, raw), DAY, EventValidator.defaults())
        .where(col("reason").isNull());

    // e2 is already in bronze from an earlier landing, with other content
    Row e2Existing = valid.where(col("event_id").equalTo("e2")).first();
    Dataset<Row> existing = spark.createDataFrame(List.of(RowFactory.create("e2", "other-hash",
            java.sql.Date.valueOf(DAY.minusDays(1)), "old.jsonl", 9L)),
        new StructType().add("event_id", DataTypes.StringType).add("content_hash", DataTypes.StringType)
            .add("landing_date", DataTypes.DateType).add("source_file", DataTypes.StringType)
            .add("line_number", DataTypes.LongType));
    assertThat(e2Existing.<String>getAs("content_hash")).isNotEqualTo("other-hash");

    Validation.Batch batch = Validation.plan(valid, existing);
    List<Row> merge = batch.toMerge().orderBy("event_id").collectAsList();
    assertThat(merge).extracting(r -> r.<String>getAs("event_id")).containsExactly("e1", "e3");
    assertThat(merge.get(0).<String>getAs("source_file")).isEqualTo("a.jsonl");
    assertThat(merge.get(0).<String>getAs("prompt")).isEqualTo("hello");

    List<Row> conflicts = batch.conflicts().orderBy("line_number").collectAsList();
    assertThat(conflicts).hasSize(2);
    assertThat(conflicts.get(0).<String>getAs("reason")).startsWith("duplicate event_id with different content than line a.jsonl:1");
    assertThat(conflicts.get(0).<String>getAs("raw_line")).contains("tampered");
    assertThat(conflicts.get(1).<String>getAs("reason")).startsWith("event_id already ingested with different content");
    assertThat(conflicts.get(1).<String>getAs("record_id")).isEqualTo("e2");
  }
}
