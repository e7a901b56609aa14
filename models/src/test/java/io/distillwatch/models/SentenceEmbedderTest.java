package io.distillwatch.models;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real bundled all-MiniLM-L6-v2, loaded offline through DJL's ONNX Runtime engine on the CPU. */
class SentenceEmbedderTest {
  static SentenceEmbedder embedder;

  @BeforeAll
  static void load() {
    embedder = SentenceEmbedder.shared(ModelSource.bundled());
  }

  static double dot(float[] a, float[] b) {
    double d = 0;
    for (int i = 0; i < a.length; i++) {
      d += a[i] * b[i];
    }
    return d;
  }

  @Test
  void unitVectorsOf384DimensionsOffline() {
    assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    float[][] v = embedder.embed(List.of("hello world", ""));
    assertThat(v).hasNumberOfRows(2);
    assertThat(v[0]).hasSize(384);
    assertThat(dot(v[0], v[0])).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    assertThat(embedder.device().isGpu()).as("no GPU here: CPU selected").isFalse();
  }

  /** Each sentence's nearest neighbour among all the others is its paraphrase. */
  @Test
  void paraphrasesAreNearestNeighbours() {
    List<String[]> pairs = List.of(
        new String[] {"A man is eating food.", "Someone is having a meal."},
        new String[] {"The cat sleeps on the sofa.", "A kitten is napping on the couch."},
        new String[] {"How do I reset my password?", "I forgot my password, how can I change it?"},
        new String[] {"The stock market fell sharply today.", "Share prices dropped steeply this afternoon."},
        new String[] {"Translate this sentence into French.", "Please render this text in French."},
        new String[] {"Write a Python function that sorts a list.", "Implement list sorting in Python code."});
    List<String> texts = new ArrayList<>();
    pairs.forEach(p -> texts.addAll(List.of(p)));
    float[][] v = embedder.embed(texts);
    int correct = 0;
    for (int i = 0; i < v.length; i++) {
      int best = -1;
      double bestSim = -2;
      for (int j = 0; j < v.length; j++) {
        if (j != i && dot(v[i], v[j]) > bestSim) {
          bestSim = dot(v[i], v[j]);
          best = j;
        }
      }
      correct += best == (i ^ 1) ? 1 : 0;
    }
    assertThat(correct).as("sentences whose nearest neighbour is their paraphrase").isGreaterThanOrEqualTo(10);
  }

  @Test
  void batchingDoesNotChangeAnEmbedding() {
    float[] alone = embedder.embed(List.of("short text"))[0];
    float[] batched = embedder.embed(List.of("a much longer text that forces padding of the shorter one in the batch",
        "short text"))[1];
    assertThat(dot(alone, batched)).isGreaterThan(0.9999);
  }

  @Test
  void badModelDirectoriesAndDevicesAreRefused() {
    assertThatThrownBy(() -> ModelSource.directory(java.nio.file.Path.of("/nonexistent")))
        .hasMessageContaining("must hold model.onnx and tokenizer.json");
    assertThatThrownBy(() -> SentenceEmbedder.parseDevice("tpu")).hasMessageContaining("auto, cpu, gpu or gpu:N");
  }
}
