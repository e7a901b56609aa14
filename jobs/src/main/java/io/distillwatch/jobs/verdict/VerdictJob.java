package io.distillwatch.jobs.verdict;

import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LakeJob;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.spark.JobGroup;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * {@code verdict}: records analysts' verdicts on campaigns in {@code ops.campaign_verdicts}, the
 * labelled history the campaigns stage's classifier trains on. A verdict judges a campaign as it
 * stood on a night of {@code gold.campaigns} (by default its latest). The table keeps every change
 * with its time (a new verdict on a (campaign, night), or a changed one, is a new row), so a night
 * re-run later can read the verdicts as they stood when it first ran; recording a verdict the table
 * already holds as the latest for its (campaign, night) writes nothing, so a re-run changes nothing.
 * Every campaign and night is checked against the lake before anything is written.
 */
public final class VerdictJob extends LakeJob<VerdictJob.Result> {
  public static final String NAME = "verdict";
  public static final String CAMPAIGN = "campaign";
  public static final String BENIGN = "benign";

  /** One verdict; {@code date} null means the campaign's latest night. */
  public record Verdict(String campaignId, LocalDate date, String verdict, String note) {
    public Verdict {
      if (campaignId == null || campaignId.isBlank()) {
        throw new IllegalArgumentException("a verdict needs a campaign id");
      }
      if (!CAMPAIGN.equals(verdict) && !BENIGN.equals(verdict)) {
        throw new IllegalArgumentException("verdict must be '" + CAMPAIGN + "' or '" + BENIGN + "', not '" + verdict + "'");
      }
    }
  }

  /** @param unchanged verdicts given that the table already held as they were (nothing written for them) */
  public record Result(long recorded, long campaigns, long benign, long unchanged) {
    public String summary() {
      return String.format("%,d verdicts recorded (%,d campaign, %,d benign) in %s%s", recorded, campaigns, benign,
          Tables.OPS_CAMPAIGN_VERDICTS.name(), unchanged == 0 ? "" : String.format("; %,d already recorded as given", unchanged));
    }
  }

  private final List<Verdict> verdicts;
  private final Clock clock;

  public VerdictJob(Lake lake, List<Verdict> verdicts) {
    this(lake, verdicts, Clock.systemUTC());
  }

  /** With the clock that stamps {@code recorded_at} (tests record verdicts "before" a night ran). */
  public VerdictJob(Lake lake, List<Verdict> verdicts, Clock clock) {
    super(lake, NAME);
    if (verdicts.isEmpty()) {
      throw new IllegalArgumentException("no verdicts to record");
    }
    this.verdicts = List.copyOf(verdicts);
    this.clock = clock;
  }

  @Override
  protected Map<String, ?> description() {
    Map<String, Object> desc = new LinkedHashMap<>();
    desc.put("lake", lake.root());
    desc.put("verdicts", verdicts.size());
    return desc;
  }

  @Override
  protected Result run(JobGroup group) {
    group.step("verdict: check the campaigns");
    Dataset<Row> campaigns = lake.readIfExists(CampaignTables.NIGHTLY.campaigns());
    List<String> ids = verdicts.stream().map(Verdict::campaignId).distinct().toList();
    Map<String, List<LocalDate>> nights = new HashMap<>();
    for (Row r : campaigns.where(col("campaign_id").isin(ids.toArray())).select("campaign_id", "date").collectAsList()) {
      nights.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r.getDate(1).toLocalDate());
    }
    Timestamp now = Timestamp.from(clock.instant());
    Map<List<Object>, List<Object>> latest = latestVerdicts(ids);
    List<Row> rows = new ArrayList<>();
    long unchanged = 0;
    for (Verdict v : verdicts) {
      List<LocalDate> seen = nights.get(v.campaignId());
      if (seen == null) {
        throw new InvalidInputException("campaign " + v.campaignId() + " is not in " + CampaignTables.NIGHTLY.campaigns().name());
      }
      LocalDate night = v.date() != null ? v.date() : seen.stream().max(LocalDate::compareTo).orElseThrow();
      if (!seen.contains(night)) {
        throw new InvalidInputException("campaign " + v.campaignId() + " has no row on " + night + " in "
            + CampaignTables.NIGHTLY.campaigns().name());
      }
      List<Object> given = java.util.Arrays.asList(v.verdict(), v.note());
      List<Object> key = List.of(v.campaignId(), night);
      if (given.equals(latest.get(key))) {
        unchanged++;
        continue;
      }
      latest.put(key, given); // a file naming one (campaign, night) twice: the last line is the verdict
      rows.removeIf(r -> r.getString(0).equals(v.campaignId()) && r.getDate(1).toLocalDate().equals(night));
      rows.add(RowFactory.create(v.campaignId(), Date.valueOf(night), v.verdict(), v.note(), now));
    }
    if (!rows.isEmpty()) {
      group.step("verdict: write " + Tables.OPS_CAMPAIGN_VERDICTS.name());
      // the key holds recorded_at: every change is a new row, nothing is updated in place
      lake.upsert(Tables.OPS_CAMPAIGN_VERDICTS, spark.createDataFrame(rows, Tables.OPS_CAMPAIGN_VERDICTS.schema()), null);
    }
    long positives = rows.stream().filter(r -> r.getString(2).equals(CAMPAIGN)).count();
    return new Result(rows.size(), positives, rows.size() - positives, unchanged);
  }

  /** The latest recorded (verdict, note) of each (campaign, night) of these campaigns. */
  private Map<List<Object>, List<Object>> latestVerdicts(List<String> ids) {
    Map<List<Object>, List<Object>> latest = new HashMap<>();
    Map<List<Object>, Timestamp> at = new HashMap<>();
    for (Row r : lake.readIfExists(Tables.OPS_CAMPAIGN_VERDICTS).where(col("campaign_id").isin(ids.toArray()))
        .select("campaign_id", "date", "verdict", "note", "recorded_at").collectAsList()) {
      List<Object> key = List.of(r.getString(0), r.getDate(1).toLocalDate());
      if (!at.containsKey(key) || r.getTimestamp(4).after(at.get(key))) {
        at.put(key, r.getTimestamp(4));
        latest.put(key, java.util.Arrays.asList(r.getString(2), r.getString(3)));
      }
    }
    return latest;
  }
}
