package io.distillwatch.attribution.study;

/** A study that cannot be run as given (missing file, bad JSON, unknown model): a one-line message for the user. */
public final class StudyException extends RuntimeException {
  public StudyException(String message) {
    super(message);
  }

  public StudyException(String message, Throwable cause) {
    super(message, cause);
  }
}
