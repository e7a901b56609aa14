package io.distillwatch.jobs.attribute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillwatch.jobs.cli.Cli;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.testing.CliRun;
import io.distillwatch.jobs.testing.CliRun.Outcome;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code attribute} through the command line, on real AlpacaEval outputs (the text methods and the
 * panel test, the defaults; the embedding method is exercised in attribution's tests and measured in
 * docs/attribution.md, the classifier here in the reliability suite):
 * the contract's files come out, the known student is attributed and the human-data model is not,
 * and bad studies are one-line errors with exit code 3.
 */
public class AttributeCommandTest {
  public static final Path ALPACA = Path.of(System.getProperty("dw.shared.data", "../../shared/data"), "alpaca_eval");

  static Outcome run(String... argv) {
    return CliRun.run(argv);
  }

  /** A study folder with AlpacaEval outputs copied in unchanged, minus the models left out. */
  public static Path study(String studyJson, List<String> models) throws IOException {
    Path dir = Fixtures.tempDir("study");
    Files.createDirectories(dir.resolve("outputs"));
    Files.writeString(dir.resolve("study.json"), studyJson);
    for (String m : models) {
      Files.copy(ALPACA.resolve(m + ".json"), dir.resolve("outputs").resolve(m + ".json"));
    }
    return dir;
  }

  public static final String CLAUDE_STUDY = """
      {"name": "claude-2-check", "provider": "claude-2",
       "suspects": ["claude2-alpaca-13b", "guanaco-65b"],
       "references": ["text_davinci_003", "llama-2-70b-chat-hf", "claude2-alpaca-13b", "guanaco-65b", "gemini-pro",
                      "cohere", "dbrx-instruct", "oasst-sft-pythia-12b"]}
      """;
  // the panel test needs references enough to measure how near unrelated models come to each other
  public static final List<String> CLAUDE_MODELS = List.of("claude-2", "claude2-alpaca-13b", "guanaco-65b", "text_davinci_003",
      "llama-2-70b-chat-hf", "gemini-pro", "cohere", "dbrx-instruct", "oasst-sft-pythia-12b");

  /** The Claude 2 study in a new folder, answers as given, written to a new output folder and lake. */
  record ClaudeRun(Path out, Path lake, String[] argv) {
    static ClaudeRun given(String... more) throws IOException {
      assumeTrue(Files.isDirectory(ALPACA), "skipped: no AlpacaEval outputs at " + ALPACA);
      Path dir = study(CLAUDE_STUDY, CLAUDE_MODELS);
      Path out = Fixtures.tempDir("attribution-out");
      Path lake = Fixtures.tempDir("attribution-lake");
      List<String> argv = new java.util.ArrayList<>(List.of("attribute", "--study", dir.toString(), "--out",
          out.toString(), "--length", "given", "--embedding-model", "none", "--permutations", "5000", "--lake",
          lake.toString()));
      argv.addAll(List.of(more));
      return new ClaudeRun(out, lake, argv.toArray(String[]::new));
    }
  }

  @Test
  void aStudyWritesItsVerdictsAsJsonAndMarkdown() throws IOException {
    ClaudeRun first = ClaudeRun.given();
    Path out = first.out();
    Path lake = first.lake();
    String[] argv = first.argv();
    Outcome o = run(argv);
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out() + o.err()).contains("claude2-alpaca-13b ATTRIBUTED to claude-2").contains("guanaco-65b not attributed");

    JsonNode results = new ObjectMapper().readTree(out.resolve("attribution.json").toFile());
    assertThat(results).hasSize(1);
    JsonNode study = results.get(0);
    assertThat(study.get("provider").asText()).isEqualTo("claude-2");
    // AlpacaEval has 805 prompts; one with an empty answer from one model is left out and counted
    assertThat(study.get("prompts").asInt() + study.get("promptsDropped").asInt()).isEqualTo(805);
    assertThat(study.get("prompts").asInt()).isGreaterThan(800);
    assertThat(study.get("alpha").asDouble()).isEqualTo(1e-3);
    for (JsonNode s : study.get("suspects")) {
      boolean student = s.get("suspect").asText().equals("claude2-alpaca-13b");
      assertThat(s.get("attributed").asBoolean()).as(s.get("suspect").asText()).isEqualTo(student);
      assertThat(s.get("pHolm").asDouble()).isGreaterThanOrEqualTo(s.get("pValue").asDouble());
      assertThat(s.get("ciLow").asDouble()).isLessThanOrEqualTo(s.get("score").asDouble());
      // the defaults: the text methods and the panel test, no model-based method
      assertThat(s.get("evidence")).extracting(e -> e.get("method").asText())
          .contains("length", "words", "style", "chars", "format", "opening", "phrases", "alignment", "panel")
          .doesNotContain("embedding", "classifier");
      // a suspect is never its own reference
      assertThat(s.get("references")).extracting(JsonNode::asText).doesNotContain(s.get("suspect").asText());
    }
    assertThat(Files.readString(out.resolve("attribution.md")))
        .contains("| claude2-alpaca-13b | **attributed to claude-2** |")
        .contains("| guanaco-65b | not attributed |");

    // the Delta table: per suspect a combined row and one per method (8 text methods and the panel test)
    Dataset<Row> table = Lake.open(SharedSpark.get(), lake.toString()).read(Tables.GOLD_ATTRIBUTION);
    assertThat(table.count()).isEqualTo(2 * 10);
    List<Row> combined = table.where("method = 'combined'").orderBy("suspect").collectAsList();
    assertThat(combined).extracting(r -> r.getAs("suspect") + "=" + r.getAs("attributed"))
        .containsExactly("claude2-alpaca-13b=true", "guanaco-65b=false");
    assertThat(table.where("method <> 'combined' AND (p_holm IS NOT NULL OR attributed IS NOT NULL)").count()).isZero();

    // a re-run of the study replaces its rows rather than adding to them (the given mode's rows are
    // written again, not twice); with both length modes, one verdict per suspect over the two
    // (Bonferroni) besides each mode's. (A re-run that brings fewer methods drops the missing
    // method's rows: aReRunWithoutTheClassifierDropsItsRows, reliability suite.)
    List<String> again = new java.util.ArrayList<>(List.of(argv));
    again.set(again.indexOf("given"), "both");
    Outcome both = run(again.toArray(String[]::new));
    assertThat(both.code()).as(both.err()).isZero();
    assertThat(both.out() + both.err()).contains("claude-2-check (both): claude2-alpaca-13b ATTRIBUTED to claude-2")
        .contains("claude-2-check (both): guanaco-65b not attributed");
    table = Lake.open(SharedSpark.get(), lake.toString()).read(Tables.GOLD_ATTRIBUTION);
    // given and matched: combined + 9 methods each; both: combined + one line per mode
    assertThat(table.count()).isEqualTo(2 * (10 + 10 + 3));
    List<Row> verdicts = table.where("method = 'combined' AND length_mode = 'both'").orderBy("suspect").collectAsList();
    assertThat(verdicts).extracting(r -> r.getAs("suspect") + "=" + r.getAs("attributed"))
        .containsExactly("claude2-alpaca-13b=true", "guanaco-65b=false");
    for (Row v : verdicts) {
      double given = table.where("method = 'combined' AND length_mode = 'given' AND suspect = '" + v.getAs("suspect") + "'")
          .first().getAs("p_value");
      double matched = table.where("method = 'combined' AND length_mode = 'matched' AND suspect = '"
          + v.getAs("suspect") + "'").first().getAs("p_value");
      assertThat((double) v.getAs("p_value")).isEqualTo(Math.min(1, 2 * Math.min(given, matched)));
    }
    JsonNode modes = new ObjectMapper().readTree(out.resolve("attribution.json").toFile());
    assertThat(modes).extracting(m -> m.get("length").asText()).containsExactly("given", "matched", "both");
  }

  /**
   * The MLlib classifier through the command line (off by default; about a minute of training here,
   * so in the reliability suite): its evidence line, its row per suspect in gold.attribution, and a
   * re-run without it that drops those rows instead of keeping them beside the new ones.
   */
  @Test
  @Tag("slow")
  void aReRunWithoutTheClassifierDropsItsRows() throws IOException {
    ClaudeRun first = ClaudeRun.given("--classifier", "on");
    Path out = first.out();
    Path lake = first.lake();
    String[] argv = first.argv();
    Outcome o = run(argv);
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out() + o.err()).contains("claude2-alpaca-13b ATTRIBUTED to claude-2").contains("guanaco-65b not attributed");
    JsonNode study = new ObjectMapper().readTree(out.resolve("attribution.json").toFile()).get(0);
    for (JsonNode s : study.get("suspects")) {
      assertThat(s.get("evidence")).extracting(e -> e.get("method").asText()).contains("classifier", "panel");
    }
    Dataset<Row> table = Lake.open(SharedSpark.get(), lake.toString()).read(Tables.GOLD_ATTRIBUTION);
    assertThat(table.count()).as("combined, 8 text methods, the classifier and the panel test").isEqualTo(2 * 11);

    List<String> again = new java.util.ArrayList<>(List.of(argv));
    again.set(again.indexOf("on"), "off");
    Outcome off = run(again.toArray(String[]::new));
    assertThat(off.code()).as(off.err()).isZero();
    table = Lake.open(SharedSpark.get(), lake.toString()).read(Tables.GOLD_ATTRIBUTION);
    assertThat(table.where("method = 'classifier'").count()).isZero();
    assertThat(table.count()).isEqualTo(2 * 10);
  }

  @Test
  void badStudiesAreOneLineInvalidInputErrors() throws IOException {
    assumeTrue(Files.isDirectory(ALPACA), "skipped: no AlpacaEval outputs at " + ALPACA);
    Path missingModel = study(CLAUDE_STUDY, List.of("claude-2", "claude2-alpaca-13b", "guanaco-65b", "text_davinci_003"));
    assertOneLineError(run("attribute", "--study", missingModel.toString(), "--out", Fixtures.tempDir("o").toString(),
        "--embedding-model", "none"), "no outputs for model 'llama-2-70b-chat-hf'");

    Path noReference = study("""
        {"name": "x", "provider": "claude-2", "suspects": ["guanaco-65b"], "references": ["guanaco-65b"]}
        """, List.of());
    assertOneLineError(run("attribute", "--study", noReference.toString(), "--out", Fixtures.tempDir("o").toString()),
        "suspect guanaco-65b has no reference");

    Path traversal = study("""
        {"name": "x", "provider": "claude-2", "suspects": ["../../etc/passwd"], "references": ["guanaco-65b"]}
        """, List.of());
    assertOneLineError(run("attribute", "--study", traversal.toString(), "--out", Fixtures.tempDir("o").toString()),
        "suspect '../../etc/passwd' must be letters");

    Path broken = study("{\"name\": \"x\", \"provider\": ", List.of());
    assertOneLineError(run("attribute", "--study", broken.toString(), "--out", Fixtures.tempDir("o").toString()),
        "cannot read");

    Outcome usage = run("attribute", "--study", broken.toString(), "--out", "o", "--length", "shortest");
    assertThat(usage.code()).isEqualTo(Cli.USAGE);
  }

  static void assertOneLineError(Outcome o, String contains) {
    assertThat(o.code()).as(o.err()).isEqualTo(Cli.INVALID_INPUT);
    assertThat(o.err().strip().lines()).hasSize(1);
    assertThat(o.err()).contains(contains).doesNotContain("\tat ");
  }
}
