package io.distillwatch.jobs.lake;

import io.distillwatch.jobs.failures.StoreUnavailable;
import io.distillwatch.jobs.testing.FaultyBlobStore;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.jobs.testing.S3Server;
import io.distillwatch.testing.SharedSpark;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.MethodOrderer;

import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delta commits on s3a:// while the S3 endpoint misbehaves (issue 7, S3 faults), against S3Proxy
 * over a {@link FaultyBlobStore}: 503 Slow Down on every fourth request, slow answers, and an
 * outage. S3A's retries (the bucket's {@code fs.s3a.retry.*} settings) absorb throttling and
 * slowness; an outage fails the write with an error that says so, the Delta log stays at its last
 * committed version, and the next run after the outage commits normally.
 */
@Order(5) // its own buckets
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class S3FaultsTest {
  private S3Server s3;
  private FaultyBlobStore store;
  private Lake lake;

  @BeforeAll
  void start() throws Exception {
    AtomicReference<FaultyBlobStore> faulty = new AtomicReference<>();
    s3 = new S3Server(b -> {
      faulty.set(new FaultyBlobStore(b));
      return faulty.get();
    }, "faulty");
    store = faulty.get();
    Configuration conf = SharedSpark.get().sparkContext().hadoopConfiguration();
    s3.configure(conf, "faulty");
    // throttling is retried on its own budget: short here, so the outage test ends in seconds
    conf.set("fs.s3a.bucket.faulty.retry.throttle.limit", "4");
    conf.set("fs.s3a.bucket.faulty.retry.throttle.interval", "50ms");
    lake = Lake.open(SharedSpark.get(), "s3a://faulty/lake");
  }

  @AfterAll
  void stop() throws Exception {
    s3.close();
  }

  private long runs() {
    return lake.read(Tables.OPS_RUNS).count();
  }

  private void commit(LocalDate d) {
    lake.recordRun("s3-faults", d, Map.of("n", 1L)); // a Delta MERGE: log reads, data reads and writes, a commit
  }

  @Test
  @org.junit.jupiter.api.Order(1)
  void throttledAndSlowRequestsAreRetriedAndEveryCommitLands() {
    store.failEveryNth(4);
    for (int i = 0; i < 3; i++) {
      commit(Fixtures.FROM.plusDays(i));
    }
    store.heal();
    assertThat(store.injected()).as("503s were really sent").isPositive();
    assertThat(runs()).isEqualTo(3);

    store.delay(150);
    long r0 = store.requests();
    commit(Fixtures.FROM.plusDays(3));
    requestsPerCommit = store.requests() - r0;
    store.heal();
    assertThat(runs()).isEqualTo(4);
    System.out.printf("s3 faults: %d requests answered 503 and retried; one commit takes %d requests%n",
        store.injected(), requestsPerCommit);
  }

  private long requestsPerCommit;

  @Test
  @org.junit.jupiter.api.Order(2)
  void anOutageFailsTheWriteClearlyAndTheNextRunCommits() {
    outageFailsTheWriteAndTheNextRunCommits(0, Fixtures.FROM.plusDays(10));
  }

  @Test
  @org.junit.jupiter.api.Order(3)
  void anOutageInTheMiddleOfACommitLeavesTheLogAtItsLastVersion() {
    assertThat(requestsPerCommit).isGreaterThan(4);
    outageFailsTheWriteAndTheNextRunCommits(requestsPerCommit / 2, Fixtures.FROM.plusDays(11));
  }

  /** The store goes down after {@code after} requests of a commit; the commit fails, nothing is half-written, the next one lands. */
  private void outageFailsTheWriteAndTheNextRunCommits(long after, LocalDate d) {
    long before = runs();
    long version = lake.ensure(Tables.OPS_RUNS).history(1).first().getLong(0);
    store.downAfter(after);
    Throwable failure = null;
    long t0 = System.nanoTime();
    try {
      commit(d);
    } catch (Throwable t) {
      failure = t;
    } finally {
      store.heal();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertThat(failure).as("a write during an outage fails").isNotNull();
    System.out.printf("s3 outage after %d requests: failed in %.1f s: %s%n", after, seconds,
        StoreUnavailable.find(failure).map(StoreUnavailable::describe).orElse(String.valueOf(failure)));
    assertThat(StoreUnavailable.find(failure)).as("recognised as the store being unavailable").isPresent();
    assertThat(seconds).as("within the retry budget, not hanging").isLessThan(120);
    assertThat(lake.ensure(Tables.OPS_RUNS).history(1).first().getLong(0)).as("log at its last commit").isEqualTo(version);
    assertThat(runs()).as("nothing half-written").isEqualTo(before);

    commit(d);
    assertThat(runs()).as("the next run commits").isEqualTo(before + 1);
  }
}
