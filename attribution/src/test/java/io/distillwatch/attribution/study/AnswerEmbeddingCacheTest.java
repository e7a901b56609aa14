package io.distillwatch.attribution.study;

import io.distillwatch.models.ModelSource;
import io.distillwatch.models.SentenceEmbedder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A study's embeddings kept with it, on the real bundled model: a re-run with one more suspect
 * embeds only that suspect's answers, and gets the same vectors for the others.
 */
class AnswerEmbeddingCacheTest {
  @Test
  void aReRunWithOneMoreSuspectEmbedsOnlyThatSuspect(@TempDir Path dir) throws Exception {
    ModelSource source = ModelSource.bundled();
    SentenceEmbedder model = SentenceEmbedder.shared(source);
    List<String> sentOut = new ArrayList<>();
    AttributionStudy.Embedder counting = texts -> {
      sentOut.addAll(texts);
      return model.embed(texts);
    };
    Map<String, ModelOutputs> outputs = new LinkedHashMap<>();
    for (String m : List.of("provider", "a", "b", "c", "d", "late")) {
      Map<String, String> byPrompt = new LinkedHashMap<>();
      for (int i = 0; i < 12; i++) {
        byPrompt.put("prompt " + i, "Answer of " + m + " to question " + i + ": " + "words ".repeat(1 + (i * 7 + m.length()) % 9));
      }
      outputs.put(m, new ModelOutputs(m, byPrompt));
    }
    StudySpec first = new StudySpec("s", "provider", List.of("a"), List.of("b", "c", "d"), 1e-3);
    List<String> progress = new ArrayList<>();
    AnswerEmbeddingCache cache = AnswerEmbeddingCache.open(dir, source.fingerprint(), counting);
    AttributionStudy.run(first, outputs, AttributionStudy.Options.defaults().withPermutations(200).withBootstraps(0)
        .withEmbedder(cache), progress::add);
    cache.save();
    assertThat(cache.computed()).isEqualTo(5 * 12);
    assertThat(sentOut).hasSize(5 * 12);
    assertThat(progress).anyMatch(l -> l.matches("embedding: 60 of 60 answers \\(\\d+/s, about 0 s left\\)"));
    assertThat(Files.size(cache.file())).isEqualTo(60L * (32 + 4 + 4 * 384));
    assertThat(Files.readString(cache.file(), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("Answer of");

    // the same study with one more suspect, in a new process: only the new model's answers go to the model
    sentOut.clear();
    AnswerEmbeddingCache again = AnswerEmbeddingCache.open(dir, source.fingerprint(), counting);
    StudySpec second = new StudySpec("s", "provider", List.of("a", "late"), List.of("b", "c", "d"), 1e-3);
    AttributionStudy.run(second, outputs, AttributionStudy.Options.defaults().withPermutations(200).withBootstraps(0)
        .withEmbedder(again), line -> { });
    assertThat(again.computed()).isEqualTo(12);
    assertThat(again.reused()).isEqualTo(5 * 12);
    assertThat(sentOut).hasSize(12).allMatch(t -> t.startsWith("Answer of late"));
    float[] cached = again.embed(List.of(outputs.get("b").byPrompt().get("prompt 3")))[0];
    assertThat(cached).containsExactly(model.embed(List.of(outputs.get("b").byPrompt().get("prompt 3")))[0],
        org.assertj.core.api.Assertions.within(1e-5f));

    // another model's fingerprint never reads these vectors
    assertThat(AnswerEmbeddingCache.open(dir, "other-model@0123", counting).file()).isNotEqualTo(cache.file());
  }
}
