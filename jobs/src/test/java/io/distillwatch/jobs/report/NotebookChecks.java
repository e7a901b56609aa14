package io.distillwatch.jobs.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillwatch.jobs.export.AnalystExport;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.testing.CampaignLake;
import io.distillwatch.jobs.testing.CliRun;
import io.distillwatch.jobs.testing.SyntheticStudy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The analyst notebooks of notebooks/, executed headless by Debian's Jupyter ({@code jupyter nbconvert
 * --execute}, Python kernel) against the analyst export of a lake with real campaigns: every cell runs
 * (including the notebooks' own consistency asserts), charts are drawn, and the figures they print are
 * the lake's. Executed copies for a reviewer: jobs/target/notebooks/.
 * Run as {@code CampaignQualityTest.Notebooks} (see {@link ReportChecks}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class NotebookChecks {
  static final Path NOTEBOOKS = Path.of("..", "notebooks");
  static final Path EXECUTED = Path.of("target", "notebooks");
  static final ObjectMapper JSON = new ObjectMapper();

  private Lake lake;
  private Path export;
  private AnalystExport.Result exported;

  @BeforeAll
  public void exportTheLake() throws Exception {
    lake = CampaignLake.get().lake;
    SyntheticStudy.write(lake);
    export = EXECUTED.resolve("analyst").toAbsolutePath();
    exported = AnalystExport.write(lake, null, ReportChecks.KEYED, export);
  }

  @Test
  public void theExportHoldsTheNightsFlaggedAccountsUnderPseudonyms() throws Exception {
    Date night = Date.valueOf(CampaignLake.LAST);
    assertThat(exported.date()).isEqualTo(CampaignLake.LAST);
    List<String> ids = lake.read(CampaignTables.NIGHTLY.accountScores())
        .where(col("date").equalTo(lit(night)).and(col("flagged"))).select("account_id")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertThat(exported.rows().get("members.csv")).isEqualTo(ids.size()).isPositive();
    assertThat(exported.rows().get("account_daily.csv")).isGreaterThanOrEqualTo(ids.size());
    assertThat(exported.rows().get("attribution.csv")).isEqualTo(8); // two suspects: combined + three methods each
    for (String file : exported.rows().keySet()) {
      String text = Files.readString(export.resolve(file), StandardCharsets.UTF_8);
      assertThat(text.lines().count()).as(file).isEqualTo(exported.rows().get(file) + 1);
      assertThat(ids).allSatisfy(id -> assertThat(text).as(file).doesNotContain(id));
    }
    JsonNode manifest = JSON.readTree(export.resolve("manifest.json").toFile());
    assertThat(manifest.get("internal").asBoolean()).isFalse();
    assertThat(manifest.get("date").asText()).isEqualTo(CampaignLake.LAST.toString());

    CliRun.Outcome refused = CliRun.run("export", "analyst", "--lake", lake.root(), "--out", EXECUTED.resolve("x").toString());
    assertThat(refused.code()).isEqualTo(3);
    assertThat(refused.err().strip().lines().count()).isEqualTo(1);
  }

  @Test
  public void campaignTriageRunsAndPrintsTheLakesFigures() throws Exception {
    JsonNode nb = execute("campaign_triage.ipynb");
    long flagged = lake.read(CampaignTables.NIGHTLY.campaigns())
        .where(col("date").equalTo(lit(Date.valueOf(CampaignLake.LAST))).and(col("flagged"))).count();
    String text = outputText(nb);
    assertThat(text).contains("flagged campaigns: " + flagged).contains("flagged accounts: " + exported.rows().get("members.csv"))
        .contains("rules met:").contains("pseudonymised ids");
    assertThat(images(nb)).isGreaterThanOrEqualTo(2);
  }

  @Test
  public void accountDeepDiveRunsOnTheBestLinkedAccount() throws Exception {
    JsonNode nb = execute("account_deep_dive.ipynb");
    assertThat(outputText(nb)).containsPattern("account p-[0-9a-f]{12}: campaign ").contains("standard deviations");
    assertThat(images(nb)).isGreaterThanOrEqualTo(1);
  }

  @Test
  public void attributionWalkthroughChecksEveryVerdict() throws Exception {
    JsonNode nb = execute("attribution_walkthrough.ipynb");
    assertThat(outputText(nb)).contains("1 studies, 2 suspect verdicts").contains("student-of-provider");
    assertThat(images(nb)).isEqualTo(2); // one evidence chart per suspect
  }

  /** Runs {@code jupyter nbconvert --execute} on a notebook; returns the executed notebook. */
  private JsonNode execute(String name) throws Exception {
    Path jupyter = Path.of("/usr/bin/jupyter-nbconvert");
    assertThat(jupyter).as("Jupyter from Debian: apt-get install jupyter-nbconvert python3-ipykernel python3-pandas "
        + "python3-matplotlib (.ci/run does)").isExecutable();
    Files.createDirectories(EXECUTED);
    List<String> cmd = new ArrayList<>(List.of(jupyter.toString(), "--to", "notebook", "--execute",
        "--ExecutePreprocessor.timeout=300", "--output-dir", EXECUTED.toAbsolutePath().toString(),
        NOTEBOOKS.resolve(name).toAbsolutePath().toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("DW_ANALYST_DIR", export.toString());
    pb.environment().put("MPLBACKEND", "Agg");
    pb.environment().put("PATH", "/usr/bin:/bin:" + pb.environment().getOrDefault("PATH", "")); // Debian's python first
    Path log = EXECUTED.resolve(name + ".log");
    Process p = pb.redirectOutput(log.toFile()).start();
    assertThat(p.waitFor(600, TimeUnit.SECONDS)).as("nbconvert finished").isTrue();
    assertThat(p.exitValue()).as(Files.readString(log)).isZero();
    JsonNode nb = JSON.readTree(EXECUTED.resolve(name).toFile());
    for (JsonNode cell : nb.get("cells")) {
      for (JsonNode out : cell.path("outputs")) {
        assertThat(out.path("output_type").asText()).as(name + ": " + out).isNotEqualTo("error");
      }
    }
    return nb;
  }

  private static String outputText(JsonNode nb) {
    StringBuilder b = new StringBuilder();
    for (JsonNode cell : nb.get("cells")) {
      for (JsonNode out : cell.path("outputs")) {
        out.path("text").forEach(t -> b.append(t.asText()));
        out.path("data").path("text/plain").forEach(t -> b.append(t.asText()));
      }
    }
    return b.toString();
  }

  private static int images(JsonNode nb) {
    int n = 0;
    for (JsonNode cell : nb.get("cells")) {
      for (JsonNode out : cell.path("outputs")) {
        n += out.path("data").has("image/png") ? 1 : 0;
      }
    }
    return n;
  }
}
