package io.distillwatch.jobs.campaigns;

import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.nightly.NightlyJob;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.testing.SharedSpark;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quality gates over 30 simulated nights, every stage every night (reliability suite:
 * about 30 minutes here). Also: the replay of the last week by {@code discover} agrees with the
 * nights (nothing missed, nothing late), and merges and splits, if any, are recorded with ids of
 * campaigns that exist.
 */
@Tag("slow")
class CampaignQuality30DaysTest {
  static final int DAYS = 30;

  @Test
  void thirtyNightsMeetTheGates() {
    Path landing = Fixtures.landing(CampaignQualityTest.config(DAYS));
    Lake lake = Lake.open(SharedSpark.get(), Fixtures.tempDir("campaign-30-lake").toString());
    LocalDate last = Fixtures.FROM.plusDays(DAYS - 1);
    for (LocalDate d = Fixtures.FROM; !d.isAfter(last); d = d.plusDays(1)) {
      new NightlyJob(lake, CampaignQualityTest.night(landing, d)).execute(line -> { });
    }
    EvaluateJob.Result r = new EvaluateJob(lake, new EvaluateJob.Options(last, CampaignQualityTest.labels(landing), 7,
        CampaignTables.NIGHTLY)).execute();
    r.table().forEach(System.out::println);
    assertThat(r.value("all", "campaign_recall")).isGreaterThanOrEqualTo(0.95);
    assertThat(r.value("all", "account_precision")).isGreaterThanOrEqualTo(0.95);
    assertThat(r.value("all", "account_recall")).isGreaterThanOrEqualTo(0.90);
    assertThat(r.value("all", "benign_fpr")).isLessThanOrEqualTo(0.003);
    assertThat(r.value("benign_top_1pct_volume", "benign_fpr")).isLessThanOrEqualTo(0.01);
    List<String> late = new ArrayList<>();
    for (EvaluateJob.Metric m : r.metrics()) {
      if (m.metric().equals("days_10k_to_flag") && (m.value() == null || m.value() > 1)) {
        late.add(m.scope() + "=" + m.value());
      }
    }
    assertThat(late).as("campaigns flagged more than one night after their 10,000th request").isEmpty();

    DiscoverJob.Result replay = new DiscoverJob(lake, new DiscoverJob.Options(last.minusDays(6), last,
        LinkJob.Options.defaults(last), CampaignsJob.Options.defaults(last))).execute(line -> { });
    assertThat(replay.findings()).isNotEmpty();
    assertThat(replay.count("missed") + replay.count("late")).isZero();

    // lineage rows point at campaigns that existed the night before
    long dangling = lake.read(CampaignTables.NIGHTLY.lineage()).alias("l")
        .join(lake.read(CampaignTables.NIGHTLY.campaigns()).alias("c"),
            col("l.related_id").equalTo(col("c.campaign_id")).and(col("c.date").lt(col("l.date"))), "left_anti")
        .count();
    assertThat(dangling).isZero();
  }
}
