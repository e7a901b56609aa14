package io.distillwatch.jobs.ingest;

import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.jobs.testing.Race;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two runs of one date at once on one lake, the CI suite's size (issue 7, concurrency): on a lake
 * that already holds the second small-landing day (so the race is over rows of existing tables, not
 * over creating them), two {@code ingest} runs of the first day started together. Each writes by a
 * MERGE (bronze.events, the account registry) and by {@code replaceWhere} (quarantine), the two
 * kinds of write every stage makes, so Delta's optimistic commits must let one run win and refuse
 * the other with a conflict (or let both commit the same rows), and after the operator's re-run the
 * tables equal the shared clean lake's (both days in order: the order of days changes nothing,
 * {@link OutOfOrderIngestTest}). The racing runs use adaptive execution, which the clean lake's
 * ingests did not. The same at the size of a whole {@code nightly} (every stage, two runs at once)
 * is {@link io.distillwatch.jobs.nightly.ConcurrentNightlyTest}, in the reliability suite.
 */
@Order(3) // compares with the shared clean lake
class ConcurrentIngestTest {

  @Test
  void twoIngestsOfOneDateAtOnceLeaveTheLakeOfOneRun() throws Exception {
    IngestJob.Options day = Fixtures.ingest(Fixtures.smallLanding(), Fixtures.FROM);
    Lake before = Lake.open(SharedSpark.get(), Fixtures.tempDir("ingest-concurrent").toString());
    new IngestJob(before, Fixtures.ingest(Fixtures.smallLanding(), Fixtures.FROM.plusDays(1))).execute();
    SparkSession adaptive = SharedSpark.get().newSession(); // its own SQL settings, the same Spark context
    adaptive.conf().set("spark.sql.adaptive.enabled", "true");
    Lake lake = Lake.open(adaptive, before.root());
    if (Race.twice("concurrent ingest", () -> new IngestJob(lake, day).execute()) > 0) {
      new IngestJob(lake, day).execute(); // what the conflict message tells the operator to do
    }
    assertThat(Fixtures.digests(lake))
        .as("tables after two ingests at once (adaptive execution) = those of one ingest (without it)")
        .isEqualTo(Fixtures.cleanLake().digests());
  }
}
