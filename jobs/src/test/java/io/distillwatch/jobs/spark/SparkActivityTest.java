package io.distillwatch.jobs.spark;

import io.distillwatch.testing.SharedSpark;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** What the progress lines and ops.runs say a step cost: counted per thread, nested counts included. */
class SparkActivityTest {

  private static void rddJobs(JavaSparkContext jsc, int n) {
    for (int i = 0; i < n; i++) {
      jsc.parallelize(List.of(1, 2, 3, 4), 2).map(x -> x * 2).count(); // one Spark job each
    }
  }

  @Test
  void countsTheJobsTaskTimeAndCommitsOfItsThreadAndNests() {
    SparkContext sc = SharedSpark.get().sparkContext();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
    rddJobs(jsc, 1); // a job before any count is counted by none

    SparkActivity.Meter outer = SparkActivity.start(sc);
    rddJobs(jsc, 2);
    SparkActivity.commit();
    SparkActivity.Meter inner = SparkActivity.start(sc);
    rddJobs(jsc, 3);
    SparkActivity.commit();
    SparkActivity.commit();
    SparkActivity.Counts innerCounts = inner.stop();
    rddJobs(jsc, 1);
    SparkActivity.Counts outerCounts = outer.stop();

    assertThat(innerCounts.sparkJobs()).isEqualTo(3);
    assertThat(innerCounts.commits()).isEqualTo(2);
    assertThat(outerCounts.sparkJobs()).as("the outer count holds the inner one's jobs").isEqualTo(6);
    assertThat(outerCounts.commits()).isEqualTo(3);
    assertThat(outerCounts.taskMillis()).isGreaterThanOrEqualTo(innerCounts.taskMillis());
    assertThat(inner.stop()).as("stopping again returns the same").isEqualTo(innerCounts);
    assertThat(sc.getLocalProperty(SparkActivity.TAG)).as("the thread's tag restored").isNull();
    assertThat(outerCounts.toString()).startsWith("6 Spark jobs, ").endsWith(", 3 commits");
  }

  @Test
  void twoThreadsAtOnceAreCountedApart() throws Exception {
    SparkContext sc = SharedSpark.get().sparkContext();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
    CountDownLatch together = new CountDownLatch(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Callable<SparkActivity.Counts>> work = List.of(4, 7).stream().<Callable<SparkActivity.Counts>>map(n -> () -> {
        SparkActivity.Meter m = SparkActivity.start(sc);
        together.countDown();
        together.await();
        rddJobs(jsc, n);
        for (int i = 0; i < n; i++) {
          SparkActivity.commit();
        }
        return m.stop();
      }).toList();
      List<Future<SparkActivity.Counts>> done = pool.invokeAll(work);
      assertThat(done.get(0).get().sparkJobs()).isEqualTo(4);
      assertThat(done.get(0).get().commits()).isEqualTo(4);
      assertThat(done.get(1).get().sparkJobs()).isEqualTo(7);
      assertThat(done.get(1).get().commits()).isEqualTo(7);
    } finally {
      pool.shutdown();
    }
  }
}
