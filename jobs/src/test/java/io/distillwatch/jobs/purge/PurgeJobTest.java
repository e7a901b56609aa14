package io.distillwatch.jobs.purge;

import io.distillwatch.jobs.features.FeaturesJob;
import io.distillwatch.jobs.ingest.IngestJob;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.TableSpec;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.testing.CliRun;
import io.distillwatch.jobs.testing.Digest;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retention: {@code purge --before D} on a copy of the shared clean lake (two ingested days) with
 * features for the first day. The first day's raw text is gone from the tables and from every file on
 * disk, the second day's is untouched, nothing derived changes, a second purge does nothing, and a
 * re-delivered purged day neither counts twice nor brings the text back into bronze.
 */
@Order(2) // copies the shared clean lake: run it late, when it is built
@Tag("slow") // about 3 minutes of its own (a feature day, two purges, a re-delivered day): reliability suite
class PurgeJobTest {
  static final LocalDate DAY1 = Fixtures.FROM;
  static final LocalDate DAY2 = DAY1.plusDays(1);

  @Test
  void rawTextBeforeTheDateIsGoneAndEverythingDerivedStays() throws IOException {
    Lake lake = copyOfTheCleanLake();
    FeaturesJob.Options f = FeaturesJob.Options.defaults(DAY1);
    new FeaturesJob(lake, new FeaturesJob.Options(DAY1, f.bands(), f.rows(), f.shingle(), f.minSimilarity(),
        f.minTemplateRequests(), "none", f.device())).execute();
    Map<String, String> derived = derivedDigests(lake);
    long events = lake.read(Tables.BRONZE_EVENTS).count();
    long day2Text = withText(lake.read(Tables.BRONZE_EVENTS).where(col("event_date").equalTo(lit(Date.valueOf(DAY2)))));
    List<String> day1Prompts = lake.read(Tables.BRONZE_EVENTS).where(col("event_date").equalTo(lit(Date.valueOf(DAY1))))
        .where(length(col("prompt")).gt(40)).select("prompt").distinct().limit(50).as(Encoders.STRING()).collectAsList();
    assertThat(day1Prompts).hasSizeGreaterThan(10);
    assertThat(onDisk(lake, day1Prompts)).as("control: the files hold the prompts before the purge").isPositive();

    PurgeJob.Result r = new PurgeJob(lake, new PurgeJob.Options(DAY2, LocalDate.now(ZoneOffset.UTC))).execute();
    assertThat(r.eventsBlanked()).isPositive();
    assertThat(r.quarantineBlanked()).isPositive(); // the simulator's malformed lines of day 1
    assertThat(r.filesRemoved()).isPositive();

    Dataset<Row> bronze = lake.read(Tables.BRONZE_EVENTS);
    assertThat(bronze.count()).isEqualTo(events);
    assertThat(withText(bronze.where(col("event_date").lt(lit(Date.valueOf(DAY2)))))).isZero();
    assertThat(withText(bronze.where(col("event_date").equalTo(lit(Date.valueOf(DAY2)))))).isEqualTo(day2Text).isPositive();
    assertThat(onDisk(lake, day1Prompts)).as("no file of the table holds a purged prompt").isZero();
    assertThat(lake.read(Tables.QUARANTINE_EVENTS).where(col("landing_date").lt(lit(Date.valueOf(DAY2)))
        .and(col("raw_line").isNotNull())).count()).isZero();
    assertThat(derivedDigests(lake)).as("templates and features").isEqualTo(derived);

    PurgeJob.Result again = new PurgeJob(lake, new PurgeJob.Options(DAY2, LocalDate.now(ZoneOffset.UTC))).execute();
    assertThat(List.of(again.eventsBlanked(), again.quarantineBlanked(), again.filesRemoved())).containsOnly(0L);

    // day 1 delivered again: counted once (content hashes survive the purge), no text back in bronze
    IngestJob.Result redelivered = new IngestJob(lake, Fixtures.ingest(Fixtures.smallLanding(), DAY1)).execute();
    assertThat(redelivered.inserted()).isZero();
    assertThat(lake.read(Tables.BRONZE_EVENTS).count()).isEqualTo(events);
    assertThat(withText(lake.read(Tables.BRONZE_EVENTS).where(col("event_date").equalTo(lit(Date.valueOf(DAY1)))))).isZero();

    CliRun.Outcome future = CliRun.run("purge", "--lake", lake.root(), "--before",
        LocalDate.now(ZoneOffset.UTC).plusDays(3).toString());
    assertThat(future.code()).isEqualTo(2);
    assertThat(future.err().strip().lines().count()).isEqualTo(1);
  }

  private static long withText(Dataset<Row> events) {
    return events.where(col("prompt").notEqual(lit("")).or(col("system_prompt").isNotNull())
        .or(col("response").isNotNull())).count();
  }

  /**
   * Day-1 rows holding one of the prompts in any Parquet file of day 1's partition folder, referenced by
   * the table or not (the same prompt text recurs on day 2, which keeps it).
   */
  private static long onDisk(Lake lake, List<String> prompts) {
    return SharedSpark.get().read().parquet(lake.path(Tables.BRONZE_EVENTS) + "/event_date=" + DAY1)
        .where(col("prompt").isin(prompts.toArray())).count();
  }

  private static Map<String, String> derivedDigests(Lake lake) {
    Map<String, String> d = new TreeMap<>();
    for (TableSpec t : List.of(Tables.SILVER_TEMPLATES, Tables.SILVER_REQUEST_TEMPLATES, Tables.GOLD_ACCOUNT_DAILY,
        Tables.BRONZE_ACCOUNTS)) {
      d.put(t.name(), Digest.of(lake.read(t)));
    }
    return d;
  }

  /** The shared clean lake is read by other tests: purge a copy (Delta logs hold relative paths). */
  private static Lake copyOfTheCleanLake() throws IOException {
    Path from = Path.of(new org.apache.hadoop.fs.Path(Fixtures.cleanLake().lake().root()).toUri().getPath());
    Path to = Fixtures.tempDir("purge-lake");
    try (var walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return Lake.open(SharedSpark.get(), to.toString());
  }
}
