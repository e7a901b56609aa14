package io.distillwatch.jobs.ingest;

import io.distillwatch.jobs.failures.ConflictingWrite;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<IngestJob.Result>> runs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      runs.add(pool.submit(() -> {
        start.await();
        return new IngestJob(lake, day).execute();
      }));
    }
    start.countDown();
    List<Throwable> failures = new ArrayList<>();
    for (Future<IngestJob.Result> run : runs) {
      try {
        run.get();
      } catch (ExecutionException e) {
        failures.add(e.getCause());
      }
    }
    pool.shutdown();
    assertThat(failures).as("at least one run wins").hasSizeLessThan(2);
    for (Throwable f : failures) {
      assertThat(ConflictingWrite.find(f)).as("the loser fails with a write conflict, not anything else: %s", f)
          .isPresent();
    }
    System.out.printf("concurrent ingest: %d of 2 runs committed, %d lost to a conflict%s%n", 2 - failures.size(),
        failures.size(), failures.isEmpty() ? "" : " (" + ConflictingWrite.describe(ConflictingWrite.find(failures.get(0)).orElseThrow()) + ")");
    if (!failures.isEmpty()) {
      new IngestJob(lake, day).execute(); // what the conflict message tells the operator to do
    }
    assertThat(Fixtures.digests(lake))
        .as("tables after two ingests at once (adaptive execution) = those of one ingest (without it)")
        .isEqualTo(Fixtures.cleanLake().digests());
  }
}
