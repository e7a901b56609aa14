package io.distillwatch.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.testing.CampaignLake;
import io.distillwatch.jobs.testing.CliRun;
import io.distillwatch.jobs.testing.HeadlessBrowser;
import io.distillwatch.jobs.testing.SyntheticStudy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The briefing page on a lake with real campaigns (three simulated nights), rendered in a real headless
 * Chromium: it loads with no console error and no network request, the campaign table and every chart
 * render with the lake's numbers, sorting works, account ids are pseudonyms unless internal, and the
 * PDF prints. Screenshots for a reviewer: jobs/target/report/. The attribution section shows
 * {@link SyntheticStudy} (made-up statistics through the real gold.attribution writer).
 * Run as {@code CampaignQualityTest.Briefing} (a nested class of the test that builds the lake,
 * so the tests sharing the lake run one after another on one thread).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ReportChecks {
  static final Path OUT = Path.of("target", "report");
  static final Pseudonyms KEYED = Pseudonyms.keyed("report-test-key-0123456789");

  private Lake lake;
  private List<String> flaggedIds;

  @BeforeAll
  public void lakeWithCampaignsAndAStudy() {
    lake = CampaignLake.get().lake;
    SyntheticStudy.write(lake);
    flaggedIds = lake.read(CampaignTables.NIGHTLY.members())
        .where(col("date").equalTo(lit(Date.valueOf(CampaignLake.LAST))).and(col("flagged")))
        .select("account_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertThat(flaggedIds).isNotEmpty();
  }

  @Test
  public void theExternalBriefingRendersInChromiumWithNoErrorAndNoNetwork() throws Exception {
    Path html = OUT.resolve("briefing.html");
    ReportJob.Result r = new ReportJob(lake, new ReportJob.Options(html, null, KEYED, null, null)).execute();
    ReportData d = r.data();
    assertThat(d.date()).isEqualTo(CampaignLake.LAST);
    long flaggedCampaigns = d.campaigns().stream().filter(ReportData.Campaign::flagged).count();
    // the figures against the lake itself, not only against what the report read from it
    long flaggedInLake = lake.read(CampaignTables.NIGHTLY.campaigns())
        .where(col("date").equalTo(lit(Date.valueOf(CampaignLake.LAST))).and(col("flagged"))).count();
    assertThat(flaggedCampaigns).isPositive().isEqualTo(flaggedInLake).isEqualTo(d.headline().flaggedCampaigns());
    assertThat(d.headline().flaggedAccounts()).isEqualTo(flaggedIds.size());

    try (HeadlessBrowser browser = HeadlessBrowser.start()) {
      browser.open(html.toAbsolutePath().toUri());
      assertThat(browser.consoleErrors()).as("console errors").isEmpty();
      assertThat(browser.requests()).as("every request the page made").isNotEmpty()
          .allSatisfy(u -> assertThat(u).startsWith("file:"));

      // the campaign table: every row of the data, flagged ones marked
      assertThat(browser.eval("document.querySelectorAll('#campaigns tbody tr').length").asInt()).isEqualTo(d.campaigns().size());
      assertThat(browser.eval("document.querySelectorAll('#campaigns tbody tr.flagged').length").asLong()).isEqualTo(flaggedCampaigns);
      assertThat(browser.eval("document.querySelector('#headline').innerText").asText())
          .contains(String.format("%,d", flaggedIds.size())).contains(String.format("%,d", flaggedInLake));

      // charts are drawn with real size and one mark per datum
      for (String chart : List.of("timeline-requests", "timeline-accounts", "capability-mix", "link-graph")) {
        JsonNode box = browser.eval("(function(){var r=document.getElementById('" + chart
            + "').getBoundingClientRect();return [r.width,r.height];})()");
        assertThat(box.get(0).asDouble()).as(chart + " width").isGreaterThan(300);
        assertThat(box.get(1).asDouble()).as(chart + " height").isGreaterThan(100);
      }
      long charted = d.timeline().stream().map(ReportData.DailyPoint::campaignId).distinct().count();
      assertThat(charted).isPositive();
      assertThat(browser.eval("document.querySelectorAll('#timeline-requests path.series').length").asLong()).isEqualTo(charted);
      assertThat(browser.eval("document.querySelectorAll('#capability-mix rect.segment').length").asInt()).isPositive();
      assertThat(browser.eval("document.querySelectorAll('#link-graph circle.node').length").asInt())
          .isEqualTo(d.graph().nodes().size()).isGreaterThan(1);
      assertThat(browser.eval("document.querySelectorAll('#link-graph line.edge').length").asInt())
          .isEqualTo(d.graph().edges().size()).isPositive();
      // attribution: the verdicts and one evidence chart per suspect
      assertThat(browser.eval("document.querySelectorAll('svg[id^=attribution-]').length").asInt()).isEqualTo(2);
      assertThat(browser.eval("document.querySelectorAll('tr.attributed').length").asInt()).isEqualTo(1);
      assertThat(browser.eval("document.querySelectorAll('svg[id^=attribution-] rect.bar').length").asInt()).isEqualTo(6);

      // clicking a column sorts the table by it (descending first)
      JsonNode sorted = browser.eval("(function(){var th=[].find.call(document.querySelectorAll('#campaigns th'),"
          + "function(h){return h.textContent==='accounts';});th.click();"
          + "var col=[].indexOf.call(th.parentNode.children,th);"
          + "return [].map.call(document.querySelectorAll('#campaigns tbody tr'),function(r){"
          + "return parseFloat(r.cells[col].getAttribute('data-v'));});})()");
      for (int i = 1; i < sorted.size(); i++) {
        assertThat(sorted.get(i).asDouble()).isLessThanOrEqualTo(sorted.get(i - 1).asDouble());
      }
      assertThat(browser.eval("document.getElementById('handling').className").asText()).contains("external");
      assertThat(browser.consoleErrors()).as("console errors after interaction").isEmpty();
      browser.screenshot(OUT.resolve("briefing.png"));
    }
    assertThat(Files.size(OUT.resolve("briefing.png"))).isGreaterThan(20_000);

    // no real account id anywhere in the page; the drawn accounts carry pseudonyms
    String page = Files.readString(html, StandardCharsets.UTF_8);
    assertThat(flaggedIds).allSatisfy(id -> assertThat(page).doesNotContain(id));
    assertThat(d.graph().nodes()).allSatisfy(n -> assertThat(n).matches("p-[0-9a-f]{12}"));
  }

  @Test
  public void theInternalBriefingKeepsIdsAndSaysSo() throws Exception {
    Path html = OUT.resolve("briefing-internal.html");
    ReportJob.Result r = new ReportJob(lake, new ReportJob.Options(html, CampaignLake.LAST, Pseudonyms.internal(), null, null))
        .execute();
    String page = Files.readString(html, StandardCharsets.UTF_8);
    assertThat(page).contains("INTERNAL");
    assertThat(r.data().graph().nodes()).isSubsetOf(flaggedIds);
    assertThat(page).contains(r.data().graph().nodes().get(0));
  }

  @Test
  public void theCommandNeedsTheKeyForExternalReportsAndPrintsPdf() throws Exception {
    // the test JVM has no pseudonym key in its environment: an external report is refused in one line
    assertThat(System.getenv(Pseudonyms.KEY_VARIABLE)).as("tests run without a pseudonym key").isNull();
    CliRun.Outcome refused = CliRun.run("report", "--lake", lake.root(), "--out", OUT.resolve("refused.html").toString());
    assertThat(refused.code()).isEqualTo(3);
    assertThat(refused.err().strip().lines().count()).isEqualTo(1);
    assertThat(refused.err()).contains(Pseudonyms.KEY_VARIABLE).contains("--internal");
    assertThat(OUT.resolve("refused.html")).doesNotExist();

    CliRun.Outcome badOut = CliRun.run("report", "--lake", lake.root(), "--out", OUT.resolve("report.txt").toString(), "--internal");
    assertThat(badOut.code()).isEqualTo(2);

    Path html = OUT.resolve("briefing-cli.html");
    CliRun.Outcome ok = CliRun.run("report", "--lake", lake.root(), "--out", html.toString(), "--internal", "--pdf");
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out() + ok.err()).contains("briefing-cli.pdf");
    byte[] pdf = Files.readAllBytes(OUT.resolve("briefing-cli.pdf"));
    assertThat(new String(pdf, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
    assertThat(pdf.length).isGreaterThan(10_000);
  }
}
