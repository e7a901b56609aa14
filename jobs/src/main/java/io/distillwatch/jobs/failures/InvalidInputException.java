package io.distillwatch.jobs.failures;

/** The command line is well formed but its input is not usable (missing folder, unwritable lake): exit code 3. */
public class InvalidInputException extends RuntimeException {
  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
