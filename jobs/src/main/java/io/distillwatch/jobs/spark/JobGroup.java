package io.distillwatch.jobs.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

import java.util.Map;
import java.util.StringJoiner;

/**
 * Runs a job inside a Spark job group whose description states the command and its effective
 * options, so the Spark UI and history server read like a log of the night; each step's progress
 * line says what it cost ({@link SparkActivity}). Closing restores the previous group.
 */
public final class JobGroup implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.distillwatch.progress");

  private final SparkContext sc;
  private final String previousGroup;
  private final String previousDescription;
  private final SparkActivity.Meter whole;
  private String currentStep;
  private long stepStarted;
  private SparkActivity.Meter stepMeter;
  private SparkActivity.Counts total;
  private final long started = System.nanoTime();

  private JobGroup(SparkContext sc, String id, String description) {
    this.sc = sc;
    this.previousGroup = sc.getLocalProperty("spark.jobGroup.id");
    this.previousDescription = sc.getLocalProperty("spark.job.description");
    sc.setJobGroup(id, description, false);
    this.whole = SparkActivity.start(sc);
  }

  public static JobGroup open(SparkSession spark, String command, Map<String, ?> options) {
    StringJoiner desc = new StringJoiner(" ", command + " ", "");
    options.forEach((k, v) -> desc.add("--" + k + " " + v));
    String date = options.containsKey("date") ? String.valueOf(options.get("date")) : "";
    return new JobGroup(spark.sparkContext(), "distillwatch-" + command + (date.isEmpty() ? "" : "-" + date), desc.toString());
  }

  /**
   * Names the step within the job (shown per Spark job) and logs how long the previous one took, with
   * the Spark jobs it started and the Delta commits it made.
   */
  public void step(String what) {
    endStep();
    sc.setJobDescription(what);
    currentStep = what;
    stepStarted = System.nanoTime();
    stepMeter = SparkActivity.start(sc);
  }

  private void endStep() {
    if (currentStep != null) {
      SparkActivity.Counts counts = stepMeter.stop();
      LOG.info("{} ({} s; {})", currentStep, String.format("%.1f", (System.nanoTime() - stepStarted) / 1e9), counts);
      currentStep = null;
      stepMeter = null;
    }
  }

  /**
   * The Spark jobs, task time and Delta commits of the whole job so far (in steps and between them);
   * after {@link #close}, of the whole job. Ends the running step (its line is logged), so call it
   * when the job's work is done.
   */
  public SparkActivity.Counts counts() {
    if (total != null) {
      return total;
    }
    endStep();
    return whole.peek();
  }

  /**
   * {@code metrics} with what the job cost so far, as a job records it in {@code ops.runs}:
   * {@code spark_jobs}, {@code delta_commits} (both before the run record's own commit),
   * {@code task_ms} (the executors' run time) and {@code wall_ms}.
   */
  public java.util.Map<String, Long> withCosts(java.util.Map<String, Long> metrics) {
    SparkActivity.Counts c = counts();
    java.util.Map<String, Long> out = new java.util.TreeMap<>(metrics);
    out.put("spark_jobs", c.sparkJobs());
    out.put("delta_commits", c.commits());
    out.put("task_ms", c.taskMillis());
    out.put("wall_ms", (System.nanoTime() - started) / 1_000_000);
    return out;
  }

  @Override
  public void close() {
    endStep();
    total = whole.stop();
    if (previousGroup != null) {
      sc.setJobGroup(previousGroup, previousDescription == null ? "" : previousDescription, false);
    } else {
      sc.clearJobGroup();
    }
  }
}
