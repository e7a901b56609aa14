package io.distillwatch.attribution.study;

import io.distillwatch.models.CausalLm;
import io.distillwatch.models.TinyBigramLm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The likelihood-ratio method end to end on a synthetic world where the truth is known: each
 * "model" writes answers from a word Markov chain; the distilled suspect's chain is mostly the
 * provider's, the clean suspect's is its own. The causal LMs are tiny bigram models this test
 * trains and writes as ONNX (no pre-trained causal LM is reachable here): the provider's is
 * trained on other samples of the provider's chain, the reference LM on another model's.
 */
class LikelihoodRatioStudyTest {
  private static final int WORDS = 40;
  private static final int PROMPTS = 150;

  @Test
  void attributesTheDistilledSuspectAndNotTheCleanOne(@TempDir Path dir) throws Exception {
    List<String> vocabulary = new ArrayList<>(List.of("[UNK]", "question"));
    for (int i = 0; i < WORDS; i++) {
      vocabulary.add("w" + i);
    }
    SplittableRandom rnd = new SplittableRandom(11);
    double[][] provider = chain(rnd);
    double[][] base = chain(rnd);
    double[][] other = chain(rnd);
    double[][] fourth = chain(rnd);
    double[][] distilled = mix(provider, other, 0.7);

    TinyBigramLm providerLm = TinyBigramLm.train(vocabulary, sample(provider, 300, rnd), 0.1);
    TinyBigramLm referenceLm = TinyBigramLm.train(vocabulary, sample(base, 300, rnd), 0.1);
    CausalLm p = CausalLm.shared(providerLm.write(dir.resolve("provider-lm")));
    CausalLm r = CausalLm.shared(referenceLm.write(dir.resolve("reference-lm")));

    Map<String, ModelOutputs> outputs = new LinkedHashMap<>();
    outputs.put("provider", outputs("provider", provider, rnd));
    outputs.put("distilled", outputs("distilled", distilled, rnd));
    outputs.put("clean", outputs("clean", other, rnd));
    outputs.put("base-model", outputs("base-model", base, rnd));
    outputs.put("independent", outputs("independent", fourth, rnd));
    // more independent models as references: the panel test measures how near unrelated models come to each other
    List<String> references = new ArrayList<>(List.of("base-model", "independent", "clean"));
    for (int i = 0; i < 6; i++) {
      outputs.put("other-" + i, outputs("other-" + i, chain(rnd), rnd));
      references.add("other-" + i);
    }
    StudySpec spec = new StudySpec("lr", "provider", List.of("distilled", "clean"), references, 1e-3);
    AttributionStudy.Options options = new AttributionStudy.Options(5_000, 200, 5L, false, null)
        .withLikelihood((prompt, answer) -> p.logLikelihood(prompt, answer) - r.logLikelihood(prompt, answer));

    AttributionStudy.Result result = AttributionStudy.run(spec, outputs, options, line -> { });
    assertThat(result.combinedMethods()).contains("likelihood");
    AttributionStudy.Evidence forDistilled = likelihood(result, "distilled");
    AttributionStudy.Evidence forClean = likelihood(result, "clean");
    assertThat(forDistilled.needs()).contains("log-probabilities");
    assertThat(forDistilled.nearest()).isEqualTo("provider");
    assertThat(forDistilled.pValue()).isLessThan(1e-3);
    assertThat(forDistilled.statistic()).isPositive();
    assertThat(forClean.nearest()).isNotEqualTo("provider");
    assertThat(forClean.pValue()).isGreaterThan(0.05);
    assertThat(suspect(result, "distilled").attributed()).isTrue();
    assertThat(suspect(result, "clean").attributed()).isFalse();

    // without language models the method is absent, not faked
    AttributionStudy.Result without = AttributionStudy.run(spec, outputs,
        new AttributionStudy.Options(500, 0, 5L, false, null), line -> { });
    assertThat(without.combinedMethods()).doesNotContain("likelihood");
  }

  @Test
  void studyFileNamesTheLanguageModels(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("lm/p"));
    Files.writeString(dir.resolve("study.json"), "{\"provider\":\"a\",\"suspects\":[\"b\"],\"references\":[\"c\"],"
        + "\"language_models\":{\"provider\":\"lm/p\",\"reference\":\"lm/r\"}}");
    assertThatThrownBy(() -> StudySpec.read(dir)).isInstanceOf(StudyException.class)
        .hasMessageContaining("language model 'provider'").hasMessageContaining("has no model.onnx");
    List<String> vocabulary = List.of("[UNK]", "x");
    TinyBigramLm lm = TinyBigramLm.train(vocabulary, List.of("x x"), 1);
    lm.write(dir.resolve("lm/p"));
    lm.write(dir.resolve("lm/r"));
    StudySpec spec = StudySpec.read(dir);
    assertThat(spec.languageModels().provider()).isEqualTo(dir.resolve("lm/p"));
    assertThat(spec.languageModels().reference()).isEqualTo(dir.resolve("lm/r"));
  }

  private static AttributionStudy.SuspectResult suspect(AttributionStudy.Result r, String name) {
    return r.suspects().stream().filter(s -> s.suspect().equals(name)).findFirst().orElseThrow();
  }

  private static AttributionStudy.Evidence likelihood(AttributionStudy.Result r, String name) {
    return suspect(r, name).evidence().stream().filter(e -> e.method().equals("likelihood")).findFirst().orElseThrow();
  }

  /** A sparse random transition matrix over the words: each word has a few likely successors. */
  private static double[][] chain(SplittableRandom rnd) {
    double[][] t = new double[WORDS][WORDS];
    for (double[] row : t) {
      java.util.Arrays.fill(row, 0.02);
      for (int k = 0; k < 6; k++) {
        row[rnd.nextInt(WORDS)] += rnd.nextDouble();
      }
      double sum = java.util.Arrays.stream(row).sum();
      for (int j = 0; j < WORDS; j++) {
        row[j] /= sum;
      }
    }
    return t;
  }

  private static double[][] mix(double[][] a, double[][] b, double wa) {
    double[][] t = new double[WORDS][WORDS];
    for (int i = 0; i < WORDS; i++) {
      for (int j = 0; j < WORDS; j++) {
        t[i][j] = wa * a[i][j] + (1 - wa) * b[i][j];
      }
    }
    return t;
  }

  private static String text(double[][] chain, int length, SplittableRandom rnd) {
    StringBuilder sb = new StringBuilder();
    int w = rnd.nextInt(WORDS);
    for (int k = 0; k < length; k++) {
      sb.append(k == 0 ? "" : " ").append('w').append(w);
      double u = rnd.nextDouble();
      int next = 0;
      for (double acc = chain[w][0]; acc < u && next < WORDS - 1; acc += chain[w][++next]) {
        // walk the cumulative distribution
      }
      w = next;
    }
    return sb.toString();
  }

  private static List<String> sample(double[][] chain, int n, SplittableRandom rnd) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(text(chain, 30, rnd));
    }
    return out;
  }

  private static ModelOutputs outputs(String model, double[][] chain, SplittableRandom rnd) {
    Map<String, String> byPrompt = new LinkedHashMap<>();
    for (int i = 0; i < PROMPTS; i++) {
      byPrompt.put("question " + i, text(chain, 12 + rnd.nextInt(20), rnd));
    }
    return new ModelOutputs(model, byPrompt);
  }
}
