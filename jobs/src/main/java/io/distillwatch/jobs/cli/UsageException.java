package io.distillwatch.jobs.cli;

/** The command line is wrong (unknown command or option, bad date): exit code 2. */
public class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }
}
