package io.distillwatch.jobs.testing;

import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.TableSpec;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.nightly.NightlyJob;
import io.distillwatch.testing.SharedSpark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reference for the tests that disturb a night (crashes, concurrent runs): one uninterrupted
 * {@code nightly} of the first day of {@link Fixtures#smallLanding()} on a fresh lake, built once
 * per test JVM, kept as the content digests of every table it wrote.
 */
public final class SingleNight {
  private SingleNight() {}

  private static Map<String, String> digests;

  /** The night every test runs: the first small-landing day, every stage (embedding tags off, as in {@link CampaignLake}). */
  public static NightlyJob.Options options() {
    return CampaignLake.night(Fixtures.smallLanding(), Fixtures.FROM);
  }

  public static synchronized Map<String, String> referenceDigests() {
    if (digests == null) {
      Lake lake = Lake.open(SharedSpark.get(), Fixtures.tempDir("single-night").toString());
      new NightlyJob(lake, options()).execute(line -> { });
      digests = digests(lake);
    }
    return digests;
  }

  /** Content digests of every table a night writes (ops.runs and ops.first_runs left out: they hold wall-clock times). */
  public static Map<String, String> digests(Lake lake) {
    List<TableSpec> tables = new ArrayList<>(Tables.ALL);
    tables.addAll(CampaignTables.NIGHTLY.all());
    Map<String, String> d = new TreeMap<>();
    for (TableSpec t : tables) {
      if (t != Tables.OPS_RUNS && t != Tables.OPS_FIRST_RUNS && lake.exists(t)) {
        d.put(t.name(), Digest.of(lake.read(t)));
      }
    }
    return d;
  }
}
