package io.distillwatch.attribution.study;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SimilarityTest {
  @Test
  void embeddingsInLengthOrderedBatchesComeBackInPromptOrder() {
    // 2 models x 70 answers of shuffled lengths; the stand-in embedder writes each text's length
    String[][] texts = new String[2][70];
    for (int m = 0; m < 2; m++) {
      for (int i = 0; i < 70; i++) {
        texts[m][i] = "x".repeat((i * 37 + m * 11) % 97);
      }
    }
    AttributionStudy.Embedder lengths = (List<String> batch) -> {
      assertThat(batch.size()).isLessThanOrEqualTo(32);
      return batch.stream().map(t -> new float[] {t.length()}).toArray(float[][]::new);
    };
    float[][][] e = Similarity.embed(texts, lengths, line -> { });
    for (int m = 0; m < 2; m++) {
      for (int i = 0; i < 70; i++) {
        assertThat(e[m][i][0]).isEqualTo(texts[m][i].length());
      }
    }
  }
}
