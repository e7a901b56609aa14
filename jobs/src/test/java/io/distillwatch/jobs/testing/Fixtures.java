package io.distillwatch.jobs.testing;

import io.distillwatch.features.validate.EventValidator;
import io.distillwatch.jobs.ingest.IngestJob;
import io.distillwatch.jobs.simulate.SimConfig;
import io.distillwatch.jobs.simulate.Simulator;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

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
