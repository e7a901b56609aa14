package io.distillwatch.jobs.link;

import io.distillwatch.features.campaigns.CampaignScoring;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.TableSpec;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.testing.CampaignLake;
import io.distillwatch.jobs.testing.CliRun;
import io.distillwatch.jobs.testing.Digest;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.jobs.verdict.VerdictJob;
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
 * lake: the {@code verdict} command's checks, idempotent recording, no leakage (verdicts recorded
 * or changed after a night first ran, or about the night itself, leave a re-run of the night as it
 * was), and a night scored with the classifier trained on verdicts recorded before it first ran
 * (its probability on every cluster, in the score with its documented weight and in the evidence).
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
    List<VerdictJob.Verdict> given = new ArrayList<>();
    StringBuilder csv = new StringBuilder("campaign_id,verdict,date,note\n");
    for (int i = 0; i < 6; i++) {
      String id = previous.get(i).getString(previous.get(i).fieldIndex("campaign_id"));
      boolean campaign = i % 2 == 0;
      (campaign ? campaignIds : benignIds).add(id);
      given.add(new VerdictJob.Verdict(id, NIGHT.minusDays(1), campaign ? "campaign" : "benign", "triage, test"));
      csv.append(id).append(',').append(campaign ? "campaign" : "benign").append(',').append(NIGHT.minusDays(1))
          .append(",triage, test\n");
    }
    Map<String, String> beforeVerdicts = digests(lake);

    // recorded after the night first ran (the shared lake's nightly run): the command, then the same file again
    Path file = Fixtures.tempDir("verdicts").resolve("verdicts.csv");
    Files.writeString(file, csv);
    CliRun.Outcome ok = CliRun.run("verdict", "--lake", lake.root(), "--file", file.toString());
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("6 verdicts recorded (3 campaign, 3 benign)");
    String recorded = Digest.of(lake.read(Tables.OPS_CAMPAIGN_VERDICTS));
    CliRun.Outcome again = CliRun.run("verdict", "--lake", lake.root(), "--file", file.toString());
    assertThat(again.code()).isZero();
    assertThat(again.out()).contains("0 verdicts recorded").contains("6 already recorded as given");
    assertThat(Digest.of(lake.read(Tables.OPS_CAMPAIGN_VERDICTS))).as("recorded again: unchanged, times included")
        .isEqualTo(recorded);
    assertThat(lake.read(Tables.OPS_CAMPAIGN_VERDICTS).count()).isEqualTo(6);
    assertThat(lake.read(Tables.OPS_CAMPAIGN_VERDICTS).where(col("note").equalTo("triage, test")).count()).isEqualTo(6);
    // no leakage: re-running the night after they were recorded gives the night's rows as they were
    CampaignsJob.Result late = new CampaignsJob(lake, CampaignLake.night(CampaignLake.get().landing, NIGHT).campaigns()).execute();
    assertThat(late.classifierVerdicts()).as("verdicts recorded after the night first ran").isZero();
    assertThat(digests(lake)).isEqualTo(beforeVerdicts);

    // the same verdicts recorded before the night first ran, on another copy: the night's classifier trains on them
    Lake early = CampaignLake.copy("verdict-lake-early");
    java.time.Instant firstRun = early.recordedFirstRun(CampaignsJob.NAME, NIGHT).orElseThrow();
    new VerdictJob(early, given, java.time.Clock.fixed(firstRun.minusSeconds(3_600), java.time.ZoneOffset.UTC)).execute();
    CampaignsJob.Result r = new CampaignsJob(early, CampaignLake.night(CampaignLake.get().landing, NIGHT).campaigns()).execute();
    assertThat(r.classifierVerdicts()).isEqualTo(6);
    assertThat(r.summary()).contains("classifier trained on 6 verdicts");
    List<Row> tonight = early.read(CampaignTables.NIGHTLY.campaigns()).where(col("date").equalTo(lit(Date.valueOf(NIGHT))))
        .collectAsList();
    assertThat(tonight).isNotEmpty().allSatisfy(row -> {
      double supervised = row.getDouble(row.fieldIndex("supervised"));
      assertThat(supervised).isBetween(0.0, 1.0);
      double unsupervised = CampaignScoring.EVIDENCE_WEIGHT * row.getDouble(row.fieldIndex("evidence_score"))
          + (1 - CampaignScoring.EVIDENCE_WEIGHT) * row.getDouble(row.fieldIndex("anomaly"));
      assertThat(row.getDouble(row.fieldIndex("score"))).isCloseTo(
          (1 - CampaignScoring.SUPERVISED_WEIGHT) * unsupervised + CampaignScoring.SUPERVISED_WEIGHT * supervised, within(1e-9));
      assertThat(row.getString(row.fieldIndex("evidence"))).contains("classifier")
          .contains("trained on 3 campaign and 3 benign verdicts");
    });
    // the model follows the verdicts: the campaigns judged benign score lower tonight than those judged campaigns
    assertThat(meanSupervised(tonight, benignIds)).isLessThan(meanSupervised(tonight, campaignIds));

    // a verdict changed after the night first ran, and one about the night itself, are not used: a re-run gives the same rows
    Map<String, String> first = digests(early);
    assertThat(CliRun.run("verdict", "--lake", early.root(), "--campaign", campaignIds.get(0), "--verdict", "benign",
        "--date", NIGHT.minusDays(1).toString()).code()).isZero();
    assertThat(CliRun.run("verdict", "--lake", early.root(), "--campaign", campaignIds.get(1), "--verdict", "benign",
        "--date", NIGHT.toString()).code()).isZero();
    assertThat(early.read(Tables.OPS_CAMPAIGN_VERDICTS).count()).as("the change is a new row, the old one kept").isEqualTo(8);
    CampaignsJob.Result rerun = new CampaignsJob(early, CampaignLake.night(CampaignLake.get().landing, NIGHT).campaigns()).execute();
    assertThat(rerun.classifierVerdicts()).isEqualTo(6);
    assertThat(digests(early)).isEqualTo(first);
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
