package io.distillwatch.jobs.cli;

import io.distillwatch.jobs.spark.SparkSessions;
import org.apache.spark.sql.SparkSession;

import java.io.PrintStream;
import java.util.Map;

/** What a command may use: the output streams and a Spark session started only on first use. */
public final class CliContext implements AutoCloseable {
  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> sparkConf;
  private SparkSession spark;

  public CliContext(PrintStream out, PrintStream err, Map<String, String> sparkConf) {
    this.out = out;
    this.err = err;
    this.sparkConf = sparkConf;
  }

  public PrintStream out() {
    return out;
  }

  public PrintStream err() {
    return err;
  }

  public synchronized SparkSession spark() {
    if (spark == null) {
      spark = SparkSessions.getOrCreate(sparkConf);
    }
    return spark;
  }

  /** A progress line for people watching a long run; never holds account ids or prompt text. */
  public void progress(String line) {
    out.println(line);
    out.flush();
  }

  @Override
  public void close() {
    // the session is shared for the JVM's life (tests reuse it); the launcher's JVM exits after one command
  }
}
