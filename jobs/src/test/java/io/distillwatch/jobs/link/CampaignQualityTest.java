package io.distillwatch.jobs.link;

import io.distillwatch.jobs.evaluate.EvaluateJob;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.TableSpec;
import io.distillwatch.jobs.report.NotebookChecks;
import io.distillwatch.jobs.report.ReportChecks;
import io.distillwatch.jobs.testing.CampaignLake;
import io.distillwatch.jobs.testing.CliRun;
import io.distillwatch.jobs.testing.Digest;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Campaign discovery end to end on simulated traffic with every campaign tactic: three
 * nights (ingest and features every night; link and campaigns on the last two), then the
 * quality gates of the issue on the last night, stable ids across the two nights, idempotent
 * re-runs, and the enforcement export. (30 nights at scale 1: docs/benchmarks.md, "Campaign discovery".)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Order(0) // the suite's longest path (its lake, then the nested classes): starts first, see junit-platform.properties
class CampaignQualityTest {
  static final LocalDate LAST = CampaignLake.LAST;

  private Lake lake;
  private Path landing;
  private EvaluateJob.Result evaluation;

  @BeforeAll
  void runTheNights() {
    CampaignLake shared = CampaignLake.get();
    lake = shared.lake;
    landing = shared.landing;
    evaluation = new EvaluateJob(lake, new EvaluateJob.Options(LAST, labels(landing), 7, CampaignTables.NIGHTLY)).execute();
  }

  static String labels(Path landing) {
    return landing.resolve("labels/labels.jsonl").toString();
  }

  @Test
  void qualityGatesHoldOnTheLastNight() {
    EvaluateJob.Result r = evaluation;
    assertThat(r.value("all", "account_precision")).as("account precision").isGreaterThanOrEqualTo(0.95);
    assertThat(r.value("all", "account_recall")).as("account recall").isGreaterThanOrEqualTo(0.90);
    assertThat(r.value("all", "benign_fpr")).as("benign false-positive rate").isLessThanOrEqualTo(0.003);
    assertThat(r.value("benign_top_1pct_volume", "benign_fpr")).as("heavy benign FPR").isLessThanOrEqualTo(0.01);
    // every tactic the identity links can see, including the ones at <= 30 requests per account per day (hydra,
    // low and slow). Not the reseller (proxy_mix): 70 % of its traffic is its customers' chat, and its harvest
    // (62 a day per account on its own templates) is 1 in 40 background accounts' such work; it was found here
    // until stop 39 only by comparing its private part's shares with whole accounts' shares, which flagged every
    // drawn world's course cohort above it (docs/campaigns.md). Finding it is the drift detector's job, unmet.
    List<String> identityTactics = List.of("hydra", "edu_abuse", "model_pivot", "multilingual", "low_and_slow");
    for (String tactic : identityTactics) {
      assertThat(r.value("tactic:" + tactic, "campaign_found")).as(tactic).isEqualTo(1.0);
    }
    assertThat(r.value("all", "campaign_recall")).as("campaign recall")
        .isGreaterThanOrEqualTo((double) identityTactics.size() / (identityTactics.size() + 1));
    // the benign clusters of the world (a household on one card, a course that signed up together, an agency)
    assertThat(r.value("all", "benign_clusters_flagged")).as("benign clusters flagged").isZero();
    // the evaluation is in the lake too
    assertThat(lake.read(EvaluateJob.EVALUATION).where(col("date").equalTo(lit(Date.valueOf(LAST)))).count())
        .isEqualTo(r.metrics().size());
  }

  @Test
  void campaignIdsStayStableAcrossNights() {
    Map<String, String> before = idByLabelledCampaign(LAST.minusDays(1));
    Map<String, String> after = idByLabelledCampaign(LAST);
    assertThat(after).isNotEmpty();
    for (Map.Entry<String, String> e : after.entrySet()) {
      if (before.containsKey(e.getKey())) {
        assertThat(e.getValue()).as(e.getKey()).isEqualTo(before.get(e.getKey()));
      }
    }
    assertThat(before.keySet()).hasSizeGreaterThanOrEqualTo(5); // campaigns that started by then
    // and account by account: of the accounts flagged on both nights, nearly all kept their id
    assertThat(evaluation.value("all", "ids_kept")).as("flagged accounts that kept their campaign id")
        .isGreaterThanOrEqualTo(0.95);
    List<Row> rows = lake.read(CampaignTables.NIGHTLY.campaigns())
        .where(col("date").equalTo(lit(Date.valueOf(LAST))).and(col("flagged"))).collectAsList();
    assertThat(rows).allSatisfy(row -> {
      assertThat(row.getString(row.fieldIndex("evidence"))).contains("rules met:").contains("link edges:");
      assertThat(row.getString(row.fieldIndex("evidence"))).doesNotContain("acct_"); // no account ids in evidence
    });
  }

  /** For each labelled campaign, the campaign id holding most of its flagged accounts on the night. */
  private Map<String, String> idByLabelledCampaign(LocalDate night) {
    Dataset<Row> labels = SharedSpark.get().read().json(labels(landing)).where(col("campaign").isNotNull());
    List<Row> rows = lake.read(CampaignTables.NIGHTLY.members())
        .where(col("date").equalTo(lit(Date.valueOf(night))).and(col("flagged")))
        .join(labels, "account_id").groupBy("campaign", "campaign_id").agg(count(lit(1)).as("n"))
        .orderBy(col("n").desc()).collectAsList();
    Map<String, String> best = new HashMap<>();
    for (Row r : rows) {
      best.putIfAbsent(r.getString(0), r.getString(1));
    }
    return best;
  }

  @Test
  void exportWritesTheEnforcementCsvOfTheFlaggedAccounts() throws Exception {
    Path out = Fixtures.tempDir("export").resolve("campaigns.csv");
    CliRun.Outcome o = CliRun.run("export", "campaigns", "--lake", lake.root(), "--out", out.toString());
    assertThat(o.code()).as(o.err()).isZero();
    List<String> lines = Files.readAllLines(out);
    assertThat(lines.get(0)).isEqualTo("campaign_id,account_id,score,first_seen,last_seen,size");
    long flagged = lake.read(CampaignTables.NIGHTLY.members())
        .where(col("date").equalTo(lit(Date.valueOf(LAST))).and(col("flagged"))).count();
    assertThat(lines).hasSize((int) flagged + 1);
    String[] row = lines.get(1).split(",");
    assertThat(row).hasSize(6);
    assertThat(Double.parseDouble(row[2])).isGreaterThanOrEqualTo(0.5);
    assertThat(LocalDate.parse(row[3])).isBeforeOrEqualTo(LocalDate.parse(row[4]));
    assertThat(LocalDate.parse(row[4])).isEqualTo(LAST);
    assertThat(Files.list(out.getParent()).filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
  }

  @Test
  void evaluateCommandPrintsTheTableAndMistakesGetOneLineErrors() {
    CliRun.Outcome ok = CliRun.run("evaluate", "--lake", lake.root(), "--labels", labels(landing));
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("campaign_recall").contains("tactic:hydra");
    CliRun.Outcome missing = CliRun.run("evaluate", "--lake", lake.root(), "--labels", "/nonexistent/labels.jsonl");
    assertThat(missing.code()).isEqualTo(3);
    assertThat(missing.err().strip().lines().count()).isEqualTo(1);
    // campaigns before link on a lake: a one-line error, exit 3
    CliRun.Outcome noGraph = CliRun.run("campaigns", "--lake", Fixtures.tempDir("empty-lake").toString(), "--date", "2026-10-01");
    assertThat(noGraph.code()).isEqualTo(3);
    assertThat(noGraph.err()).contains("run link first");
  }

  // The nested classes run two at a time once the lake is built. @Order (JUnit's class orderer,
  // junit-platform.properties, orders nested classes too) is the order they are handed to the test
  // pool, longest first; which worker takes them decides when each starts. Measured in stop 42: in
  // declaration order Sharing and Drift started last; in this order the short ones started first
  // and Verdicts, Sharing and Drift last, and the class took 786 s against 911 (docs/benchmarks.md, "CI").
  /** share export and share match: STIX validity, no customer data, our own bundle matched against a copy of this lake. */
  @Nested
  @Order(1) // 228 s in stop 42's run
  @Execution(ExecutionMode.CONCURRENT)
  class Sharing extends io.distillwatch.jobs.share.ShareChecks {}

  /** The query-drift stage on a copy of this lake, and the campaigns job reading it. */
  @Nested
  @Order(2) // 178 s
  @Execution(ExecutionMode.CONCURRENT)
  class Drift extends io.distillwatch.jobs.drift.DriftChecks {}

  /** Analysts' verdicts and the classifier they train, on a copy of this lake. */
  @Nested
  @Order(3) // 176 s
  @Execution(ExecutionMode.CONCURRENT)
  class Verdicts extends VerdictChecks {}

  /**
   * Re-running link and campaigns for the last night changes no row (content digests). Concurrent with
   * the tests above and below, which only read: a re-run writes rows equal to the ones it replaces.
   */
  @Nested
  @Order(4) // 63 s
  @Execution(ExecutionMode.CONCURRENT)
  class Reruns {
    @Test
    void linkAndCampaignsAreIdempotent() {
      Map<String, String> first = digests(LAST);
      new LinkJob(lake, CampaignLake.night(landing, LAST).link()).execute();
      new CampaignsJob(lake, CampaignLake.night(landing, LAST).campaigns()).execute();
      assertThat(digests(LAST)).isEqualTo(first);
    }

    private Map<String, String> digests(LocalDate d) {
      Map<String, String> out = new TreeMap<>();
      for (TableSpec t : CampaignTables.NIGHTLY.all()) {
        out.put(t.name(), Digest.of(lake.read(t).where(col("date").equalTo(lit(Date.valueOf(d))))));
      }
      return out;
    }
  }

  /** The briefing page on this lake, in headless Chromium. */
  @Nested
  @Order(5) // 36 s
  @Execution(ExecutionMode.CONCURRENT)
  class Briefing extends ReportChecks {}

  /** The analyst notebooks on this lake's export, executed by Jupyter. */
  @Nested
  @Order(6) // 23 s
  @Execution(ExecutionMode.CONCURRENT)
  class Notebooks extends NotebookChecks {}

  /** attribute --from-lake: the provider's responses to a flagged campaign's prompts against suspects' answers. */
  @Nested
  @Order(7) // 6 s
  @Execution(ExecutionMode.CONCURRENT)
  class FromLake extends io.distillwatch.jobs.attribute.CampaignAttributionChecks {}
}
