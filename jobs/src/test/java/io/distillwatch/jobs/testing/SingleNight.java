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
  private static Map<String, String> digestsAcrossPlans;

  /** The night every test runs: the first small-landing day, every stage (embedding tags off, as in {@link CampaignLake}). */
  public static NightlyJob.Options options() {
    return CampaignLake.night(Fixtures.smallLanding(), Fixtures.FROM);
  }

  public static synchronized Map<String, String> referenceDigests() {
    if (digests == null) {
      Lake lake = Lake.open(SharedSpark.get(), Fixtures.tempDir("single-night").toString());
      new NightlyJob(lake, options()).execute(line -> { });
      digests = digests(lake);
      digestsAcrossPlans = digestsAcrossPlans(lake);
    }
    return digests;
  }

  /** The reference night's {@link #digestsAcrossPlans}. */
  public static synchronized Map<String, String> referenceDigestsAcrossPlans() {
    referenceDigests();
    return digestsAcrossPlans;
  }

  /**
   * Digests to compare runs made with different physical plans (adaptive execution on and off, another
   * partitioning): as {@link #digests}, with the HLL account sketches of silver.template_daily taken by
   * their estimate. A sketch's bytes depend on the order its partial sketches were merged in; what it
   * says does not.
   */
  public static Map<String, String> digestsAcrossPlans(Lake lake) {
    Map<String, String> d = new TreeMap<>(digests(lake));
    if (lake.exists(Tables.SILVER_TEMPLATE_DAILY)) {
      d.put(Tables.SILVER_TEMPLATE_DAILY.name(), Digest.of(lake.read(Tables.SILVER_TEMPLATE_DAILY)
          .withColumn("account_sketch", org.apache.spark.sql.functions.expr("hll_sketch_estimate(account_sketch)"))));
    }
    return d;
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
