package io.distillwatch.jobs.nightly;

import io.distillwatch.jobs.drift.DriftJob;
import io.distillwatch.jobs.features.FeaturesJob;
import io.distillwatch.jobs.ingest.IngestJob;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.link.CampaignsJob;
import io.distillwatch.jobs.link.LinkJob;
import io.distillwatch.jobs.spark.Faults;
import io.distillwatch.jobs.spark.SparkActivity;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

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

  /** One stage's outcome: its name, a one-line summary, its wall time and its Spark jobs and Delta commits. */
  public record StageResult(String stage, String summary, long millis, SparkActivity.Counts costs) {}

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
    Stage stage = new Stage(lake, progress, d, stages);
    IngestJob.Result ingest = stage.run("ingest", () -> new IngestJob(lake, options.ingest()).execute(), IngestJob.Result::summary);
    Faults.point("nightly:after-ingest");
    FeaturesJob.Result features = stage.run("features", () -> new FeaturesJob(lake, options.features()).execute(),
        FeaturesJob.Result::summary);
    Faults.point("nightly:after-features");
    DriftJob.Result drift = options.drift() == null ? null
        : stage.run("drift", () -> new DriftJob(lake, options.drift()).execute(), DriftJob.Result::summary);
    LinkJob.Result link = stage.run("link", () -> new LinkJob(lake, options.link()).execute(), LinkJob.Result::summary);
    Faults.point("nightly:after-link");
    CampaignsJob.Result campaigns = stage.run("campaigns", () -> new CampaignsJob(lake, options.campaigns()).execute(),
        CampaignsJob.Result::summary);
    return new Result(d, stages, ingest, features, drift, link, campaigns);
  }

  /** Runs one stage, timing and metering it, and reports its line. */
  private record Stage(Lake lake, Consumer<String> progress, LocalDate d, List<StageResult> done) {
    <R> R run(String name, Supplier<R> job, Function<R, String> summary) {
      long t0 = System.nanoTime();
      SparkActivity.Meter meter = SparkActivity.start(lake.spark().sparkContext());
      R result;
      SparkActivity.Counts costs;
      try {
        result = job.get();
      } finally {
        costs = meter.stop(); // also when the stage fails: the thread's tag is restored
      }
      long ms = (System.nanoTime() - t0) / 1_000_000;
      String line = summary.apply(result);
      progress.accept(String.format("nightly %s %-9s %s (%.1f s; %s)", d, name, line, ms / 1000.0, costs));
      done.add(new StageResult(name, line, ms, costs));
      return result;
    }
  }
}
