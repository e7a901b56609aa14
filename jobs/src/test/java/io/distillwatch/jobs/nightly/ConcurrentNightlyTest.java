package io.distillwatch.jobs.nightly;

import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.ConflictingWrite;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.TableSpec;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.testing.CampaignLake;
import io.distillwatch.jobs.testing.Digest;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.testing.SharedSpark;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two {@code nightly} runs for the same date at once on one lake (issue 7, concurrency): Delta's
 * optimistic commits let one write win and make the other fail with a conflict, or let both commit
 * the same rows; never a corrupted table. After the runs (and the operator's re-run of the date
 * that a conflict asks for) every table equals that of a single uninterrupted run.
 */
class ConcurrentNightlyTest {

  @Test
  void twoRunsOfOneDateAtOnceLeaveTheLakeOfOneRun() throws Exception {
    Path landing = Fixtures.smallLanding();
    NightlyJob.Options night = CampaignLake.night(landing, Fixtures.FROM);

    Lake reference = Lake.open(SharedSpark.get(), Fixtures.tempDir("nightly-single").toString());
    new NightlyJob(reference, night).execute(line -> { });

    Lake lake = Lake.open(SharedSpark.get(), Fixtures.tempDir("nightly-concurrent").toString());
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<NightlyJob.Result>> runs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      runs.add(pool.submit(() -> {
        start.await();
        return new NightlyJob(lake, night).execute(line -> { });
      }));
    }
    start.countDown();
    List<Throwable> failures = new ArrayList<>();
    for (Future<NightlyJob.Result> run : runs) {
      try {
        run.get();
      } catch (java.util.concurrent.ExecutionException e) {
        failures.add(e.getCause());
      }
    }
    pool.shutdown();
    assertThat(failures).as("at least one run wins").hasSizeLessThan(2);
    for (Throwable f : failures) {
      assertThat(ConflictingWrite.find(f)).as("the loser fails with a write conflict, not anything else: %s", f)
          .isPresent();
    }
    if (!failures.isEmpty()) {
      new NightlyJob(lake, night).execute(line -> { }); // what the conflict message tells the operator to do
    }
    assertThat(digests(lake)).isEqualTo(digests(reference));
  }

  /** Content digests of every table a night writes (ops.runs left out: it holds wall-clock times). */
  static Map<String, String> digests(Lake lake) {
    List<TableSpec> tables = new ArrayList<>(Tables.ALL);
    tables.addAll(CampaignTables.NIGHTLY.all());
    Map<String, String> d = new TreeMap<>();
    for (TableSpec t : tables) {
      if (t != Tables.OPS_RUNS && lake.exists(t)) {
        d.put(t.name(), Digest.of(lake.read(t)));
      }
    }
    return d;
  }
}
