package io.distillwatch.jobs.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one way a distillwatch JVM gets its Spark session. Under spark-submit the cluster's
 * configuration stands and only Delta and UTC are added; run by the launcher (no
 * {@code spark.master} set) it is an embedded {@code local[*]} Spark with small shuffles and no UI.
 * {@code --conf} values are applied last, so they win.
 */
public final class SparkSessions {
  private SparkSessions() {}

  public static SparkSession getOrCreate(Map<String, String> overrides) {
    SparkConf submitted = new SparkConf(); // reads spark.* system properties set by spark-submit
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    conf.put("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    conf.put("spark.sql.session.timeZone", "UTC");
    if (!submitted.contains("spark.master") && !overrides.containsKey("spark.master")) {
      int cores = Runtime.getRuntime().availableProcessors();
      conf.put("spark.master", "local[*]");
      conf.put("spark.app.name", "distillwatch");
      conf.put("spark.ui.enabled", "false");
      conf.put("spark.ui.showConsoleProgress", "false");
      conf.put("spark.sql.shuffle.partitions", String.valueOf(Math.max(2, 2 * cores)));
      conf.put("spark.default.parallelism", String.valueOf(Math.max(2, 2 * cores)));
      conf.put("spark.driver.bindAddress", "127.0.0.1");
      conf.put("spark.driver.host", "127.0.0.1");
      // Adaptive execution re-plans a query after each of its stages and runs stages as separate jobs;
      // on one machine with a night's small shuffles that re-planning costs more than it wins (a scale-1
      // night: 0.84x the time and two thirds of the memory without it, docs/benchmarks.md, "What a
      // night costs"). A cluster keeps its own setting.
      conf.put("spark.sql.adaptive.enabled", "false");
      // Delta's default of 50 partitions for reading its log is costly on a laptop-sized machine
      conf.put("spark.databricks.delta.snapshotPartitions", String.valueOf(Math.max(2, cores)));
      conf.put("spark.sql.warehouse.dir", System.getProperty("java.io.tmpdir") + "/distillwatch-warehouse");
    }
    conf.putAll(overrides);
    SparkSession.Builder builder = SparkSession.builder();
    conf.forEach(builder::config);
    SparkSession spark = builder.getOrCreate();
    // getOrCreate returns an existing session unchanged; runtime SQL confs can still be set
    conf.forEach((k, v) -> {
      if (k.startsWith("spark.sql.") && !k.equals("spark.sql.extensions") && !k.startsWith("spark.sql.catalog")
          && !k.equals("spark.sql.warehouse.dir")) {
        spark.conf().set(k, v);
      }
    });
    return spark;
  }
}
