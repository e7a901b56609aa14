package io.distillwatch.features.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rule tagger on real prompts it was not written from: 313 AlpacaEval instructions labelled by
 * hand ({@code alpaca-eval-labelled.tsv}: capability and chain-of-thought request), split into a
 * dev half (which the cues may be read against) and a test half (only measured here). The
 * simulator's text plays no part. The figures are printed and written down in docs/features.md;
 * the gates sit under the figures measured on the test half when the cues were last changed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealPromptTaggingTest {
  /** The capabilities a distillation campaign concentrates on (AccountActivity.DISTILL_CAPABILITIES). */
  static final Set<String> DISTILL = Set.of("agentic_coding", "tool_use", "reasoning", "rubric_grading");

  record Labelled(int index, String capability, boolean cot, String split, String text) {}

  private final List<Labelled> prompts = new ArrayList<>();

  @BeforeAll
  void read() throws Exception {
    Path file = Path.of(System.getProperty("dw.shared.data", "../../shared/data")).resolve("alpaca_eval/claude-2.json");
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(file),
        "skipped: no AlpacaEval outputs at " + file + " (see ../shared/data/alpaca_eval/README.md)");
    JsonNode alpaca = new ObjectMapper().readTree(file.toFile());
    try (var in = getClass().getResourceAsStream("alpaca-eval-labelled.tsv");
         BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] f = line.split("\t", 5);
        int index = Integer.parseInt(f[0]);
        String text = alpaca.get(index).get("instruction").asText();
        // the label file names its prompt by index; the first words must still be that prompt's
        assertThat(String.join(" ", text.strip().split("(?U)\\s+"))).startsWith(f[4].substring(0, Math.min(60, f[4].length())));
        prompts.add(new Labelled(index, f[1], Boolean.parseBoolean(f[2]), f[3], text));
      }
    }
    assertThat(prompts).hasSizeGreaterThanOrEqualTo(300);
  }

  /** precision, recall and counts of "is a distillation capability" on one split. */
  private double[] distill(String split) {
    long tp = 0;
    long fp = 0;
    long fn = 0;
    for (Labelled p : prompts) {
      if (!p.split().equals(split)) {
        continue;
      }
      boolean predicted = DISTILL.contains(PromptRules.capability(p.text()).label());
      boolean actual = DISTILL.contains(p.capability());
      tp += predicted && actual ? 1 : 0;
      fp += predicted && !actual ? 1 : 0;
      fn += !predicted && actual ? 1 : 0;
    }
    return new double[] {(double) tp / Math.max(1, tp + fp), (double) tp / Math.max(1, tp + fn), tp, fp, fn};
  }

  private double[] cot(String split) {
    long tp = 0;
    long fp = 0;
    long fn = 0;
    for (Labelled p : prompts) {
      if (split != null && !p.split().equals(split)) {
        continue;
      }
      boolean predicted = PromptRules.elicitsChainOfThought(p.text());
      tp += predicted && p.cot() ? 1 : 0;
      fp += predicted && !p.cot() ? 1 : 0;
      fn += !predicted && p.cot() ? 1 : 0;
    }
    return new double[] {(double) tp / Math.max(1, tp + fp), (double) tp / Math.max(1, tp + fn), tp, fp, fn};
  }

  private double accuracy(String split) {
    long right = 0;
    long n = 0;
    for (Labelled p : prompts) {
      if (p.split().equals(split)) {
        n++;
        right += PromptRules.capability(p.text()).label().equals(p.capability()) ? 1 : 0;
      }
    }
    return (double) right / n;
  }

  @Test
  void distillationCapabilitiesAreFoundOnRealPrompts() {
    for (String split : List.of("dev", "test")) {
      double[] d = distill(split);
      System.out.printf("rules on %s: distillation capability precision %.3f recall %.3f (tp %.0f, fp %.0f, fn %.0f); "
          + "capability accuracy %.3f%n", split, d[0], d[1], d[2], d[3], d[4], accuracy(split));
    }
    double[] test = distill("test");
    // measured when the cues were written (2026-12-06): precision 0.724, recall 0.840, accuracy 0.857
    assertThat(test[0]).as("precision on the test half").isGreaterThanOrEqualTo(0.70);
    assertThat(test[1]).as("recall on the test half").isGreaterThanOrEqualTo(0.80);
    assertThat(accuracy("test")).as("capability accuracy on the test half").isGreaterThanOrEqualTo(0.83);
  }

  @Test
  void chainOfThoughtRequestsAreFoundAndOrdinaryStepsAreNot() {
    double[] all = cot(null);
    double[] test = cot("test");
    System.out.printf("rules, chain-of-thought on all %d: precision %.3f recall %.3f (tp %.0f, fp %.0f, fn %.0f); "
        + "on the test half: tp %.0f, fp %.0f, fn %.0f%n", prompts.size(), all[0], all[1], all[2], all[3], all[4],
        test[2], test[3], test[4]);
    // "take the reader through your reasoning step-by-step" found, "a step-by-step guide" and "walk me through" not
    assertThat(test[4]).as("requests missed on the test half").isZero();
    assertThat(all[1]).as("recall").isGreaterThanOrEqualTo(0.9);
    assertThat(all[3]).as("false positives among %d prompts", prompts.size()).isLessThanOrEqualTo(2);
  }
}
