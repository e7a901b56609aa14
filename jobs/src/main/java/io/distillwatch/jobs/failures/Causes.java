package io.distillwatch.jobs.failures;

import java.util.Optional;
import java.util.function.Predicate;

/** Walking an exception's cause chain: Spark and Delta wrap the failure that matters. */
public final class Causes {
  private Causes() {}

  /** The first throwable in {@code t}'s cause chain (itself included) that {@code matches}. */
  public static Optional<Throwable> first(Throwable t, Predicate<Throwable> matches) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (matches.test(c)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
