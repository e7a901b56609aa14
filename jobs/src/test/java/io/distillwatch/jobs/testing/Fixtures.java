package io.distillwatch.jobs.testing;

import io.distillwatch.features.validate.EventValidator;
import io.distillwatch.jobs.ingest.IngestJob;
import io.distillwatch.jobs.simulate.SimConfig;
import io.distillwatch.jobs.simulate.Simulator;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.TableSpec;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.testing.SharedSpark;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.ConcurrentHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Simulated landing zones shared by the tests of one JVM (simulation is deterministic, so caching is safe). */
public final class Fixtures {
  private Fixtures() {}

  private static final Map<SimConfig, Path> LANDINGS = new ConcurrentHashMap<>();

  public static final LocalDate FROM = LocalDate.parse("2026-10-01");

  /** A small landing zone: {@code days} days at {@code scale}, seed 7. Do not modify it. */
  public static Path landing(int days, double scale) {
    return landing(SimConfig.of(FROM, FROM.plusDays(days - 1), 7, scale));
  }

  public static synchronized Path landing(SimConfig cfg) {
    return LANDINGS.computeIfAbsent(cfg, c -> {
      Path dir = tempDir("landing");
      new Simulator(c, dir.toString(), new Configuration()).run(d -> { });
      return dir;
    });
  }

  /** The landing zone most ingest tests share: 2 days at scale 0.05 (about 3,000 lines a day). */
  public static Path smallLanding() {
    return landing(2, 0.05);
  }

  private static CleanLake clean;

  /** A lake holding both days of {@link #smallLanding()}, ingested in order by one uninterrupted run each. */
  public record CleanLake(Lake lake, List<IngestJob.Result> results, Map<String, String> firstDayDigests,
                          Map<String, String> digests) {}

  public static synchronized CleanLake cleanLake() {
    if (clean == null) {
      SparkSession spark = SharedSpark.get();
      Lake lake = Lake.open(spark, tempDir("clean-lake").toString());
      List<IngestJob.Result> results = new ArrayList<>();
      results.add(new IngestJob(lake, ingest(smallLanding(), FROM)).execute());
      Map<String, String> firstDay = digests(lake);
      results.add(new IngestJob(lake, ingest(smallLanding(), FROM.plusDays(1))).execute());
      clean = new CleanLake(lake, List.copyOf(results), firstDay, digests(lake));
    }
    return clean;
  }

  /** Content digests of the tables ingest writes (ops.runs excluded: it carries wall-clock times). */
  public static Map<String, String> digests(Lake lake) {
    Map<String, String> d = new TreeMap<>();
    for (TableSpec t : List.of(Tables.BRONZE_EVENTS, Tables.QUARANTINE_EVENTS, Tables.BRONZE_ACCOUNTS,
        Tables.BRONZE_ACCOUNTS_HISTORY, Tables.QUARANTINE_ACCOUNTS)) {
      d.put(t.name(), Digest.of(lake.read(t)));
    }
    return d;
  }

  public static Path tempDir(String prefix) {
    try {
      Path base = Path.of(System.getProperty("java.io.tmpdir"), "distillwatch-tests");
      Files.createDirectories(base);
      return Files.createTempDirectory(base, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static IngestJob.Options ingest(Path landing, LocalDate date) {
    return ingest(landing.toString(), date);
  }

  public static IngestJob.Options ingest(String landing, LocalDate date) {
    return new IngestJob.Options(landing, date, EventValidator.defaults(), 0.1);
  }
}
