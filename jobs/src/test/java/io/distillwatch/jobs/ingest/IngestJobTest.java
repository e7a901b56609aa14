package io.distillwatch.jobs.ingest;

import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.to_date;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Ingest against real Delta tables on local disk, with simulated landing data (2 days at scale
 * 0.05, including late deliveries, repeats and malformed lines). Spark is slow to start and
 * each ingest is a dozen Spark jobs, so the tests share one ingested lake.
 */
@Order(2) // needs the shared clean lake: run it late, when it is built
class IngestJobTest {
  static SparkSession spark;
  static Path landing;
  static Lake lake;
  static List<IngestJob.Result> results;

  @BeforeAll
  static void ingestTwoDays() {
    spark = SharedSpark.get();
    landing = Fixtures.smallLanding();
    Fixtures.CleanLake clean = Fixtures.cleanLake();
    lake = clean.lake();
    results = clean.results();
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
    Dataset<Row> q = lake.read(Tables.QUARANTINE_EVENTS).cache();
    assertThat(q.count()).isEqualTo(results.stream().mapToLong(IngestJob.Result::quarantined).sum())
        .isGreaterThanOrEqualTo(8);
    assertThat(q.where(col("reason").isNull().or(col("raw_line").isNull()).or(col("source_file").isNull())).count()).isZero();
    List<String> reasons = q.select("reason").as(Encoders.STRING()).collectAsList();
    assertThat(reasons).anyMatch(r -> r.startsWith("broken JSON"))
        .anyMatch(r -> r.equals("missing required field 'prompt'"))
        .anyMatch(r -> r.contains("'ts' is not ISO-8601"))
        .anyMatch(r -> r.contains("'asn' must be a 32-bit integer"));
    assertThat(q.where(col("source_file").endsWith("part-00000.jsonl")).count()).isEqualTo(q.count());
    q.unpersist();
  }

  @Test
  void repeatedAndLateDeliveriesCountOnce() {
    Dataset<Row> events = lake.read(Tables.BRONZE_EVENTS);
    long rows = events.count();
    assertThat(events.select(countDistinct("event_id")).first().getLong(0)).isEqualTo(rows);
    // the landing zone holds repeats (late-from-*.jsonl); bronze holds each valid event once.
    // The simulator's malformed lines have ids "evt_bad_..."; real ids are hex and may start "evt_bad".
    Dataset<Row> valid = spark.read().text(landing + "/events/*/*")
        .select(get_json_object(col("value"), "$.event_id").as("id"), get_json_object(col("value"), "$.prompt").as("p"))
        .where(col("p").isNotNull().and(col("id").startsWith("evt_bad_").equalTo(false)))
        .cache();
    long distinctValid = valid.select("id").distinct().count();
    long validLines = valid.count();
    valid.unpersist();
    assertThat(validLines).isGreaterThan(distinctValid);
    assertThat(rows).isEqualTo(distinctValid);
    long alreadyPresent = results.stream().mapToLong(IngestJob.Result::alreadyPresent).sum();
    assertThat(alreadyPresent).isEqualTo(validLines - distinctValid);
  }

  @Test
  void lateEventsLandInThePartitionOfTheirOwnDay() {
    Dataset<Row> late = lake.read(Tables.BRONZE_EVENTS).where(col("source_file").contains("late-from-"));
    Row r = late.selectExpr("count(1)", "count_if(event_date >= landing_date)", "count_if(event_date != to_date(ts))").first();
    assertThat(r.getLong(0)).as("late deliveries in bronze").isPositive();
    assertThat(r.getLong(1)).as("events delivered late belong to an earlier day than their landing").isZero();
    assertThat(r.getLong(2)).isZero();
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
  void runsAreRecorded() {
    List<Row> runs = lake.read(Tables.OPS_RUNS).where(col("command").equalTo("ingest")).orderBy("date").collectAsList();
    assertThat(runs).hasSize(2);
    scala.collection.Map<String, Object> m = runs.get(0).getMap(2);
    assertThat(m.apply("read")).isEqualTo(results.get(0).read());
  }

  @Test
  void tooMuchQuarantineFailsTheNightAndWritesNothing() {
    Lake other = Lake.open(spark, Fixtures.tempDir("lake-strict").toString());
    IngestJob.Options strict = new IngestJob.Options(landing.toString(), Fixtures.FROM,
        io.distillwatch.features.validate.EventValidator.defaults(), 0.0001);
    assertThatThrownBy(() -> new IngestJob(other, strict).execute())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("more than --max-quarantine-ratio")
        .hasMessageContaining("nothing was written");
    assertThat(other.exists(Tables.BRONZE_EVENTS)).isFalse();
    assertThat(other.exists(Tables.QUARANTINE_EVENTS)).isFalse();
  }

  @Test
  void missingDateFolderIsAClearError() {
    LocalDate missing = LocalDate.parse("2020-01-01");
    assertThatThrownBy(() -> new IngestJob(lake, Fixtures.ingest(landing, missing)).execute())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no landing folder");
  }
}
