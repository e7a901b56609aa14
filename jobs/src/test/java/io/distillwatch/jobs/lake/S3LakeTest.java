package io.distillwatch.jobs.lake;

import io.distillwatch.jobs.ingest.IngestJob;
import io.distillwatch.jobs.simulate.SimConfig;
import io.distillwatch.jobs.simulate.Simulator;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.jobs.testing.S3Server;
import io.distillwatch.testing.SharedSpark;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Landing zone and lake on s3a://, against a real S3 protocol server (S3Proxy in this JVM):
 * the simulator writes through the Hadoop S3A client, ingest reads it back and commits Delta
 * transactions to the bucket, and a re-run changes nothing.
 */
class S3LakeTest {
  static S3Server s3;
  static SparkSession spark;

  @BeforeAll
  static void start() throws Exception {
    s3 = new S3Server("landing", "lake");
    spark = SharedSpark.get();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    s3.configure(conf, "landing");
    s3.configure(conf, "lake");
  }

  @AfterAll
  static void stop() throws Exception {
    s3.close();
  }

  @Test
  void ingestOnS3IsCompleteAndIdempotent() {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    SimConfig cfg = SimConfig.of(Fixtures.FROM, Fixtures.FROM, 3, 0.02);
    Simulator.Result sim = new Simulator(cfg, "s3a://landing/traffic", conf).run(d -> { });
    assertThat(objects("landing", "traffic/events/date=" + Fixtures.FROM)).isNotEmpty();

    Lake lake = Lake.open(spark, "s3a://lake/distillwatch");
    IngestJob.Result first = new IngestJob(lake, Fixtures.ingest("s3a://landing/traffic", Fixtures.FROM)).execute();
    // one simulated day: every written line is in that day's folder (late files go to the next day)
    assertThat(first.read()).isEqualTo(sim.lines());
    assertThat(first.accepted() + first.quarantined()).isEqualTo(first.read());
    assertThat(first.quarantined()).isGreaterThanOrEqualTo(cfg.malformedPerDay());
    assertThat(first.inserted()).isPositive();

    Map<String, String> before = Fixtures.digests(lake);
    IngestJob.Result again = new IngestJob(lake, Fixtures.ingest("s3a://landing/traffic", Fixtures.FROM)).execute();
    assertThat(again.inserted()).isZero();
    assertThat(Fixtures.digests(lake)).isEqualTo(before);

    List<String> log = objects("lake", "distillwatch/bronze/events/_delta_log/");
    assertThat(log).as("Delta commits are objects in the bucket").anyMatch(k -> k.endsWith("00000000000000000000.json"));
    assertThat(objects("lake", "distillwatch/bronze/events/event_date=" + Fixtures.FROM)).isNotEmpty();
  }

  private static List<String> objects(String bucket, String prefix) {
    List<String> keys = new ArrayList<>();
    for (StorageMetadata m : s3.blobStore().list(bucket, ListContainerOptions.Builder.prefix(prefix).recursive())) {
      keys.add(m.getName());
    }
    return keys;
  }
}
