package io.distillwatch.jobs.testing;

import io.distillwatch.jobs.failures.ConflictingWrite;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** Two runs of the same work started together on two threads, as two schedulers firing at once would. */
public final class Race {
  private Race() {}

  /**
   * Runs {@code work} twice at once and asserts what optimistic commits promise: at least one run
   * wins, and a run that loses fails with a write conflict, not anything else.
   *
   * @return how many runs lost (0 or 1); the caller re-runs the work once if one did, as the conflict
   *     message tells an operator to
   */
  public static int twice(String what, Callable<?> work) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<?>> runs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      runs.add(pool.submit(() -> {
        start.await();
        return work.call();
      }));
    }
    start.countDown();
    List<Throwable> failures = new ArrayList<>();
    for (Future<?> run : runs) {
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
    System.out.printf("%s: %d of 2 runs committed, %d lost to a conflict%s%n", what, 2 - failures.size(),
        failures.size(), failures.isEmpty() ? ""
            : " (" + ConflictingWrite.describe(ConflictingWrite.find(failures.get(0)).orElseThrow()) + ")");
    return failures.size();
  }
}
