package io.distillwatch.jobs.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

import java.util.Map;
import java.util.StringJoiner;

/**
 * Runs a job inside a Spark job group whose description states the command and its effective
 * options, so the Spark UI and history server read like a log of the night. Closing restores
 * the previous group.
 */
public final class JobGroup implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.distillwatch.progress");

  private final SparkContext sc;
  private final String previousGroup;
  private final String previousDescription;
  private String currentStep;
  private long stepStarted;

  private JobGroup(SparkContext sc, String id, String description) {
    this.sc = sc;
    this.previousGroup = sc.getLocalProperty("spark.jobGroup.id");
    this.previousDescription = sc.getLocalProperty("spark.job.description");
    sc.setJobGroup(id, description, false);
  }

  public static JobGroup open(SparkSession spark, String command, Map<String, ?> options) {
    StringJoiner desc = new StringJoiner(" ", command + " ", "");
    options.forEach((k, v) -> desc.add("--" + k + " " + v));
    String date = options.containsKey("date") ? String.valueOf(options.get("date")) : "";
    return new JobGroup(spark.sparkContext(), "distillwatch-" + command + (date.isEmpty() ? "" : "-" + date), desc.toString());
  }

  /** Names the step within the job (shown per Spark job) and logs how long the previous one took. */
  public void step(String what) {
    endStep();
    sc.setJobDescription(what);
    currentStep = what;
    stepStarted = System.nanoTime();
  }

  private void endStep() {
    if (currentStep != null) {
      LOG.info("{} ({} s)", currentStep, String.format("%.1f", (System.nanoTime() - stepStarted) / 1e9));
      currentStep = null;
    }
  }

  @Override
  public void close() {
    endStep();
    if (previousGroup != null) {
      sc.setJobGroup(previousGroup, previousDescription == null ? "" : previousDescription, false);
    } else {
      sc.clearJobGroup();
    }
  }
}
