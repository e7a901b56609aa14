package io.distillwatch.jobs.discover;

import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.TableSpec;
import io.distillwatch.jobs.link.CampaignsJob;
import io.distillwatch.jobs.link.LinkJob;
import io.distillwatch.jobs.spark.CachedData;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

/**
 * {@code discover --lake K --from D --to D}: replays linkage and clustering night by night over a
 * range, from the stored daily features, templates and request metadata (nothing is re-ingested),
 * into the {@code discovery.*} tables, then compares with what the nightly runs flagged
 * ({@code gold.campaign_members}): each campaign the replay flags is {@code missed} (no night
 * flagged half of its accounts), {@code late} (the nights did, later: by how many days),
 * {@code same} or {@code earlier}. Written to {@code gold.discoveries}.
 */
public final class DiscoverJob {
  public static final String NAME = "discover";

  public static final TableSpec DISCOVERIES = new TableSpec("gold.discoveries", new StructType()
      .add("run_from", DataTypes.DateType, false)
      .add("run_to", DataTypes.DateType, false)
      .add("campaign_id", DataTypes.StringType, false)
      .add("first_flagged", DataTypes.DateType, false)
      .add("nightly_first_flagged", DataTypes.DateType)
      .add("days_earlier", DataTypes.IntegerType)
      .add("status", DataTypes.StringType, false)
      .add("accounts", DataTypes.LongType, false)
      .add("score", DataTypes.DoubleType, false),
      List.of(), List.of("run_from", "run_to", "campaign_id"),
      "retrospective discovery: campaigns the replay over a range flagged, and whether (and how much later) the "
          + "nightly runs flagged them");

  public record Options(LocalDate from, LocalDate to, LinkJob.Options link, CampaignsJob.Options campaigns) {
    public Options {
      if (to.isBefore(from)) {
        throw new IllegalArgumentException("to must not be before from");
      }
    }
  }

  public record Finding(String campaignId, LocalDate firstFlagged, LocalDate nightlyFirstFlagged, Integer daysEarlier,
                        String status, long accounts, double score) {}

  public record Result(List<Finding> findings) {
    public long count(String status) {
      return findings.stream().filter(f -> f.status().equals(status)).count();
    }

    public List<String> table() {
      List<String> lines = new ArrayList<>();
      lines.add(String.format("%-24s %-8s %-13s %-13s %6s %8s %6s", "campaign", "status", "replay_flag", "nightly_flag",
          "earlier", "accounts", "score"));
      for (Finding f : findings) {
        lines.add(String.format("%-24s %-8s %-13s %-13s %6s %,8d %6.2f", f.campaignId(), f.status(), f.firstFlagged(),
            f.nightlyFirstFlagged() == null ? "never" : f.nightlyFirstFlagged().toString(),
            f.daysEarlier() == null ? "-" : f.daysEarlier() + " d", f.accounts(), f.score()));
      }
      return lines;
    }
  }

  private final Lake lake;
  private final SparkSession spark;
  private final Options options;

  public DiscoverJob(Lake lake, Options options) {
    this.lake = lake;
    this.spark = lake.spark();
    this.options = options;
  }

  /** Options of the stages for one date of the range (the replay writes the discovery namespace). */
  private LinkJob.Options linkFor(LocalDate d) {
    LinkJob.Options o = options.link();
    return new LinkJob.Options(d, o.windowDays(), o.minWeight(), o.hubLimit(), o.starAbove(), o.behaviourDistance(),
        CampaignTables.DISCOVERY);
  }

  private CampaignsJob.Options campaignsFor(LocalDate d) {
    CampaignsJob.Options o = options.campaigns();
    return new CampaignsJob.Options(d, o.windowDays(), o.minWeight(), o.minSize(), o.threshold(), CampaignTables.DISCOVERY);
  }

  public Result execute(Consumer<String> progress) {
    long nights = ChronoUnit.DAYS.between(options.from(), options.to()) + 1;
    int i = 0;
    for (LocalDate d = options.from(); !d.isAfter(options.to()); d = d.plusDays(1)) {
      long t0 = System.nanoTime();
      LinkJob.Result link = new LinkJob(lake, linkFor(d)).execute();
      CampaignsJob.Result c = new CampaignsJob(lake, campaignsFor(d)).execute();
      progress.accept(String.format("discover %s (%d/%d): %,d edges; %s (%.1f s)", d, ++i, nights, link.edges(),
          c.summary(), (System.nanoTime() - t0) / 1e9));
      progress.accept("discover " + d + ": " + CachedData.freeUnreferenced(spark).describe());
    }
    List<Finding> findings = compare();
    List<Row> rows = new ArrayList<>();
    for (Finding f : findings) {
      rows.add(RowFactory.create(Date.valueOf(options.from()), Date.valueOf(options.to()), f.campaignId(),
          Date.valueOf(f.firstFlagged()), f.nightlyFirstFlagged() == null ? null : Date.valueOf(f.nightlyFirstFlagged()),
          f.daysEarlier(), f.status(), f.accounts(), f.score()));
    }
    lake.replace(DISCOVERIES, spark.createDataFrame(rows, DISCOVERIES.schema()),
        "run_from = DATE'" + options.from() + "' AND run_to = DATE'" + options.to() + "'");
    return new Result(findings);
  }

  private List<Finding> compare() {
    Date from = Date.valueOf(options.from());
    Date to = Date.valueOf(options.to());
    Dataset<Row> replay = lake.read(CampaignTables.DISCOVERY.campaigns())
        .where(col("date").between(lit(from), lit(to)).and(col("flagged")));
    // each replayed campaign at the first night it was flagged: its members then
    Dataset<Row> first = replay.groupBy("campaign_id").agg(min("date").as("first_flagged"));
    Dataset<Row> firstRows = replay.join(first.withColumnRenamed("first_flagged", "date"), new String[] {"campaign_id", "date"})
        .select(col("campaign_id"), col("date").as("first_flagged"), col("cluster_size"), col("score"));
    Dataset<Row> firstMembers = lake.read(CampaignTables.DISCOVERY.members())
        .join(firstRows.select(col("campaign_id"), col("first_flagged").as("date")), new String[] {"campaign_id", "date"})
        .select("campaign_id", "account_id");
    Dataset<Row> nightly = lake.readIfExists(CampaignTables.NIGHTLY.members()).where(col("flagged"))
        .select("date", "account_id").distinct();
    Dataset<Row> caught = firstMembers.join(nightly, "account_id")
        .groupBy("campaign_id", "date").agg(count(lit(1)).as("caught"))
        .join(firstRows.select("campaign_id", "cluster_size"), "campaign_id")
        .where(col("caught").multiply(2).geq(col("cluster_size")))
        .groupBy("campaign_id").agg(min("date").as("nightly_first_flagged"));
    List<Finding> out = new ArrayList<>();
    // one row per replayed campaign: small
    for (Row r : firstRows.join(caught, new String[] {"campaign_id"}, "left").orderBy("first_flagged", "campaign_id")
        .collectAsList()) {
      LocalDate replayFirst = r.getDate(r.fieldIndex("first_flagged")).toLocalDate();
      Date n = r.getDate(r.fieldIndex("nightly_first_flagged"));
      LocalDate nightlyFirst = n == null ? null : n.toLocalDate();
      Integer earlier = nightlyFirst == null ? null : (int) ChronoUnit.DAYS.between(replayFirst, nightlyFirst);
      String status = nightlyFirst == null ? "missed" : earlier > 0 ? "late" : earlier == 0 ? "same" : "earlier";
      out.add(new Finding(r.getString(r.fieldIndex("campaign_id")), replayFirst, nightlyFirst, earlier, status,
          r.getLong(r.fieldIndex("cluster_size")), r.getDouble(r.fieldIndex("score"))));
    }
    return out;
  }
}
