package io.distillwatch.jobs.bench;

import io.distillwatch.models.ModelSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bench embed} compares like with like only if both paths compute the same embeddings:
 * DJL's ONNX Runtime engine and ONNX Runtime's own Java API, on the bundled model. (Speed is
 * measured by the bench command, not here.)
 */
class EmbeddingBenchTest {
  @Test
  void djlAndRawOnnxRuntimeGiveTheSameEmbeddings() throws Exception {
    List<String> texts = List.of("Write a Python function that parses ISO dates.", "Bonjour, comment ça va ?",
        "Let's think step by step: 17 * 23 = ?", "", "Rate this answer from 1 to 10 against the rubric.");
    try (EmbeddingBench bench = new EmbeddingBench(ModelSource.bundled())) {
      assertThat(bench.maxDifference(texts)).isLessThan(1e-4);
      float[][] e = bench.embedDjl(texts);
      assertThat(e.length).isEqualTo(texts.size());
      double norm = 0;
      for (float x : e[0]) {
        norm += x * x;
      }
      assertThat(norm).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-3));
    }
  }
}
