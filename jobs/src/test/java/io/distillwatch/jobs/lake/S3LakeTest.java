package io.distillwatch.jobs.lake;

import io.distillwatch.jobs.ingest.IngestJob;
import io.distillwatch.jobs.ingest.LandingReader;
import io.distillwatch.jobs.simulate.SimConfig;
import io.distillwatch.jobs.simulate.Simulator;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.jobs.testing.S3Server;
import io.distillwatch.testing.SharedSpark;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Landing zone and lake on s3a://, against a real S3 protocol server (S3Proxy in this JVM): the
 * simulator writes one day through the Hadoop S3A client and the landing reader reads every line
 * of it back; the lake commits Delta transactions (replaceWhere and MERGE, each twice) to the
 * bucket. A whole {@code ingest} on s3a:// is the reliability suite's ({@code slow} tag): on the
 * 2-core CI machine it takes about half an hour for the same Delta code paths.
 */
@Order(5) // its own buckets
class S3LakeTest {
  static S3Server s3;
  static SparkSession spark;
  static SimConfig cfg = SimConfig.of(Fixtures.FROM, Fixtures.FROM, 3, 0.02);
  static Simulator.Result sim;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3Server("landing", "lake");
    spark = SharedSpark.get();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    s3.configure(conf, "landing");
    s3.configure(conf, "lake");
    sim = new Simulator(cfg, "s3a://landing/traffic", conf).run(d -> { });
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  @Test
  void landingAndDeltaCommitsOnS3() {
    String dir = "s3a://landing/traffic/events/date=" + Fixtures.FROM;
    LandingReader.Listing files = LandingReader.list(spark.sparkContext().hadoopConfiguration(), dir, true);
    assertThat(files.files()).isPositive();
    Dataset<Row> lines = LandingReader.read(spark, files);
    // one simulated day: every written line is in that day's folder (late files go to the next day)
    assertThat(lines.count()).as("lines read back through S3A").isEqualTo(sim.lines());

    Lake lake = Lake.open(spark, "s3a://lake/distillwatch");
    Dataset<Row> someLines = lines.where(col("line_number").leq(20))
        .withColumn("landing_date", lit(Fixtures.FROM.toString()).cast("date"))
        .withColumn("reason", lit("s3 test"))
        .withColumn("record_id", lit(null).cast("string"));
    long expected = someLines.count();
    String where = "landing_date = DATE'" + Fixtures.FROM + "'";
    lake.replace(Tables.QUARANTINE_EVENTS, someLines, where);
    lake.replace(Tables.QUARANTINE_EVENTS, someLines, where);
    assertThat(lake.read(Tables.QUARANTINE_EVENTS).count()).as("replaceWhere twice, rows once").isEqualTo(expected);

    lake.recordRun("s3-test", Fixtures.FROM, Map.of("lines", sim.lines()));
    lake.recordRun("s3-test", Fixtures.FROM, Map.of("lines", sim.lines()));
    assertThat(lake.read(Tables.OPS_RUNS).count()).as("MERGE twice on the natural key, one row").isEqualTo(1);

    List<String> log = objects("lake", "distillwatch/quarantine/events/_delta_log/");
    assertThat(log).as("Delta commits are objects in the bucket")
        .anyMatch(k -> k.endsWith("00000000000000000000.json"))
        .anyMatch(k -> k.endsWith("00000000000000000002.json"));
    assertThat(objects("lake", "distillwatch/quarantine/events/landing_date=" + Fixtures.FROM)).isNotEmpty();
  }

  @Test
  @Tag("slow")
  void ingestOnS3IsComplete() {
    Lake lake = Lake.open(spark, "s3a://lake/ingest");
    IngestJob.Result first = new IngestJob(lake, Fixtures.ingest("s3a://landing/traffic", Fixtures.FROM)).execute();
    assertThat(first.read()).isEqualTo(sim.lines());
    assertThat(first.accepted() + first.quarantined()).isEqualTo(first.read());
    assertThat(first.quarantined()).isGreaterThanOrEqualTo(cfg.malformedPerDay());
    assertThat(first.inserted()).isPositive();
    assertThat(objects("lake", "ingest/bronze/events/_delta_log/")).anyMatch(k -> k.endsWith("00000000000000000000.json"));
    assertThat(objects("lake", "ingest/bronze/events/event_date=" + Fixtures.FROM)).isNotEmpty();
  }

  private static List<String> objects(String bucket, String prefix) {
    List<String> keys = new ArrayList<>();
    for (StorageMetadata m : s3.blobStore().list(bucket, ListContainerOptions.Builder.prefix(prefix).recursive())) {
      keys.add(m.getName());
    }
    return keys;
  }
}
