package io.distillwatch.jobs.cli;

import java.util.List;

/**
 * A command of {@code bin/distillwatch}: a thin shell that turns validated {@link Args} into a
 * job and prints its result. The job itself can be called directly from tests.
 */
public interface Command {
  String name();

  String summary();

  List<OptionSpec> options();

  /** Names of positional arguments (e.g. {@code export campaigns}); empty for most commands. */
  default List<String> positionals() {
    return List.of();
  }

  /** Checks that span several options (e.g. {@code --from} before {@code --to}); throws {@link UsageException}. */
  default void validate(Args args) {}

  /**
   * Cheap checks of the world (a local landing folder exists, a local lake is writable) run
   * before Spark starts, so a user mistake costs a second, not a Spark start-up. Skipped by
   * {@code --dry-run}, which validates arguments only. Throws {@link InvalidInputException}.
   */
  default void preflight(Args args) {}

  /** Runs the command; returns the process exit code. */
  int run(Args args, CliContext ctx) throws Exception;
}
