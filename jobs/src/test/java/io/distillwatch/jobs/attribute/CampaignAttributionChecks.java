package io.distillwatch.jobs.attribute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.testing.CampaignLake;
import io.distillwatch.jobs.testing.CliRun;
import io.distillwatch.jobs.testing.Fixtures;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min_by;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code attribute --from-lake K --campaign C}: the provider's own responses to what a campaign
 * harvested, compared with suspects' answers to the same prompts. Run as
 * {@code CampaignQualityTest.FromLake} on that test's lake (flagged campaigns, bronze responses).
 * The suspects are made here from the lake's responses: a copycat (the provider's answer with every
 * fourth word dropped, as a student model trained on it might answer) and an independent model
 * (answers that belong to other prompts); references likewise.
 */
public abstract class CampaignAttributionChecks {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aStudyComparesWhatTheCampaignHarvestedWithTheSuspectsAnswers() throws Exception {
    Lake lake = CampaignLake.get().lake;
    Row top = lake.read(CampaignTables.NIGHTLY.campaigns())
        .where(col("date").equalTo(lit(Date.valueOf(CampaignLake.LAST))).and(col("flagged")))
        .orderBy(col("score").desc()).first();
    String campaign = top.getAs("campaign_id");

    // what the lake holds, computed here independently: members on any night, their prompts with a response
    List<Row> harvested = lake.read(Tables.BRONZE_EVENTS)
        .join(lake.read(CampaignTables.NIGHTLY.members()).where(col("campaign_id").equalTo(lit(campaign)))
            .select("account_id").distinct(), "account_id")
        .where(length(col("prompt")).gt(0).and(length(col("response")).gt(0)))
        .groupBy("prompt").agg(min_by(col("response"), col("ts")).as("response")).collectAsList();
    Set<String> members = new HashSet<>(lake.read(CampaignTables.NIGHTLY.members())
        .where(col("campaign_id").equalTo(lit(campaign))).select("account_id").as(org.apache.spark.sql.Encoders.STRING())
        .collectAsList());
    Map<String, String> responseOf = new HashMap<>();
    harvested.forEach(r -> responseOf.put(r.getString(0), r.getString(1)));
    assertThat(responseOf).as("the campaign harvested answers").hasSizeGreaterThan(20);

    // step 1: the campaign's prompts, for the suspects to answer
    Path out = Fixtures.tempDir("from-lake");
    CliRun.Outcome step1 = CliRun.run("attribute", "--from-lake", lake.root(), "--campaign", campaign,
        "--out", out.toString());
    assertThat(step1.code()).as(step1.err()).isZero();
    List<JsonNode> prompts = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("campaign_prompts.jsonl"), StandardCharsets.UTF_8)) {
      prompts.add(JSON.readTree(line));
    }
    assertThat(prompts).hasSize(Math.min(responseOf.size(), 1000));
    assertThat(prompts.stream().map(p -> p.get("prompt_id").asText()).distinct()).hasSize(prompts.size());
    assertThat(prompts).allSatisfy(p -> assertThat(responseOf).containsKey(p.get("prompt").asText()));
    String printed = step1.out() + step1.err() + Files.readString(out.resolve("campaign_prompts.jsonl"));
    assertThat(members).isNotEmpty().noneMatch(printed::contains);

    // step 2: the suspects' answers, keyed by prompt_id, against the provider's from the lake
    Path study = Fixtures.tempDir("from-lake-study");
    Files.createDirectories(study.resolve("outputs"));
    Files.writeString(study.resolve("study.json"), "{\"name\":\"campaign-harvest\",\"provider\":\"our-model\","
        + "\"suspects\":[\"copycat\",\"independent\"],\"references\":[\"ref-a\",\"ref-b\",\"ref-c\",\"ref-d\",\"independent\"]}");
    writeAnswers(study, "copycat", prompts, responseOf, 0, true);
    writeAnswers(study, "independent", prompts, responseOf, 1, false);
    writeAnswers(study, "ref-a", prompts, responseOf, 2, false);
    writeAnswers(study, "ref-b", prompts, responseOf, 3, true);
    writeAnswers(study, "ref-c", prompts, responseOf, 4, false);
    writeAnswers(study, "ref-d", prompts, responseOf, 5, true);
    Path result = Fixtures.tempDir("from-lake-result");
    CliRun.Outcome step2 = CliRun.run("attribute", "--study", study.toString(), "--from-lake", lake.root(),
        "--campaign", campaign, "--out", result.toString(), "--embedding-model", "none", "--classifier", "off",
        "--permutations", "2000", "--length", "given");
    assertThat(step2.code()).as(step2.err()).isZero();
    JsonNode suspects = JSON.readTree(result.resolve("attribution.json").toFile()).get(0).get("suspects");
    Map<String, JsonNode> bySuspect = new HashMap<>();
    suspects.forEach(s -> bySuspect.put(s.get("suspect").asText(), s));
    assertThat(bySuspect.get("copycat").get("attributed").asBoolean()).isTrue();
    assertThat(bySuspect.get("copycat").get("pHolm").asDouble()).isLessThan(1e-3);
    assertThat(bySuspect.get("independent").get("attributed").asBoolean()).isFalse();
    assertThat(JSON.readTree(result.resolve("attribution.json").toFile()).get(0).get("prompts").asInt())
        .isEqualTo(prompts.size());
  }

  @Test
  void anUnknownCampaignIsAClearError() {
    Lake lake = CampaignLake.get().lake;
    CliRun.Outcome o = CliRun.run("attribute", "--from-lake", lake.root(), "--campaign", "no-such-campaign",
        "--out", Fixtures.tempDir("from-lake-missing").toString());
    assertThat(o.code()).isNotZero();
    assertThat(o.err()).contains("no campaign no-such-campaign").hasLineCount(1);
    assertThat(CliRun.run("attribute", "--campaign", "x", "--out", "/tmp/x").err()).contains("--from-lake and --campaign go together");
  }

  /**
   * A model's answers: the provider's response to the prompt {@code shift} places further on (0: its own),
   * every fourth word dropped when {@code thinned}.
   */
  private static void writeAnswers(Path study, String model, List<JsonNode> prompts, Map<String, String> responseOf,
                                   int shift, boolean thinned) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < prompts.size(); i++) {
      String source = responseOf.get(prompts.get((i + shift) % prompts.size()).get("prompt").asText());
      String[] words = source.split(" ");
      StringBuilder answer = new StringBuilder();
      for (int w = 0; w < words.length; w++) {
        if (!thinned || w % 4 != 3) {
          answer.append(answer.length() == 0 ? "" : " ").append(words[w]);
        }
      }
      sb.append(JSON.writeValueAsString(Map.of("prompt_id", prompts.get(i).get("prompt_id").asText(),
          "prompt", prompts.get(i).get("prompt").asText(), "output", answer.toString(), "model", model))).append('\n');
    }
    Files.writeString(study.resolve("outputs").resolve(model + ".jsonl"), sb.toString(), StandardCharsets.UTF_8);
  }
}
