package io.distillwatch.jobs.testing;

import io.distillwatch.jobs.features.FeaturesJob;
import io.distillwatch.jobs.ingest.IngestJob;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.nightly.NightlyJob;
import io.distillwatch.jobs.simulate.SimConfig;
import io.distillwatch.testing.SharedSpark;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;

/**
 * A lake with campaigns in it, built once per test JVM and shared by the test classes that read it
 * (campaign quality, the report, the notebooks): three simulated nights at scale 0.2 with every campaign
 * tactic (the proxy campaign kept at its full 10 accounts), ingest and features every night, link and
 * campaigns on the last two. Readers must not change it; tests that re-run jobs re-run them
 * idempotently (same inputs, same rows).
 */
public final class CampaignLake {
  public static final int DAYS = 3;
  public static final LocalDate FROM = Fixtures.FROM;
  public static final LocalDate LAST = FROM.plusDays(DAYS - 1);

  private static CampaignLake built;

  public final Lake lake;
  public final Path landing;

  private CampaignLake(Lake lake, Path landing) {
    this.lake = lake;
    this.landing = landing;
  }

  public static synchronized CampaignLake get() {
    if (built == null) {
      Path landing = Fixtures.landing(config(DAYS));
      Lake lake = Lake.open(SharedSpark.get(), Fixtures.tempDir("campaign-lake").toString());
      for (LocalDate d = FROM; d.isBefore(LAST.minusDays(1)); d = d.plusDays(1)) {
        new IngestJob(lake, Fixtures.ingest(landing, d)).execute();
        new FeaturesJob(lake, features(d)).execute();
      }
      for (LocalDate d = LAST.minusDays(1); !d.isAfter(LAST); d = d.plusDays(1)) {
        new NightlyJob(lake, night(landing, d)).execute(line -> { });
      }
      built = new CampaignLake(lake, landing);
      // a pristine copy, taken before any test can touch the lake: tests that must change a lake copy this
      snapshot = Fixtures.tempDir("campaign-lake-snapshot");
      copyTree(java.nio.file.Path.of(java.net.URI.create(lake.root())), snapshot);
    }
    return built;
  }

  private static Path snapshot;

  /** A private copy of the built lake, for tests that change it (the shared one must not change). */
  public static Lake copy(String name) {
    get();
    Path dir = Fixtures.tempDir(name);
    copyTree(snapshot, dir);
    return Lake.open(SharedSpark.get(), dir.toString());
  }

  private static void copyTree(Path from, Path to) {
    try {
      io.distillwatch.jobs.lake.LocalFiles.copyTree(from, to);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public String labels() {
    return landing.resolve("labels/labels.jsonl").toString();
  }

  /** The simulation: scale 0.2, with the proxy campaign kept at its full 10 accounts. */
  public static SimConfig config(int days) {
    return config(days, 0.2);
  }

  /** The same traffic at another scale (the proxy campaign still at its full 10 accounts). */
  public static SimConfig config(int days, double scale) {
    return SimConfig.of(FROM, FROM.plusDays(days - 1), 7, scale).withOverrides(Map.of("C02", 10));
  }

  public static FeaturesJob.Options features(LocalDate d) {
    FeaturesJob.Options o = FeaturesJob.Options.defaults(d);
    // capability tags by the rules suffice for linkage; the embedding classifier has its own tests
    return new FeaturesJob.Options(d, o.bands(), o.rows(), o.shingle(), o.minSimilarity(), o.minTemplateRequests(),
        "none", o.device());
  }

  public static NightlyJob.Options night(Path landing, LocalDate d) {
    NightlyJob.Options o = NightlyJob.Options.defaults(Fixtures.ingest(landing, d));
    return new NightlyJob.Options(d, o.ingest(), features(d), o.link(), o.campaigns());
  }
}
