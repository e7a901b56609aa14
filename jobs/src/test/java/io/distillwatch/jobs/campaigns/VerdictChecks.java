package io.distillwatch.jobs.campaigns;

import io.distillwatch.features.campaigns.CampaignScoring;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.TableSpec;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.testing.CampaignLake;
import io.distillwatch.jobs.testing.CliRun;
import io.distillwatch.jobs.testing.Digest;
import io.distillwatch.jobs.testing.Fixtures;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Analysts' verdicts and the supervised classifier they train, on a private copy of the campaign
 * lake: the {@code verdict} command's checks, idempotent recording, and the next night scored with
 * the classifier (its probability on every cluster, in the score with its documented weight and in
 * the evidence; the same scores on a re-run; verdicts on the night itself not used).
 *
 * <p>At this size the simulated traffic forms no benign cluster, so the test records three of the
 * previous night's six campaigns as "benign": it checks the plumbing and that the model follows the
 * verdicts, not the model's quality on real labels (CampaignClassifierTest does that).
 * Run as {@code CampaignQualityTest.Verdicts}.
 */
public abstract class VerdictChecks {
  static final LocalDate NIGHT = CampaignLake.LAST;

  @Test
  public void verdictsTrainTheClassifierOfTheNextNight() throws Exception {
    Lake lake = CampaignLake.copy("verdict-lake");
    List<Row> previous = lake.read(CampaignTables.NIGHTLY.campaigns())
        .where(col("date").equalTo(lit(Date.valueOf(NIGHT.minusDays(1))))).orderBy("campaign_id").collectAsList();
    assertThat(previous).hasSizeGreaterThanOrEqualTo(6);

    // mistakes: one-line errors, nothing written
    CliRun.Outcome unknown = CliRun.run("verdict", "--lake", lake.root(), "--campaign", "cmp-nope", "--verdict", "campaign");
    assertThat(unknown.code()).isEqualTo(3);
    assertThat(unknown.err().strip().lines().count()).isEqualTo(1);
    assertThat(unknown.err()).contains("cmp-nope");
    CliRun.Outcome badWord = CliRun.run("verdict", "--lake", lake.root(), "--campaign", previous.get(0).getString(
        previous.get(0).fieldIndex("campaign_id")), "--verdict", "maybe");
    assertThat(badWord.code()).isEqualTo(2);
    assertThat(lake.exists(Tables.OPS_CAMPAIGN_VERDICTS)).isFalse();

    List<String> campaignIds = new ArrayList<>();
    List<String> benignIds = new ArrayList<>();
    StringBuilder csv = new StringBuilder("campaign_id,verdict,date,note\n");
    for (int i = 0; i < 6; i++) {
      String id = previous.get(i).getString(previous.get(i).fieldIndex("campaign_id"));
      boolean campaign = i % 2 == 0;
      (campaign ? campaignIds : benignIds).add(id);
      csv.append(id).append(',').append(campaign ? "campaign" : "benign").append(',').append(NIGHT.minusDays(1))
          .append(",triage, test\n");
    }
    Path file = Fixtures.tempDir("verdicts").resolve("verdicts.csv");
    Files.writeString(file, csv);
    CliRun.Outcome ok = CliRun.run("verdict", "--lake", lake.root(), "--file", file.toString());
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("6 verdicts recorded (3 campaign, 3 benign)");
    String recorded = Digest.of(lake.read(Tables.OPS_CAMPAIGN_VERDICTS));
    assertThat(CliRun.run("verdict", "--lake", lake.root(), "--file", file.toString()).code()).isZero();
    assertThat(Digest.of(lake.read(Tables.OPS_CAMPAIGN_VERDICTS))).as("recorded again: unchanged, times included")
        .isEqualTo(recorded);
    assertThat(lake.read(Tables.OPS_CAMPAIGN_VERDICTS).count()).isEqualTo(6);
    assertThat(lake.read(Tables.OPS_CAMPAIGN_VERDICTS).where(col("note").equalTo("triage, test")).count()).isEqualTo(6);

    CampaignsJob.Result r = new CampaignsJob(lake, CampaignLake.night(CampaignLake.get().landing, NIGHT).campaigns()).execute();
    assertThat(r.classifierVerdicts()).isEqualTo(6);
    assertThat(r.summary()).contains("classifier trained on 6 verdicts");
    List<Row> tonight = lake.read(CampaignTables.NIGHTLY.campaigns()).where(col("date").equalTo(lit(Date.valueOf(NIGHT))))
        .collectAsList();
    assertThat(tonight).isNotEmpty().allSatisfy(row -> {
      double supervised = row.getDouble(row.fieldIndex("supervised"));
      assertThat(supervised).isBetween(0.0, 1.0);
      double unsupervised = CampaignScoring.RULE_WEIGHT * row.getDouble(row.fieldIndex("rule_score"))
          + (1 - CampaignScoring.RULE_WEIGHT) * row.getDouble(row.fieldIndex("anomaly"));
      assertThat(row.getDouble(row.fieldIndex("score"))).isCloseTo(
          (1 - CampaignScoring.SUPERVISED_WEIGHT) * unsupervised + CampaignScoring.SUPERVISED_WEIGHT * supervised, within(1e-9));
      assertThat(row.getString(row.fieldIndex("evidence"))).contains("classifier")
          .contains("trained on 3 campaign and 3 benign verdicts");
    });
    // the model follows the verdicts: the campaigns judged benign score lower tonight than those judged campaigns
    assertThat(meanSupervised(tonight, benignIds)).isLessThan(meanSupervised(tonight, campaignIds));

    // a verdict about tonight itself is not used tonight, and a re-run gives the same rows
    Map<String, String> first = digests(lake);
    assertThat(CliRun.run("verdict", "--lake", lake.root(), "--campaign", campaignIds.get(0), "--verdict", "benign",
        "--date", NIGHT.toString()).code()).isZero();
    new CampaignsJob(lake, CampaignLake.night(CampaignLake.get().landing, NIGHT).campaigns()).execute();
    assertThat(digests(lake)).isEqualTo(first);
  }

  private static double meanSupervised(List<Row> rows, List<String> ids) {
    return rows.stream().filter(r -> ids.contains(r.getString(r.fieldIndex("campaign_id"))))
        .mapToDouble(r -> r.getDouble(r.fieldIndex("supervised"))).average().orElseThrow();
  }

  private static Map<String, String> digests(Lake lake) {
    Map<String, String> out = new TreeMap<>();
    for (TableSpec t : CampaignTables.NIGHTLY.all()) {
      out.put(t.name(), Digest.of(lake.read(t).where(col("date").equalTo(lit(Date.valueOf(NIGHT))))));
    }
    return out;
  }
}
