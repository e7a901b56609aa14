package io.distillwatch.jobs.bench;

import io.distillwatch.features.validate.EventValidator;
import io.distillwatch.jobs.drift.DriftJob;
import io.distillwatch.jobs.features.FeaturesJob;
import io.distillwatch.jobs.ingest.IngestJob;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LocalFiles;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.link.CampaignsJob;
import io.distillwatch.jobs.link.LinkJob;
import io.distillwatch.jobs.nightly.NightlyJob;
import io.distillwatch.jobs.simulate.SimConfig;
import io.distillwatch.jobs.simulate.Simulator;
import io.distillwatch.models.SentenceEmbedder;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code bench drift}: what the drift stage adds to a night, and what a night costs against its floor.
 * A simulated lake of {@code days} days
 * at {@code scale} is built once (ingest, features and drift for every day but the last, with link and
 * campaigns on the day before it so the night has known harvesting for the contrast; ingest and
 * features for the last: the embedding cache as a real lake has it), then the last night runs whole
 * with the drift stage (the drift stage's first run: the night's new window prompts are embedded, as
 * on any night), then alternately without and with it (re-runs: idempotent, the cache warm). Every
 * measured run re-runs ingest and features, so the runs differ only by the drift stage. Reported: each run's stage times, the drift
 * stage's accounts per second, and the night's time with drift over the night without.
 *
 * <p>Between the nights runs the <em>floor job</em> of issue 29: read the night's {@code bronze.events}
 * partition and write one Delta table of the same rows (replacing that date), the least a night can do
 * with its day. Reported: each night's time over the median floor, alternating in one JVM.
 */
public final class DriftBench {
  public record Options(Path work, LocalDate night, int days, double scale, long seed, int repeats, String device) {}

  private final SparkSession spark;
  private final Options options;
  private final Consumer<String> progress;

  public DriftBench(SparkSession spark, Options options, Consumer<String> progress) {
    this.spark = spark;
    this.options = options;
    this.progress = progress;
  }

  /** One night's run: its stages' seconds, the drift stage's result (null without it). */
  private record Run(String label, List<NightlyJob.StageResult> stages, DriftJob.Result drift) {
    double seconds() {
      return stages.stream().mapToLong(NightlyJob.StageResult::millis).sum() / 1000.0;
    }

    double stage(String name) {
      return stages.stream().filter(s -> s.stage().equals(name)).mapToLong(NightlyJob.StageResult::millis).sum() / 1000.0;
    }
  }

  public String run() throws IOException {
    LocalDate first = options.night().minusDays(options.days() - 1L);
    Path dir = options.work().resolve("scale-" + options.scale());
    String landing = dir.resolve("landing").toString();
    Lake lake = Lake.open(spark, dir.resolve("lake").toString());
    Path marker = dir.resolve("_BUILT");
    String stamp = first + " " + options.night() + " seed=" + options.seed() + " v3";
    if (!(Files.exists(marker) && Files.readString(marker).strip().equals(stamp))) {
      LocalFiles.deleteTree(dir);
      progress.accept("bench drift: simulating " + first + " .. " + options.night() + " at scale " + options.scale());
      new Simulator(SimConfig.of(first, options.night(), options.seed(), options.scale()), landing, new Configuration())
          .run(d -> { });
      for (LocalDate d = first; d.isBefore(options.night()); d = d.plusDays(1)) {
        long t0 = System.nanoTime();
        new IngestJob(lake, ingest(landing, d)).execute();
        new FeaturesJob(lake, FeaturesJob.Options.defaults(d)).execute();
        new DriftJob(lake, drift(d)).execute();
        if (d.equals(options.night().minusDays(1))) {
          // campaigns flagged the night before: the measured night has known harvesting for the contrast
          new LinkJob(lake, LinkJob.Options.defaults(d)).execute();
          new CampaignsJob(lake, CampaignsJob.Options.defaults(d)).execute();
        }
        progress.accept(String.format("bench drift: day %s built in %.0f s", d, (System.nanoTime() - t0) / 1e9));
      }
      // the night's own ingest and features too, so that every measured run re-runs them alike
      new IngestJob(lake, ingest(landing, options.night())).execute();
      new FeaturesJob(lake, FeaturesJob.Options.defaults(options.night())).execute();
      Files.writeString(marker, stamp + "\n");
    }
    List<Run> runs = new ArrayList<>();
    List<Double> floors = new ArrayList<>();
    floors.add(floor(lake, dir)); // the first also creates the table; the others replace its one date
    runs.add(night(lake, landing, true, "with drift, first run (the night's new prompts embedded)"));
    for (int r = 0; r < options.repeats(); r++) {
      floors.add(floor(lake, dir));
      runs.add(night(lake, landing, false, "without drift"));
      floors.add(floor(lake, dir));
      runs.add(night(lake, landing, true, "with drift, re-run"));
    }
    return table(runs, floors);
  }

  /** The floor job: the night's bronze.events rows read once and written once to one Delta table. */
  private double floor(Lake lake, Path dir) {
    long t0 = System.nanoTime();
    String date = "event_date = DATE'" + options.night() + "'";
    lake.read(Tables.BRONZE_EVENTS).where(date)
        .write().format("delta").mode("overwrite").option("replaceWhere", date).partitionBy("event_date")
        .save(dir.resolve("floor").toString());
    double seconds = (System.nanoTime() - t0) / 1e9;
    progress.accept(String.format("bench drift: floor job (read the night's bronze.events, write them to one Delta table) %.1f s",
        seconds));
    return seconds;
  }

  private Run night(Lake lake, String landing, boolean withDrift, String label) {
    LocalDate d = options.night();
    NightlyJob.Options defaults = NightlyJob.Options.defaults(ingest(landing, d));
    NightlyJob.Options o = new NightlyJob.Options(d, defaults.ingest(), defaults.features(), withDrift ? drift(d) : null,
        defaults.link(), defaults.campaigns());
    NightlyJob.Result result = new NightlyJob(lake, o).execute(progress);
    return new Run(label, result.stages(), result.drift());
  }

  private DriftJob.Options drift(LocalDate d) {
    DriftJob.Options o = DriftJob.Options.defaults(d);
    return new DriftJob.Options(d, o.windowDays(), o.window(), o.heavyWindow(), o.referenceSize(), o.alertLevel(),
        o.embeddingModel(), options.device());
  }

  private static IngestJob.Options ingest(String landing, LocalDate d) {
    return new IngestJob.Options(landing, d, EventValidator.defaults(), 0.1);
  }

  private String table(List<Run> runs, List<Double> floors) {
    StringBuilder md = new StringBuilder();
    md.append(String.format("Night %s at scale %s (%d days in the lake, seed %d), device %s:%n%n", options.night(),
        options.scale(), options.days(), options.seed(), SentenceEmbedder.parseDevice(options.device())));
    md.append("| run | ingest | features | drift | link | campaigns | night | drift: accounts scored | embedded | accounts/s |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Run r : runs) {
      md.append(String.format("| %s | %.0f s | %.0f s | %s | %.0f s | %.0f s | %.0f s | %s | %s | %s |%n", r.label(),
          r.stage("ingest"), r.stage("features"), r.drift() == null ? "–" : String.format("%.0f s", r.stage("drift")),
          r.stage("link"), r.stage("campaigns"), r.seconds(),
          r.drift() == null ? "–" : String.format("%,d", r.drift().scored()),
          r.drift() == null ? "–" : String.format("%,d", r.drift().embedded()),
          r.drift() == null ? "–" : String.format("%.1f", r.drift().scored() / Math.max(0.001, r.stage("drift")))));
    }
    List<Double> without = runs.stream().filter(r -> r.drift() == null).map(Run::seconds).toList();
    List<Double> rerun = runs.stream().skip(1).filter(r -> r.drift() != null).map(Run::seconds).toList();
    double base = FeaturesBench.median(without);
    md.append(String.format("%nNight with drift / without: first run %.2f, re-runs %.2f (medians: %.0f s without, %.0f s "
        + "with); the drift stage's own share of the first run: %.0f %%.%n", runs.get(0).seconds() / base,
        FeaturesBench.median(rerun) / base, base, FeaturesBench.median(rerun),
        100 * runs.get(0).stage("drift") / runs.get(0).seconds()));
    // the first floor also created its table: the re-runs' floors are the comparable ones when there are any
    double floor = FeaturesBench.median(floors.size() > 1 ? floors.subList(1, floors.size()) : floors);
    md.append(String.format("%nFloor job (the night's bronze.events read and written to one Delta table): %s s, median %.1f s. "
        + "Night without drift / floor: %.1fx; with drift, re-run / floor: %.1fx (issue 29's target: 4x).%n",
        floors.stream().map(f -> String.format("%.1f", f)).toList(), floor, base / floor,
        FeaturesBench.median(rerun) / floor));
    return md.toString();
  }
}
