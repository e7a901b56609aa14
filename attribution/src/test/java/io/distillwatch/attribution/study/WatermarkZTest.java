package io.distillwatch.attribution.study;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The watermark z-test on synthetic text: a toy generator that, like Kirchenbauer et al.'s, adds
 * delta to the logits of green-listed words. No watermarked model ships here, so the generator is
 * the test's own; what is tested is the detector's power and its calibration without the key.
 */
class WatermarkZTest {
  static final WatermarkDetection.Scheme PROVIDER = WatermarkDetection.Scheme.of("provider-secret-key-0001", 0.25);
  static final WatermarkDetection.Scheme OTHER = WatermarkDetection.Scheme.of("someone-elses-key-000002", 0.25);

  static final List<String> VOCABULARY = vocabulary(3_000, new SplittableRandom(1));

  static List<String> vocabulary(int size, SplittableRandom rnd) {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      StringBuilder w = new StringBuilder();
      for (int c = 3 + rnd.nextInt(6); c > 0; c--) {
        w.append((char) ('a' + rnd.nextInt(26)));
      }
      words.add(w.toString());
    }
    return words;
  }

  /** Words drawn from 16 candidates per position; green candidates get weight e^delta (delta 0: no watermark). */
  static String generate(int words, double delta, WatermarkDetection.Scheme scheme, SplittableRandom rnd) {
    StringBuilder text = new StringBuilder();
    String previous = "<s>";
    for (int i = 0; i < words; i++) {
      String[] candidates = new String[16];
      double[] weight = new double[16];
      double total = 0;
      for (int c = 0; c < 16; c++) {
        candidates[c] = VOCABULARY.get(rnd.nextInt(VOCABULARY.size()));
        weight[c] = WatermarkDetection.isGreen(scheme, previous, candidates[c]) ? Math.exp(delta) : 1;
        total += weight[c];
      }
      double u = rnd.nextDouble() * total;
      int pick = 0;
      while (u > weight[pick]) {
        u -= weight[pick++];
      }
      text.append(i == 0 ? "" : " ").append(candidates[pick]);
      previous = candidates[pick];
    }
    return text.toString();
  }

  @Test
  void watermarkedTextIsDetectedWithTheKeyOnly() {
    SplittableRandom rnd = new SplittableRandom(2);
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      answers.add(generate(60, 2.0, PROVIDER, rnd));
    }
    WatermarkDetection.Outcome withKey = WatermarkDetection.detect(answers, PROVIDER);
    assertThat(withKey.z()).isGreaterThan(6);
    assertThat(withKey.pValue()).isLessThan(1e-9);
    assertThat(WatermarkDetection.detect(answers, OTHER).pValue()).isGreaterThan(1e-3);
  }

  @Test
  void aStudentThatKeptASmallPartOfTheBiasIsStillFoundOnEnoughText() {
    // distillation dilutes the watermark: delta 0.3 instead of 2 (31 % green instead of 25 %), many answers
    SplittableRandom rnd = new SplittableRandom(3);
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      answers.add(generate(100, 0.3, PROVIDER, rnd));
    }
    assertThat(WatermarkDetection.detect(answers, PROVIDER).pValue()).isLessThan(1e-6);
  }

  @Test
  void withoutTheWatermarkZIsStandardNormal() {
    SplittableRandom rnd = new SplittableRandom(4);
    int studies = 400;
    int above = 0;
    double sum = 0;
    for (int s = 0; s < studies; s++) {
      WatermarkDetection.Outcome o = WatermarkDetection.detect(List.of(generate(150, 0, PROVIDER, rnd)), PROVIDER);
      above += o.pValue() <= 0.05 ? 1 : 0;
      sum += o.z();
    }
    // P(p <= 0.05) = 0.05 within binomial noise (sd 0.011 at n = 400); mean z near 0 (sd 0.05)
    assertThat(above / (double) studies).isCloseTo(0.05, within(0.03));
    assertThat(sum / studies).isCloseTo(0, within(0.2));
  }

  @Test
  void inAStudyTheWatermarkAttributesAStudentTheTextMethodsCannotSee() {
    // the provider watermarks its answers; the student kept a weak bias; the references write from
    // the same vocabulary without one: no similarity method separates them, the watermark does
    SplittableRandom rnd = new SplittableRandom(5);
    Map<String, ModelOutputs> outputs = new LinkedHashMap<>();
    Map<String, Double> delta = Map.of("provider", 2.0, "student", 0.3, "ref-a", 0.0, "ref-b", 0.0, "ref-c", 0.0);
    for (String model : List.of("provider", "student", "ref-a", "ref-b", "ref-c")) { // fixed order: one random stream
      Map<String, String> answers = new LinkedHashMap<>();
      for (int i = 0; i < 150; i++) {
        answers.put("prompt " + i, generate(80, delta.get(model), PROVIDER, rnd));
      }
      outputs.put(model, new ModelOutputs(model, answers));
    }
    StudySpec spec = new StudySpec("wm", "provider", List.of("student", "ref-c"), List.of("ref-a", "ref-b", "ref-c"),
        StudySpec.DEFAULT_ALPHA, new StudySpec.Watermark("DW_TEST_WATERMARK_KEY", 0.25));
    AttributionStudy.Options options = AttributionStudy.Options.defaults().withPermutations(2_000).withWatermark(PROVIDER);
    AttributionStudy.Result withKey = AttributionStudy.run(spec, outputs, options, line -> { });
    AttributionStudy.SuspectResult student = withKey.suspects().get(0);
    assertThat(student.attributed()).isTrue();
    assertThat(student.strongestMethod()).isEqualTo("watermark");
    assertThat(student.evidence()).filteredOn(e -> !e.method().equals("watermark"))
        .allSatisfy(e -> assertThat(e.pValue()).isGreaterThan(1e-3));
    assertThat(withKey.suspects().get(1).attributed()).as("an unwatermarked reference posing as a suspect").isFalse();
    assertThat(withKey.combinedMethods()).contains("watermark");

    // with a wrong key (a provider that did not watermark these answers) nothing is attributed
    AttributionStudy.Result wrongKey = AttributionStudy.run(spec, outputs, options.withWatermark(OTHER), line -> { });
    assertThat(wrongKey.suspects()).noneMatch(AttributionStudy.SuspectResult::attributed);
  }

  @Test
  void normalTailMatchesKnownValues() {
    assertThat(WatermarkDetection.upperNormalTail(0)).isCloseTo(0.5, within(1e-7));
    assertThat(WatermarkDetection.upperNormalTail(1.959964)).isCloseTo(0.025, within(1e-7));
    assertThat(WatermarkDetection.upperNormalTail(4.753424)).isCloseTo(1e-6, within(1e-10)); // relative error 1e-4 at the tail
  }
}
