package io.distillwatch.jobs.lake;

import io.distillwatch.jobs.spark.JobGroup;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;

/**
 * What every job of the lake does the same way, written once (as Iceberg's {@code BaseSparkAction}
 * serves its actions): it runs inside a Spark job group whose description is the job's effective
 * options, names its steps on that group (each step's progress line says what it cost), and, when
 * it ran a night, records the run in {@code ops.runs} with its metrics and costs. A job gives its
 * name to the constructor and writes {@link #description}, {@link #run} and, if it records its runs, {@link #record};
 * callers call {@link #execute}.
 *
 * @param <R> the job's result
 */
public abstract class LakeJob<R> {
  protected final Lake lake;
  protected final SparkSession spark;
  private final String name;

  /** @param name the job's name: its command, its Spark job group, its rows in {@code ops.runs} */
  protected LakeJob(Lake lake, String name) {
    this.lake = lake;
    this.spark = lake.spark();
    this.name = name;
  }

  public final String name() {
    return name;
  }

  /** The options the job group's description shows ({@code --key value}, in order; {@code date} names the group). */
  protected abstract Map<String, ?> description();

  /** The job's work, its steps named on {@code group}. */
  protected abstract R run(JobGroup group);

  /** The night a run is recorded under in {@code ops.runs}, with its metrics; empty when it is not recorded. */
  protected Optional<Run> record(R result) {
    return Optional.empty();
  }

  /** A run's row of {@code ops.runs}: its night and what it did (the costs are added from the job group). */
  public record Run(LocalDate date, Map<String, Long> metrics) {}

  public final R execute() {
    try (JobGroup group = JobGroup.open(spark, name(), description())) {
      R result = run(group);
      record(result).ifPresent(r -> lake.recordRun(name(), r.date(), group.withCosts(r.metrics())));
      return result;
    }
  }
}
