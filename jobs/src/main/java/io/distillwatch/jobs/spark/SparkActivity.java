package io.distillwatch.jobs.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a piece of work cost Spark: the Spark jobs it started and the Delta commits it made. Work is
 * tagged by a thread-local Spark property ({@link #TAG}), so two jobs running at once in one JVM are
 * counted apart; a listener registered once per SparkContext counts the jobs each tag started and
 * sums their stages' task run time.
 * Commits are counted by the lake's write methods on the calling thread.
 */
public final class SparkActivity {
  private SparkActivity() {}

  /** The Spark local property that tags the jobs of one step. */
  public static final String TAG = "distillwatch.activity";

  /** Per tag, what its jobs and their stages cost. */
  private static final class Tally {
    final AtomicLong jobs = new AtomicLong();
    final AtomicLong taskMillis = new AtomicLong();
  }

  private static final Map<String, Tally> TALLIES = new ConcurrentHashMap<>();
  private static final Map<Integer, List<Tally>> STAGES = new ConcurrentHashMap<>();
  private static final AtomicLong NEXT_TAG = new AtomicLong();
  private static final ThreadLocal<long[]> COMMITS = ThreadLocal.withInitial(() -> new long[1]);
  private static SparkContext registeredOn;

  /**
   * Jobs and commits counted since a {@link #start}, and the executors' run time of those jobs' tasks
   * (set beside the wall time, it tells work on the executors from the driver's own: planning,
   * commits, waiting).
   */
  public record Counts(long sparkJobs, long commits, long taskMillis) {
    @Override
    public String toString() {
      return String.format("%d Spark job%s, %.1f task-s, %d commit%s", sparkJobs, sparkJobs == 1 ? "" : "s",
          taskMillis / 1000.0, commits, commits == 1 ? "" : "s");
    }
  }

  /** A running count; {@link #stop} ends it. */
  public static final class Meter {
    private final SparkContext sc;
    private final String tag;
    private final String previousTag;
    private final long commitsAtStart;
    private Counts stopped;

    private Meter(SparkContext sc, String tag, String previousTag) {
      this.sc = sc;
      this.tag = tag;
      this.previousTag = previousTag;
      this.commitsAtStart = COMMITS.get()[0];
    }

    private Counts counted(Tally t) {
      return new Counts(t == null ? 0 : t.jobs.get(), COMMITS.get()[0] - commitsAtStart,
          t == null ? 0 : t.taskMillis.get());
    }

    /** What was counted so far, without stopping. */
    public Counts peek() {
      drainListenerBus(sc);
      return counted(TALLIES.get(tag));
    }

    /** Stops counting (restoring the enclosing count's tag) and returns what was counted; again, the same. */
    public Counts stop() {
      if (stopped == null) {
        sc.setLocalProperty(TAG, previousTag);
        drainListenerBus(sc);
        stopped = counted(TALLIES.remove(tag));
      }
      return stopped;
    }
  }

  /**
   * Starts counting the Spark jobs this thread starts, and its commits. Counts nest: a job started
   * inside two running counts (a stage of the night, a step of that stage) is counted by both.
   */
  public static Meter start(SparkContext sc) {
    register(sc);
    String tag = Long.toString(NEXT_TAG.incrementAndGet());
    String previous = sc.getLocalProperty(TAG);
    TALLIES.put(tag, new Tally());
    sc.setLocalProperty(TAG, previous == null ? tag : previous + "," + tag);
    return new Meter(sc, tag, previous);
  }

  /** Counts one Delta commit made by this thread. */
  public static void commit() {
    COMMITS.get()[0]++;
  }

  /**
   * Job-start and stage-completed events reach listeners asynchronously, in the order they were posted:
   * post a marker and wait (briefly) until the listener has seen it, so every event of this thread's
   * finished jobs has been counted. Waiting for the whole bus to drain instead would wait on other
   * threads' busy jobs. {@code listenerBus().post} is Spark-internal (public in bytecode); if it is
   * ever gone, a count may miss a job that finished in the last instant.
   */
  private static void drainListenerBus(SparkContext sc) {
    try {
      Marker marker = new Marker();
      sc.listenerBus().post(marker);
      marker.seen.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | LinkageError e) {
      // a count short by a job or two is better than a failed night
    }
  }

  /** An event of our own on the listener bus: when the listener sees it, what was posted before it was seen too. */
  private static final class Marker implements SparkListenerEvent {
    final CountDownLatch seen = new CountDownLatch(1);

    @Override
    public boolean logEvent() {
      return false; // never written to an event log
    }
  }

  private static synchronized void register(SparkContext sc) {
    if (registeredOn != sc) {
      sc.addSparkListener(new SparkListener() {
        @Override
        public void onJobStart(SparkListenerJobStart job) {
          tallies(job.properties()).forEach(t -> t.jobs.incrementAndGet());
        }

        @Override
        public void onOtherEvent(SparkListenerEvent event) {
          if (event instanceof Marker m) {
            m.seen.countDown();
          }
        }

        @Override
        public void onStageSubmitted(SparkListenerStageSubmitted stage) {
          List<Tally> t = tallies(stage.properties());
          if (!t.isEmpty()) {
            STAGES.put(stage.stageInfo().stageId(), t);
          }
        }

        @Override
        public void onStageCompleted(SparkListenerStageCompleted stage) {
          List<Tally> t = STAGES.remove(stage.stageInfo().stageId());
          if (t != null && stage.stageInfo().taskMetrics() != null) {
            long ms = stage.stageInfo().taskMetrics().executorRunTime();
            t.forEach(x -> x.taskMillis.addAndGet(ms));
          }
        }
      });
      registeredOn = sc;
    }
  }

  /** The running counts a job or stage belongs to (its thread's chain of tags). */
  private static List<Tally> tallies(Properties properties) {
    String chain = properties == null ? null : properties.getProperty(TAG);
    if (chain == null) {
      return List.of();
    }
    List<Tally> out = new ArrayList<>();
    for (String tag : chain.split(",")) {
      Tally t = TALLIES.get(tag);
      if (t != null) {
        out.add(t);
      }
    }
    return out;
  }
}
