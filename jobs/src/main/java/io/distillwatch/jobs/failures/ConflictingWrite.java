package io.distillwatch.jobs.failures;

import java.util.ConcurrentModificationException;
import java.util.Optional;
import org.apache.spark.SparkThrowable;

/**
 * Another run committed to the same table between this run's read and its commit. Delta's
 * optimistic concurrency rejects the later commit (its conflict exceptions are
 * {@link ConcurrentModificationException}s), so the table stays as the other run left it and
 * this run's write is not applied: the fix is to run the date again once the other run is done.
 */
public final class ConflictingWrite {
  private ConflictingWrite() {}

  /**
   * The conflict in {@code t}'s cause chain, if it is one. Two runs that both create a table on a new lake
   * race too: the later create finds the other's commit in the folder and is refused whole
   * ({@value #CREATED_MEANWHILE}).
   */
  public static Optional<Throwable> find(Throwable t) {
    return Causes.first(t, c -> c instanceof ConcurrentModificationException
        || (c instanceof SparkThrowable s && CREATED_MEANWHILE.equals(s.getCondition())));
  }

  static final String CREATED_MEANWHILE = "DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION";

  /** One line for the operator: what happened, that nothing is half-written, what to do. */
  public static String describe(Throwable conflict) {
    String first = conflict.getMessage() == null ? "" : conflict.getMessage().lines().findFirst().orElse("");
    return "another run wrote the same table at the same time (" + conflict.getClass().getSimpleName() + ": " + first
        + "); this run's write was not committed and the table is as the other run left it: run the date again"
        + " once the other run has finished";
  }
}
