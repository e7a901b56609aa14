package io.distillwatch.jobs.simulate;

import io.distillwatch.features.templates.EmbeddingTagger;
import io.distillwatch.features.templates.PromptNormalizer;
import io.distillwatch.features.templates.PromptRules;
import io.distillwatch.models.ModelSource;
import io.distillwatch.models.SentenceEmbedder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedding classifier (nearest centroid over hand-written seed prompts, the real bundled
 * all-MiniLM-L6-v2) measured against the simulator's labelled templates, normalised as the
 * features job sees them, side by side with the rule set on the same texts. The seeds were
 * written independently of the simulator's text bank, so this measures transfer, not recall of
 * the seeds.
 */
class EmbeddingTaggerQualityTest {

  @Test
  void embeddingClassifierAgreesWithTheSimulatorsLabels() {
    SentenceEmbedder embedder = SentenceEmbedder.shared(ModelSource.bundled());
    EmbeddingTagger tagger = EmbeddingTagger.fromSeeds(embedder::embed);
    SplittableRandom rng = new SplittableRandom(77);
    List<String> texts = new ArrayList<>();
    List<String> capability = new ArrayList<>();
    List<Boolean> cot = new ArrayList<>();
    int id = 0;
    for (int i = 0; i < 12; i++) {
      for (String c : TextBank.CAPABILITIES) {
        PromptFactory.Template t = PromptFactory.template(id++, c, rng.nextDouble() < 0.4, rng);
        texts.add(PromptNormalizer.normalize(PromptFactory.render(t, rng)));
        capability.add(c);
        cot.add(t.cot());
      }
    }
    float[][] v = new float[texts.size()][];
    for (int from = 0; from < texts.size(); from += 32) {
      float[][] batch = embedder.embed(texts.subList(from, Math.min(texts.size(), from + 32)));
      System.arraycopy(batch, 0, v, from, batch.length);
    }
    Map<String, int[]> perClass = new HashMap<>();
    int correct = 0;
    int rulesCorrect = 0;
    int tp = 0;
    int fp = 0;
    int fn = 0;
    for (int i = 0; i < texts.size(); i++) {
      boolean ok = tagger.capability(v[i]).equals(capability.get(i));
      correct += ok ? 1 : 0;
      rulesCorrect += PromptRules.capability(texts.get(i)).label().equals(capability.get(i)) ? 1 : 0;
      int[] c = perClass.computeIfAbsent(capability.get(i), k -> new int[2]);
      c[0] += ok ? 1 : 0;
      c[1]++;
      boolean predicted = tagger.chainOfThought(v[i]);
      tp += predicted && cot.get(i) ? 1 : 0;
      fp += predicted && !cot.get(i) ? 1 : 0;
      fn += !predicted && cot.get(i) ? 1 : 0;
    }
    double accuracy = (double) correct / texts.size();
    double precision = (double) tp / Math.max(1, tp + fp);
    double recall = (double) tp / Math.max(1, tp + fn);
    StringBuilder per = new StringBuilder();
    perClass.forEach((k, c) -> per.append(String.format(" %s %.2f", k, (double) c[0] / c[1])));
    System.out.printf("embedding classifier on %d simulated requests: capability accuracy %.3f (rules %.3f);%s; "
        + "chain of thought precision %.3f recall %.3f%n", texts.size(), accuracy, (double) rulesCorrect / texts.size(),
        per, precision, recall);
    // measured 2026-11-22: accuracy 0.857; chain of thought precision 0.533, recall 0.800 (base rate 0.36)
    assertThat(accuracy).as("capability accuracy (7 classes, chance 0.14)").isGreaterThanOrEqualTo(0.75);
    double baseRate = cot.stream().filter(b -> b).count() / (double) cot.size();
    // a whole-prompt embedding is dominated by the task, not by one chain-of-thought sentence:
    // this tag is only a weak second opinion beside the rules (which reach 0.95); it must beat chance
    assertThat(precision).as("chain-of-thought precision against base rate %.2f", baseRate).isGreaterThan(baseRate + 0.1);
    assertThat(recall).as("chain-of-thought recall").isGreaterThanOrEqualTo(0.7);
  }

  /**
   * The same classifier on real prompts: the test half of the hand-labelled AlpacaEval sample of
   * {@code RealPromptTaggingTest} (features), normalised as the features job sees them, beside the rules.
   */
  @Test
  void embeddingClassifierOnRealPrompts() throws Exception {
    SentenceEmbedder embedder = SentenceEmbedder.shared(ModelSource.bundled());
    EmbeddingTagger tagger = EmbeddingTagger.fromSeeds(embedder::embed);
    java.nio.file.Path root = java.nio.file.Path.of(System.getProperty("dw.project.root", ".."));
    java.nio.file.Path file = java.nio.file.Path.of(System.getProperty("dw.shared.data", "../../shared/data"))
        .resolve("alpaca_eval/claude-2.json");
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(file), "skipped: no AlpacaEval outputs at " + file);
    com.fasterxml.jackson.databind.JsonNode alpaca = new com.fasterxml.jackson.databind.ObjectMapper().readTree(file.toFile());
    List<String> texts = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    for (String line : java.nio.file.Files.readAllLines(root.resolve(
        "features/src/test/resources/io/distillwatch/features/templates/alpaca-eval-labelled.tsv"))) {
      String[] f = line.split("\t", 5);
      if (line.startsWith("#") || !f[3].equals("test")) {
        continue;
      }
      texts.add(PromptNormalizer.normalize(alpaca.get(Integer.parseInt(f[0])).get("instruction").asText()));
      labels.add(f[1]);
    }
    java.util.Set<String> distill = java.util.Set.of("agentic_coding", "tool_use", "reasoning", "rubric_grading");
    int[] embedding = new int[4]; // correct, tp, fp, fn (distillation capability)
    int[] rules = new int[4];
    for (int from = 0; from < texts.size(); from += 32) {
      float[][] v = embedder.embed(texts.subList(from, Math.min(texts.size(), from + 32)));
      for (int k = 0; k < v.length; k++) {
        String label = labels.get(from + k);
        tally(embedding, tagger.capability(v[k]), label, distill);
        tally(rules, PromptRules.capability(texts.get(from + k)).label(), label, distill);
      }
    }
    System.out.printf("on %d real prompts (test half): embedding accuracy %.3f, distillation precision %.3f recall %.3f; "
            + "rules accuracy %.3f, precision %.3f recall %.3f%n", texts.size(), embedding[0] / (double) texts.size(),
        embedding[1] / Math.max(1.0, embedding[1] + embedding[2]), embedding[1] / Math.max(1.0, embedding[1] + embedding[3]),
        rules[0] / (double) texts.size(), rules[1] / Math.max(1.0, rules[1] + rules[2]), rules[1] / Math.max(1.0, rules[1] + rules[3]));
    assertThat(texts).hasSizeGreaterThanOrEqualTo(150);
    // measured 2026-12-06 with the dev half among the seeds: accuracy 0.597, precision 0.426, recall 0.920 (without
    // them: 0.435, 0.360, 0.720); a second opinion must find most distillation-shaped requests (0.16 of them are)
    assertThat(embedding[1] / Math.max(1.0, embedding[1] + embedding[3])).as("embedding recall").isGreaterThanOrEqualTo(0.8);
  }

  private static void tally(int[] t, String predicted, String label, java.util.Set<String> distill) {
    t[0] += predicted.equals(label) ? 1 : 0;
    boolean p = distill.contains(predicted);
    boolean a = distill.contains(label);
    t[1] += p && a ? 1 : 0;
    t[2] += p && !a ? 1 : 0;
    t[3] += !p && a ? 1 : 0;
  }
}
