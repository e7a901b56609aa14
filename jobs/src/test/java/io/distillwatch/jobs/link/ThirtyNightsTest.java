package io.distillwatch.jobs.link;

import io.distillwatch.jobs.evaluate.EvaluateJob;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.nightly.NightlyJob;
import io.distillwatch.jobs.testing.CampaignLake;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thirty simulated nights with every campaign tactic (CampaignLake's traffic, fixed seed), each
 * through {@code nightly} in order, as the scheduler runs them. On the last night: the quality
 * gates of issue 4, stable ids (a flagged account keeps its campaign id from night to night unless
 * the lineage records a merge or split), and every campaign flagged within one night of reaching
 * 10,000 requests. The month backfilled after these nights is BackfillTest's (on a smaller month:
 * a night costs nearly as much at either size, and both halves in one test take over three hours here).
 * Tagged {@code slow}: thirty nights (docs/operations.md, "Test suites").
 */
@Tag("slow")
class ThirtyNightsTest {
  static final int DAYS = 30;
  static final LocalDate FROM = Fixtures.FROM;
  static final LocalDate LAST = FROM.plusDays(DAYS - 1);
  static final List<String> TACTICS = List.of("hydra", "proxy_mix", "edu_abuse", "model_pivot", "multilingual",
      "low_and_slow");

  @Test
  void aMonthOfNightsMeetsTheGatesWithStableIds() {
    Path landing = Fixtures.landing(CampaignLake.config(DAYS));
    Lake lake = Lake.open(SharedSpark.get(), Fixtures.tempDir("thirty-nights").toString());
    for (LocalDate d = FROM; !d.isAfter(LAST); d = d.plusDays(1)) {
      new NightlyJob(lake, CampaignLake.night(landing, d)).execute(line -> { });
    }

    EvaluateJob.Result r = new EvaluateJob(lake, new EvaluateJob.Options(LAST, CampaignQualityTest.labels(landing), 7,
        CampaignTables.NIGHTLY)).execute();
    assertThat(r.value("all", "campaign_recall")).as("campaign recall").isGreaterThanOrEqualTo(0.95);
    assertThat(r.value("all", "account_precision")).as("account precision").isGreaterThanOrEqualTo(0.95);
    assertThat(r.value("all", "account_recall")).as("account recall").isGreaterThanOrEqualTo(0.90);
    assertThat(r.value("all", "benign_fpr")).as("benign false-positive rate").isLessThanOrEqualTo(0.003);
    assertThat(r.value("benign_top_1pct_volume", "benign_fpr")).as("heavy benign FPR").isLessThanOrEqualTo(0.01);
    for (String tactic : TACTICS) {
      assertThat(r.value("tactic:" + tactic, "campaign_found")).as(tactic).isEqualTo(1.0);
    }
    // a campaign is flagged within one nightly run of reaching 10,000 requests (the metric exists
    // for the campaigns that reached them in the month)
    List<EvaluateJob.Metric> delays = r.metrics().stream().filter(m -> m.metric().equals("days_10k_to_flag")).toList();
    assertThat(delays).as("campaigns that reached 10,000 requests in the month").hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(m -> assertThat(m.value()).as(m.scope() + ": nights from its 10,000th request to its flag")
            .isNotNull().isLessThanOrEqualTo(1.0));

    // stable ids: an account flagged on two consecutive nights keeps its campaign id, unless that
    // night's lineage records the move (a merge or a split)
    Dataset<Row> flagged = lake.read(CampaignTables.NIGHTLY.members()).where(col("flagged"))
        .select("date", "account_id", "campaign_id");
    Dataset<Row> moves = flagged.as("a").join(flagged.as("b"),
            col("a.account_id").equalTo(col("b.account_id")).and(col("b.date").equalTo(date_add(col("a.date"), 1))))
        .where(col("a.campaign_id").notEqual(col("b.campaign_id")))
        .select(col("b.date").as("date"), col("b.campaign_id").as("campaign_id"), col("a.campaign_id").as("related_id"))
        .distinct();
    Dataset<Row> recorded = lake.read(CampaignTables.NIGHTLY.lineage()).select("date", "campaign_id", "related_id");
    assertThat(moves.except(recorded).count()).as("id changes of flagged accounts without a lineage row").isZero();
    long stayed = flagged.as("a").join(flagged.as("b"), col("a.account_id").equalTo(col("b.account_id"))
        .and(col("b.date").equalTo(date_add(col("a.date"), 1))).and(col("a.campaign_id").equalTo(col("b.campaign_id")))).count();
    assertThat(stayed).as("account-nights that kept their id").isGreaterThan(1000);
    assertThat(r.value("all", "ids_kept")).as("flagged accounts that kept their id from the night before")
        .isGreaterThanOrEqualTo(0.95);
  }

}
