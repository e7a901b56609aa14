package io.distillwatch.models;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The causal-LM path (DJL, ONNX Runtime, HuggingFace tokenizer) on a tiny bigram model this test
 * builds ({@link TinyBigramLm}): no pre-trained causal LM is reachable here, so the model is
 * small, but the code path is the one a real provider model takes.
 */
class CausalLmTest {
  @Test
  void scoresAnswersAsTheModelDefinesThem(@TempDir Path dir) throws Exception {
    List<String> vocabulary = new ArrayList<>(List.of("[UNK]", "please", "answer"));
    for (int i = 0; i < 30; i++) {
      vocabulary.add("w" + i);
    }
    SplittableRandom rnd = new SplittableRandom(3);
    List<String> corpus = new ArrayList<>();
    for (int t = 0; t < 50; t++) {
      StringBuilder sb = new StringBuilder();
      for (int k = 0; k < 20; k++) {
        sb.append("w").append(rnd.nextInt(10) + (k % 2) * 10).append(' ');
      }
      corpus.add(sb.toString());
    }
    TinyBigramLm bigram = TinyBigramLm.train(vocabulary, corpus, 0.5);
    CausalLm lm = CausalLm.shared(bigram.write(dir.resolve("lm")));

    for (String[] pa : List.of(new String[] {"please answer", "w1 w12 w3 w14 w5"},
        new String[] {"please answer", "w25 w26 w27 w28"}, new String[] {"", "w1 w12 w3"},
        new String[] {"an unknown prompt", "w1 unknownword w3"})) {
      assertThat(lm.logLikelihood(pa[0], pa[1])).as("%s | %s", pa[0], pa[1])
          .isCloseTo(bigram.meanLogProb(pa[0], pa[1]), within(1e-4));
    }
    // the corpus's style (low and high words alternating) is likelier than words it never had in
    // that order: the bigram itself says by how much, and DJL's path must show the same gap
    String inStyle = "w1 w12 w3 w14 w5 w16";
    String outOfStyle = "w25 w26 w27 w28 w29 w20";
    double modelGap = bigram.meanLogProb("please answer", inStyle) - bigram.meanLogProb("please answer", outOfStyle);
    assertThat(modelGap).as("the test data's design").isGreaterThan(0.3);
    assertThat(lm.logLikelihood("please answer", inStyle) - lm.logLikelihood("please answer", outOfStyle))
        .isCloseTo(modelGap, within(1e-4));
    assertThat(lm.logLikelihood("please", "")).isNaN();
  }

  @Test
  void aFolderWithoutModelIsAClearError(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    assertThatThrownBy(() -> CausalLm.shared(dir)).hasMessageContaining("has no model.onnx");
  }
}
