package io.distillwatch.jobs.ingest;

import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.testing.Digest;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.to_date;
import static org.assertj.core.api.Assertions.assertThat;

/** Ingest against real Delta tables on local disk, with simulated landing data (3 days, scale 0.05). */
class IngestJobTest {
  static SparkSession spark;
  static Path landing;
  static Lake lake;
  static final List<IngestJob.Result> results = new ArrayList<>();

  @BeforeAll
  static void ingestThreeDays() {
    spark = SharedSpark.get();
    landing = Fixtures.landing(3, 0.05);
    lake = Lake.open(spark, Fixtures.tempDir("lake").toString());
    for (int d = 0; d < 3; d++) {
      results.add(new IngestJob(lake, Fixtures.ingest(landing, Fixtures.FROM.plusDays(d))).execute());
    }
  }

  @Test
  void everyLineIsAcceptedOrQuarantined() {
    for (IngestJob.Result r : results) {
      assertThat(r.read()).isPositive();
      assertThat(r.accepted() + r.quarantined()).isEqualTo(r.read());
    }
    long lines = spark.read().text(landing + "/events/*/*").count();
    long read = results.stream().mapToLong(IngestJob.Result::read).sum();
    assertThat(read).as("every line of the landing zone is read").isEqualTo(lines);
  }

  @Test
  void malformedLinesAreQuarantinedWithReasonAndSource() {
    Dataset<Row> q = lake.read(Tables.QUARANTINE_EVENTS);
    assertThat(q.count()).isEqualTo(results.stream().mapToLong(IngestJob.Result::quarantined).sum()).isGreaterThanOrEqualTo(12);
    assertThat(q.where(col("reason").isNull().or(col("raw_line").isNull()).or(col("source_file").isNull())).count()).isZero();
    List<String> reasons = q.select("reason").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertThat(reasons).anyMatch(r -> r.startsWith("broken JSON"))
        .anyMatch(r -> r.equals("missing required field 'prompt'"))
        .anyMatch(r -> r.contains("'ts' is not ISO-8601"))
        .anyMatch(r -> r.contains("'asn' must be a 32-bit integer"));
    assertThat(q.where(col("source_file").endsWith("part-00000.jsonl")).count()).isEqualTo(q.count());
  }

  @Test
  void repeatedAndLateDeliveriesCountOnce() {
    Dataset<Row> events = lake.read(Tables.BRONZE_EVENTS);
    long rows = events.count();
    assertThat(events.select(countDistinct("event_id")).first().getLong(0)).isEqualTo(rows);
    // the landing zone holds repeats (late-from-*.jsonl); bronze holds each valid event once
    Dataset<Row> valid = spark.read().text(landing + "/events/*/*")
        .select(get_json_object(col("value"), "$.event_id").as("id"), get_json_object(col("value"), "$.prompt").as("p"))
        .where(col("p").isNotNull().and(col("id").startsWith("evt_bad").equalTo(false)));
    long distinctValid = valid.select("id").distinct().count();
    assertThat(valid.count()).isGreaterThan(distinctValid);
    assertThat(rows).isEqualTo(distinctValid);
    long alreadyPresent = results.stream().mapToLong(IngestJob.Result::alreadyPresent).sum();
    assertThat(alreadyPresent).isEqualTo(valid.count() - distinctValid);
  }

  @Test
  void lateEventsLandInThePartitionOfTheirOwnDay() {
    Dataset<Row> late = lake.read(Tables.BRONZE_EVENTS).where(col("source_file").contains("late-from-"));
    assertThat(late.count()).isPositive();
    assertThat(late.where(col("event_date").geq(col("landing_date"))).count())
        .as("events delivered late belong to an earlier day than their landing").isZero();
    assertThat(late.where(col("event_date").notEqual(to_date(col("ts")))).count()).isZero();
  }

  @Test
  void accountsKeepLatestSnapshotAndHistory() {
    long accounts = lake.read(Tables.BRONZE_ACCOUNTS).count();
    long distinct = spark.read().json(landing + "/accounts/*/*").select("account_id").distinct().count();
    assertThat(accounts).isEqualTo(distinct);
    assertThat(lake.read(Tables.BRONZE_ACCOUNTS_HISTORY).count()).isGreaterThanOrEqualTo(accounts);
    assertThat(results.get(0).accountsRead()).isPositive();
  }

  @Test
  void reingestingADayLeavesTheLakeUnchanged() {
    String events = Digest.of(lake.read(Tables.BRONZE_EVENTS));
    String quarantine = Digest.of(lake.read(Tables.QUARANTINE_EVENTS));
    String accounts = Digest.of(lake.read(Tables.BRONZE_ACCOUNTS));
    IngestJob.Result again = new IngestJob(lake, Fixtures.ingest(landing, Fixtures.FROM.plusDays(1))).execute();
    assertThat(again.inserted()).isZero();
    assertThat(again.read()).isEqualTo(results.get(1).read());
    assertThat(again.quarantined()).isEqualTo(results.get(1).quarantined());
    assertThat(Digest.of(lake.read(Tables.BRONZE_EVENTS))).isEqualTo(events);
    assertThat(Digest.of(lake.read(Tables.QUARANTINE_EVENTS))).isEqualTo(quarantine);
    assertThat(Digest.of(lake.read(Tables.BRONZE_ACCOUNTS))).isEqualTo(accounts);
  }

  @Test
  void runsAreRecorded() {
    Dataset<Row> runs = lake.read(Tables.OPS_RUNS).where(col("command").equalTo("ingest"));
    assertThat(runs.count()).isEqualTo(3);
    Row first = runs.orderBy("date").first();
    scala.collection.Map<String, Object> m = first.getMap(2);
    assertThat(m.apply("read")).isEqualTo(results.get(0).read());
  }

  @Test
  void outOfOrderIngestGivesTheSameEvents() {
    Lake other = Lake.open(spark, Fixtures.tempDir("lake-reversed").toString());
    for (int d = 2; d >= 0; d--) {
      new IngestJob(other, Fixtures.ingest(landing, Fixtures.FROM.plusDays(d))).execute();
    }
    assertThat(Digest.of(other.read(Tables.BRONZE_EVENTS))).isEqualTo(Digest.of(lake.read(Tables.BRONZE_EVENTS)));
    assertThat(Digest.of(other.read(Tables.QUARANTINE_EVENTS))).isEqualTo(Digest.of(lake.read(Tables.QUARANTINE_EVENTS)));
  }

  @Test
  void missingDateFolderIsAClearError() {
    LocalDate missing = LocalDate.parse("2020-01-01");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new IngestJob(lake, Fixtures.ingest(landing, missing)).execute())
        .isInstanceOf(io.distillwatch.jobs.cli.InvalidInputException.class)
        .hasMessageContaining("no landing folder");
  }
}
