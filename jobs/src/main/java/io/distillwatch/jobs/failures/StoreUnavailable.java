package io.distillwatch.jobs.failures;

import java.util.Optional;

/**
 * The object store stopped answering (503s past S3A's retry budget, 5xx errors, refused or timed
 * out connections). A Delta write either committed before that or not at all, so the table is at
 * its last committed version: the fix is to run the date again once the store is back.
 */
public final class StoreUnavailable {
  private StoreUnavailable() {}

  /** The store failure in {@code t}'s cause chain, if it is one. */
  public static Optional<Throwable> find(Throwable t) {
    return Causes.first(t, c -> c instanceof org.apache.hadoop.fs.s3a.AWSServiceThrottledException
        || c instanceof org.apache.hadoop.fs.s3a.AWSStatus500Exception
        || c instanceof org.apache.hadoop.fs.s3a.AWSApiCallTimeoutException
        || c instanceof java.net.ConnectException
        || c instanceof java.net.SocketTimeoutException);
  }

  /** One line for the operator. */
  public static String describe(Throwable failure) {
    String first = failure.getMessage() == null ? "" : failure.getMessage().lines().findFirst().orElse("");
    first = first.length() > 160 ? first.substring(0, 160) + "..." : first;
    return "the object store did not answer after S3A's retries (" + failure.getClass().getSimpleName() + ": "
        + first + "); the table is at its last committed version: run the date again when the store is back"
        + " (retries: fs.s3a.retry.*, fs.s3a.attempts.maximum; docs/operations.md)";
  }
}
