package io.distillwatch.testing;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One local Spark session for every test of the JVM ({@code local[2]}, UI off, loopback host,
 * few shuffle partitions, Delta enabled), injected as a parameter:
 * {@code @ExtendWith(SharedSpark.class) void test(SparkSession spark)}. It is never stopped by a
 * test; the JVM's end stops it.
 */
public final class SharedSpark implements ParameterResolver {
  private static SparkSession session;

  public static synchronized SparkSession get() {
    if (session == null) {
      SparkSession.Builder b = SparkSession.builder()
          .master("local[2]")
          .appName("distillwatch-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.ui.showConsoleProgress", "false")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.default.parallelism", "2")
          .config("spark.sql.session.timeZone", "UTC")
          // as the launcher's embedded Spark (SparkSessions): no adaptive re-planning after every stage
          .config("spark.sql.adaptive.enabled", "false")
          // test data is tiny: compiling whole-stage code costs more than it saves
          .config("spark.sql.codegen.wholeStage", "false")
          // a test JVM lives minutes: no need for the cleaner thread that polls for unused RDDs
          .config("spark.cleaner.referenceTracking", "false")
          .config("spark.sql.warehouse.dir", System.getProperty("java.io.tmpdir") + "/distillwatch-test-warehouse");
      if (onClasspath("io.delta.sql.DeltaSparkSessionExtension")) { // the jobs module's tests
        b = b.config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .config("spark.databricks.delta.snapshotPartitions", "2");
      }
      session = b.getOrCreate();
      session.sparkContext().setLogLevel("WARN");
    }
    return session;
  }

  private static boolean onClasspath(String cls) {
    try {
      Class.forName(cls, false, SharedSpark.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == SparkSession.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return get();
  }
}
