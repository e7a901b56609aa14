package io.distillwatch.jobs.drift;

import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.link.CampaignsJob;
import io.distillwatch.jobs.testing.CampaignLake;
import io.distillwatch.jobs.testing.CliRun;
import io.distillwatch.jobs.testing.Digest;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The drift stage on a private copy of the campaign lake (the real bundled model, real Delta):
 * every scored account gets a valid p-value against the benign null, a re-run writes the same
 * rows, alerts carry their evidence and no account id, accounts of the campaigns the previous night
 * flagged are kept out of the benign pool (their prompts are tonight's known harvesting, which the
 * others' contrast is measured towards) and drift more than benign accounts, and the campaigns
 * job folds the members' p-values into each cluster (column and evidence signal).
 * Run as {@code CampaignQualityTest.Drift}.
 */
public abstract class DriftChecks {
  static final LocalDate NIGHT = CampaignLake.LAST;

  @Test
  public void driftScoresAccountsAgainstTheBenignNullAndFeedsTheCampaignScore() throws Exception {
    Lake lake = CampaignLake.copy("drift-lake");
    // the fixture's lake holds three days: a window of 16 requests scores most non-casual accounts
    DriftJob.Options options = new DriftJob.Options(NIGHT, DriftJob.Options.DEFAULT_WINDOW_DAYS, 16,
        DriftJob.Options.DEFAULT_HEAVY_WINDOW, DriftJob.Options.DEFAULT_REFERENCE, DriftJob.Options.DEFAULT_ALERT_LEVEL,
        "bundled", "cpu");
    DriftJob.Result first = new DriftJob(lake, options).execute();
    System.out.println("drift on the campaign lake: " + first.summary());
    assertThat(first.scored()).isGreaterThanOrEqualTo(100);
    // too few heavy benign accounts to resolve the alert level: every account has the 16-request window
    assertThat(first.heavy()).isZero();
    assertThat(first.unscored()).isPositive(); // casual accounts: no score, not a guess
    assertThat(first.embedded()).isPositive();
    Dataset<Row> drift = lake.read(Tables.GOLD_ACCOUNT_DRIFT).where(col("date").equalTo(lit(Date.valueOf(NIGHT))));
    List<Row> rows = drift.collectAsList();
    assertThat(rows).allSatisfy(r -> {
      double pMmd = r.getDouble(r.fieldIndex("p_mmd"));
      int nullSize = r.getInt(r.fieldIndex("null_size"));
      assertThat(pMmd).isGreaterThanOrEqualTo(1.0 / (nullSize + 1)).isLessThanOrEqualTo(1.0);
      boolean inPool = r.getBoolean(r.fieldIndex("in_pool"));
      boolean hasContrast = !r.isNullAt(r.fieldIndex("p_contrast"));
      // the contrast is for accounts in no flagged campaign, and the account's p is Bonferroni over its tests
      assertThat(hasContrast).isEqualTo(inPool && r.getInt(r.fieldIndex("harvest_reference_size")) > 0);
      double expected = hasContrast ? Math.min(1, 2 * Math.min(pMmd, r.getDouble(r.fieldIndex("p_contrast")))) : pMmd;
      assertThat(r.getDouble(r.fieldIndex("p_value"))).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-12));
      assertThat(r.getLong(r.fieldIndex("window_requests"))).isGreaterThanOrEqualTo(16);
      assertThat(r.getInt(r.fieldIndex("window_size"))).isEqualTo(16);
      assertThat(r.getInt(r.fieldIndex("window_templates"))).isBetween(1, 16);
      assertThat(r.getList(r.fieldIndex("drift_templates"))).isNotEmpty().hasSizeLessThanOrEqualTo(3);
    });

    // the previous night's flagged campaigns are not benign reference material, and they drift more
    Dataset<Row> labels = SharedSpark.get().read().json(CampaignLake.get().labels());
    Dataset<Row> labelled = drift.join(labels, "account_id");
    long campaignInPool = labelled.where(col("campaign").isNotNull().and(col("in_pool"))).count();
    long campaignScored = labelled.where(col("campaign").isNotNull()).count();
    assertThat(campaignScored).isGreaterThanOrEqualTo(20);
    assertThat(campaignInPool).as("campaign accounts in the benign pool").isLessThan(campaignScored / 2);
    // the previous night flagged campaigns: tonight their prompts are the known harvesting
    assertThat(rows.get(0).getInt(rows.get(0).fieldIndex("harvest_reference_size"))).isGreaterThanOrEqualTo(DriftJob.MIN_REFERENCE);
    double campaignMedian = median(labelled.where(col("campaign").isNotNull()));
    double benignMedian = median(labelled.where(col("campaign").isNull()));
    System.out.printf("median drift p: campaign accounts %.3f, benign accounts %.3f%n", campaignMedian, benignMedian);
    assertThat(campaignMedian).isLessThan(benignMedian);

    // alerts: pool accounts at the level, with evidence and no account id in it
    List<Row> alerts = lake.read(Tables.GOLD_DRIFT_ALERTS).where(col("date").equalTo(lit(Date.valueOf(NIGHT)))).collectAsList();
    assertThat(alerts).allSatisfy(a -> {
      assertThat(a.getDouble(a.fieldIndex("p_value"))).isLessThanOrEqualTo(options.alertLevel());
      assertThat(a.getString(a.fieldIndex("evidence"))).contains("MMD^2").contains("benign accounts").doesNotContain("acct_");
      assertThat(a.getString(a.fieldIndex("evidence"))).contains("towards the").contains("recently flagged campaigns");
    });

    // idempotent: a re-run embeds nothing and writes the same rows
    String digest = Digest.of(drift.drop("date"));
    DriftJob.Result again = new DriftJob(lake, options).execute();
    assertThat(again.embedded()).isZero();
    assertThat(Digest.of(lake.read(Tables.GOLD_ACCOUNT_DRIFT).where(col("date").equalTo(lit(Date.valueOf(NIGHT))))
        .drop("date"))).isEqualTo(digest);

    // the campaigns job reads the night's drift: per cluster, scored members and their median p
    new CampaignsJob(lake, CampaignLake.night(CampaignLake.get().landing, NIGHT).campaigns()).execute();
    List<Row> clusters = lake.read(CampaignTables.NIGHTLY.campaigns())
        .where(col("date").equalTo(lit(Date.valueOf(NIGHT))).and(col("drift_scored").geq(3))).collectAsList();
    assertThat(clusters).isNotEmpty().allSatisfy(c -> {
      assertThat(c.isNullAt(c.fieldIndex("drift_median_p"))).isFalse();
      assertThat(c.<String, Double>getJavaMap(c.fieldIndex("evidence_weights"))).containsKey("query_drift");
    });

    // the briefing of the night shows the drift alerts, pseudonymised (the page's rendering in a
    // browser is ReportChecks' concern; here the data behind the section)
    io.distillwatch.jobs.report.Pseudonyms keyed = io.distillwatch.jobs.report.Pseudonyms.keyed("drift-report-key-0123456789");
    java.nio.file.Path html = io.distillwatch.jobs.testing.Fixtures.tempDir("drift-report").resolve("briefing.html");
    io.distillwatch.jobs.report.ReportData.DriftAlerts shown = new io.distillwatch.jobs.report.ReportJob(lake,
        new io.distillwatch.jobs.report.ReportJob.Options(html, NIGHT, keyed, null, null)).execute().data().driftAlerts();
    assertThat(shown.ran()).isTrue();
    assertThat(shown.total()).isEqualTo(alerts.size());
    assertThat(shown.strongest()).hasSize(Math.min(alerts.size(), io.distillwatch.jobs.report.ReportData.TABLE_CAMPAIGNS));
    List<String> alertIds = alerts.stream().map(a -> a.<String>getAs("account_id")).toList();
    assertThat(shown.strongest()).allSatisfy(x -> {
      assertThat(alertIds).doesNotContain(x.account());
      assertThat(alertIds.stream().map(keyed::of)).contains(x.account());
    });
    String page = java.nio.file.Files.readString(html);
    assertThat(page).contains("<section id=\"drift\">").contains(String.format("%,d account", alerts.size()));
    assertThat(alertIds).noneMatch(page::contains);
  }

  /**
   * Heavy accounts (at least the heavy window's requests) get the larger window and are tested against
   * each other: their own reference and benign null, once each half of them can resolve the alert
   * level (here 0.1, so 9 benign heavy accounts per half: the three-day lake has few heavy accounts).
   */
  @Test
  public void heavyAccountsAreTestedWithTheLargerWindowAgainstEachOther() {
    Lake lake = CampaignLake.copy("drift-heavy-lake");
    DriftJob.Options options = new DriftJob.Options(NIGHT, DriftJob.Options.DEFAULT_WINDOW_DAYS, 16, 32,
        DriftJob.Options.DEFAULT_REFERENCE, 0.1, "bundled", "cpu");
    DriftJob.Result r = new DriftJob(lake, options).execute();
    System.out.println("drift on the campaign lake, heavy windows of 32: " + r.summary());
    assertThat(r.heavy()).isPositive();
    List<Row> rows = lake.read(Tables.GOLD_ACCOUNT_DRIFT).where(col("date").equalTo(lit(Date.valueOf(NIGHT))))
        .withColumn("half", io.distillwatch.features.drift.QueryDrift.half(col("account_id"))).collectAsList();
    List<Row> heavy = rows.stream().filter(x -> x.getInt(x.fieldIndex("window_size")) == 32).toList();
    assertThat(heavy).hasSize((int) r.heavy()).allSatisfy(x -> {
      assertThat(x.getString(x.fieldIndex("stratum"))).isEqualTo(DriftJob.HEAVY_STRATUM);
      assertThat(x.getLong(x.fieldIndex("window_requests"))).isGreaterThanOrEqualTo(32);
    });
    assertThat(rows).filteredOn(x -> x.getInt(x.fieldIndex("window_size")) == 16).isNotEmpty().allSatisfy(x -> {
      assertThat(x.getString(x.fieldIndex("stratum"))).isNotEqualTo(DriftJob.HEAVY_STRATUM);
      assertThat(x.getLong(x.fieldIndex("window_requests"))).isLessThan(32);
    });
    // a heavy account's null is the heavy pool accounts of its half (tested against the same reference)
    for (int half = 0; half < 2; half++) {
      int h = half;
      long heavyPool = heavy.stream().filter(x -> x.getInt(x.fieldIndex("half")) == h && x.getBoolean(x.fieldIndex("in_pool")))
          .count();
      assertThat(heavyPool).isGreaterThanOrEqualTo(9);
      assertThat(heavy).filteredOn(x -> x.getInt(x.fieldIndex("half")) == h)
          .allSatisfy(x -> assertThat(x.getInt(x.fieldIndex("null_size"))).isEqualTo((int) heavyPool));
    }
  }

  @Test
  public void badOptionsAreOneLineErrors() {
    CliRun.Outcome o = CliRun.run("drift", "--lake", CampaignLake.get().lake.root(), "--date", NIGHT.toString(),
        "--drift-window", "2");
    assertThat(o.code()).isEqualTo(2);
    assertThat(o.err().strip().lines().count()).isEqualTo(1);
    assertThat(o.err()).contains("at least 4 requests");
    CliRun.Outcome heavy = CliRun.run("drift", "--lake", CampaignLake.get().lake.root(), "--date", NIGHT.toString(),
        "--drift-heavy-window", "8");
    assertThat(heavy.code()).isEqualTo(2);
    assertThat(heavy.err().strip().lines().count()).isEqualTo(1);
    assertThat(heavy.err()).contains("heavy window must be 0 (off) or larger than the drift window");
  }

  private static double median(Dataset<Row> rows) {
    return rows.selectExpr("percentile(p_mmd, 0.5)").first().getDouble(0);
  }
}
