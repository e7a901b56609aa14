package io.distillwatch.jobs.nightly;

import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.testing.CampaignLake;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.jobs.testing.SingleNight;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reruns and backfills of issue 7 over a month: thirty nightly runs in order, then the whole
 * month backfilled (every night again, in order), then two nights again out of order (a late one,
 * then an early one). Every table's content digest must equal the one after the thirty nightly
 * runs (ops.runs holds wall-clock times and is left out). The digests are also compared after the
 * first backfill nights, so a night that does not rewrite its own content is named early.
 *
 * <p>The traffic is CampaignLake's (every tactic, seed 7, the proxy reseller at 10 accounts) at
 * scale 0.1 instead of 0.2: a night's cost is mostly Spark's fixed cost per stage, and sixty-odd
 * nights at 0.2 take over three hours on a 2-core machine. The quality gates over thirty nights
 * are ThirtyNightsTest's. Tagged {@code slow} (docs/operations.md, "Test suites").
 */
@Tag("slow")
class BackfillTest {
  static final int DAYS = 30;
  static final LocalDate FROM = Fixtures.FROM;
  static final LocalDate LAST = FROM.plusDays(DAYS - 1);

  @Test
  void aMonthBackfilledAndNightsAgainOutOfOrderGiveTheLakeOfTheNightlyRuns() {
    Path landing = Fixtures.landing(CampaignLake.config(DAYS, 0.1));
    Lake lake = Lake.open(SharedSpark.get(), Fixtures.tempDir("backfill").toString());
    for (LocalDate d = FROM; !d.isAfter(LAST); d = d.plusDays(1)) {
      night(lake, landing, d, "nightly");
    }
    // the month must hold what makes reruns hard: flagged campaigns whose ids carry from night to night
    Dataset<Row> flagged = lake.read(CampaignTables.NIGHTLY.members()).where(col("flagged"));
    Dataset<Row> lastNight = flagged.where(col("date").equalTo(LAST)).select("campaign_id").distinct();
    long campaigns = lastNight.count();
    long idsFromEarlierNights = flagged.where(col("date").lt(LAST.minusDays(7))).select("campaign_id").distinct()
        .join(lastNight, "campaign_id").count();
    assertThat(campaigns).as("campaigns flagged on the last night").isGreaterThanOrEqualTo(4);
    assertThat(idsFromEarlierNights).as("of them, ids already flagged more than a week earlier").isGreaterThanOrEqualTo(3);

    Map<String, String> month = SingleNight.digests(lake);
    for (LocalDate d = FROM; !d.isAfter(LAST); d = d.plusDays(1)) {
      night(lake, landing, d, "backfill");
      if (d.equals(FROM) || d.equals(FROM.plusDays(2))) {
        assertThat(SingleNight.digests(lake)).as("after backfilling up to " + d).isEqualTo(month);
      }
    }
    assertThat(SingleNight.digests(lake)).as("after the 30-night backfill").isEqualTo(month);

    night(lake, landing, FROM.plusDays(19), "again");
    night(lake, landing, FROM.plusDays(9), "again");
    assertThat(SingleNight.digests(lake)).as("after night 20, then night 10, again after the backfill")
        .isEqualTo(month);
  }

  private static void night(Lake lake, Path landing, LocalDate d, String pass) {
    new NightlyJob(lake, CampaignLake.night(landing, d)).execute(line -> System.out.println(pass + ": " + line));
  }
}
