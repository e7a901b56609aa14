package io.distillwatch.jobs.campaigns;

import io.distillwatch.jobs.cli.InvalidInputException;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.spark.JobGroup;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
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
 * stood on a night of {@code gold.campaigns} (by default its latest); recording the same
 * (campaign, night) again replaces the verdict (MERGE on the key), so a re-run changes nothing.
 * Every campaign and night is checked against the lake before anything is written.
 */
public final class VerdictJob {
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

  public record Result(long recorded, long campaigns, long benign) {
    public String summary() {
      return String.format("%,d verdicts recorded (%,d campaign, %,d benign) in %s", recorded, campaigns, benign,
          Tables.OPS_CAMPAIGN_VERDICTS.name());
    }
  }

  private final Lake lake;
  private final SparkSession spark;
  private final List<Verdict> verdicts;

  public VerdictJob(Lake lake, List<Verdict> verdicts) {
    if (verdicts.isEmpty()) {
      throw new IllegalArgumentException("no verdicts to record");
    }
    this.lake = lake;
    this.spark = lake.spark();
    this.verdicts = List.copyOf(verdicts);
  }

  public Result execute() {
    Map<String, Object> desc = new LinkedHashMap<>();
    desc.put("lake", lake.root());
    desc.put("verdicts", verdicts.size());
    try (JobGroup group = JobGroup.open(spark, NAME, desc)) {
      group.step("verdict: check the campaigns");
      Dataset<Row> campaigns = lake.readIfExists(CampaignTables.NIGHTLY.campaigns());
      List<String> ids = verdicts.stream().map(Verdict::campaignId).distinct().toList();
      Map<String, List<LocalDate>> nights = new HashMap<>();
      for (Row r : campaigns.where(col("campaign_id").isin(ids.toArray())).select("campaign_id", "date").collectAsList()) {
        nights.computeIfAbsent(r.getString(0), k -> new ArrayList<>()).add(r.getDate(1).toLocalDate());
      }
      Timestamp now = Timestamp.from(Instant.now());
      List<Row> rows = new ArrayList<>();
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
        rows.add(RowFactory.create(v.campaignId(), Date.valueOf(night), v.verdict(), v.note(), now));
      }
      group.step("verdict: write " + Tables.OPS_CAMPAIGN_VERDICTS.name());
      lake.upsert(Tables.OPS_CAMPAIGN_VERDICTS, spark.createDataFrame(rows, Tables.OPS_CAMPAIGN_VERDICTS.schema()),
          "s.verdict <> t.verdict OR NOT (s.note <=> t.note)");
      long positives = verdicts.stream().filter(v -> v.verdict().equals(CAMPAIGN)).count();
      return new Result(rows.size(), positives, rows.size() - positives);
    }
  }
}
