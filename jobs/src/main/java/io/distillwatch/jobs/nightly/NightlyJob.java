package io.distillwatch.jobs.nightly;

import io.distillwatch.jobs.campaigns.CampaignsJob;
import io.distillwatch.jobs.campaigns.LinkJob;
import io.distillwatch.jobs.drift.DriftJob;
import io.distillwatch.jobs.features.FeaturesJob;
import io.distillwatch.jobs.ingest.IngestJob;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.spark.Faults;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One night: every stage for one date, in order. Each stage is idempotent on its own, so a
 * night that died anywhere is repaired by running it again; the stages already done rewrite the
 * same content.
 */
public final class NightlyJob {
  public static final String NAME = "nightly";

  /** @param drift the query-drift stage's options, or null to leave the stage out */
  public record Options(LocalDate date, IngestJob.Options ingest, FeaturesJob.Options features, DriftJob.Options drift,
                        LinkJob.Options link, CampaignsJob.Options campaigns) {
    /** A night without the drift stage. */
    public Options(LocalDate date, IngestJob.Options ingest, FeaturesJob.Options features, LinkJob.Options link,
                   CampaignsJob.Options campaigns) {
      this(date, ingest, features, null, link, campaigns);
    }

    /** Every stage with its defaults, reading the landing zone through {@code ingest}. */
    public static Options defaults(IngestJob.Options ingest) {
      LocalDate d = ingest.date();
      return new Options(d, ingest, FeaturesJob.Options.defaults(d), DriftJob.Options.defaults(d),
          LinkJob.Options.defaults(d), CampaignsJob.Options.defaults(d));
    }
  }

  /** One stage's outcome: its name, a one-line summary and its wall time. */
  public record StageResult(String stage, String summary, long millis) {}

  /** @param drift null when the night left the drift stage out */
  public record Result(LocalDate date, List<StageResult> stages, IngestJob.Result ingest, FeaturesJob.Result features,
                       DriftJob.Result drift, LinkJob.Result link, CampaignsJob.Result campaigns) {
    public long millis() {
      return stages.stream().mapToLong(StageResult::millis).sum();
    }
  }

  private final Lake lake;
  private final Options options;

  public NightlyJob(Lake lake, Options options) {
    this.lake = lake;
    this.options = options;
  }

  public Result execute(Consumer<String> progress) {
    LocalDate d = options.date();
    List<StageResult> stages = new ArrayList<>();
    long t0 = System.nanoTime();
    IngestJob.Result ingest = new IngestJob(lake, options.ingest()).execute();
    stages.add(done(progress, d, "ingest", ingest.summary(), t0));
    Faults.point("nightly:after-ingest");
    t0 = System.nanoTime();
    FeaturesJob.Result features = new FeaturesJob(lake, options.features()).execute();
    stages.add(done(progress, d, "features", features.summary(), t0));
    Faults.point("nightly:after-features");
    DriftJob.Result drift = null;
    if (options.drift() != null) {
      t0 = System.nanoTime();
      drift = new DriftJob(lake, options.drift()).execute();
      stages.add(done(progress, d, "drift", drift.summary(), t0));
    }
    t0 = System.nanoTime();
    LinkJob.Result link = new LinkJob(lake, options.link()).execute();
    stages.add(done(progress, d, "link", link.summary(), t0));
    Faults.point("nightly:after-link");
    t0 = System.nanoTime();
    CampaignsJob.Result campaigns = new CampaignsJob(lake, options.campaigns()).execute();
    stages.add(done(progress, d, "campaigns", campaigns.summary(), t0));
    return new Result(d, stages, ingest, features, drift, link, campaigns);
  }

  private static StageResult done(Consumer<String> progress, LocalDate d, String stage, String summary, long t0) {
    long ms = (System.nanoTime() - t0) / 1_000_000;
    progress.accept(String.format("nightly %s %-9s %s (%.1f s)", d, stage, summary, ms / 1000.0));
    return new StageResult(stage, summary, ms);
  }
}
