package io.distillwatch.attribution.study;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The statistics on synthetic similarities where the truth is known. */
class NearestModelPermutationTest {

  /** n prompts, k candidates; the provider's similarity is shifted by {@code effect}, one reference by {@code decoy}. */
  static double[][] similarities(int n, int k, double effect, double decoy, SplittableRandom rnd) {
    double[][] sim = new double[n][k];
    for (int i = 0; i < n; i++) {
      double prompt = rnd.nextDouble(); // prompts differ in how similar any two answers are
      for (int c = 0; c < k; c++) {
        sim[i][c] = prompt + 0.2 * gaussian(rnd) + (c == 0 ? effect : 0) + (c == 1 ? decoy : 0);
      }
    }
    return sim;
  }

  static double gaussian(SplittableRandom rnd) {
    return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }

  @Test
  void pValuesAreCalibratedWhenNoCandidateIsSpecial() {
    SplittableRandom rnd = new SplittableRandom(3);
    int studies = 300;
    int below05 = 0;
    int below20 = 0;
    for (int s = 0; s < studies; s++) {
      NearestModelPermutation.Outcome o = NearestModelPermutation.run(similarities(100, 5, 0, 0, rnd), 2_000, 0, s);
      below05 += o.pValue() <= 0.05 ? 1 : 0;
      below20 += o.pValue() <= 0.20 ? 1 : 0;
    }
    // exchangeable candidates: P(p <= a) = a, within binomial noise (sd 0.013 and 0.023 at n = 300)
    assertThat(below05 / (double) studies).isCloseTo(0.05, within(0.035));
    assertThat(below20 / (double) studies).isCloseTo(0.20, within(0.07));
  }

  @Test
  void aCloserProviderIsFoundAndACloserReferenceIsNot() {
    SplittableRandom rnd = new SplittableRandom(5);
    NearestModelPermutation.Outcome provider = NearestModelPermutation.run(similarities(400, 6, 0.08, 0, rnd), 20_000, 500, 1);
    assertThat(provider.pValue()).isLessThan(1e-3);
    assertThat(provider.nearest()).isZero();
    assertThat(provider.ciLow()).isPositive();
    // a reference nearer than the provider: the provider being second nearest is no evidence
    NearestModelPermutation.Outcome decoy = NearestModelPermutation.run(similarities(400, 6, 0.08, 0.12, rnd), 20_000, 500, 2);
    assertThat(decoy.statistic()).isNegative();
    assertThat(decoy.pValue()).isGreaterThan(0.5);
    assertThat(decoy.nearest()).isEqualTo(1);
  }

  @Test
  void jointTestFindsOneStrongMethodAndStaysCalibrated() {
    SplittableRandom rnd = new SplittableRandom(7);
    List<double[][]> oneStrong = List.of(similarities(300, 5, 0, 0, rnd), similarities(300, 5, 0.1, 0, rnd),
        similarities(300, 5, 0, 0.02, rnd));
    NearestModelPermutation.JointOutcome found = NearestModelPermutation.joint(oneStrong, 20_000, 200, 1);
    assertThat(found.strongest()).isEqualTo(1);
    assertThat(found.pValue()).isLessThan(1e-3);

    int studies = 200;
    int below10 = 0;
    for (int s = 0; s < studies; s++) {
      List<double[][]> none = List.of(similarities(80, 4, 0, 0, rnd), similarities(80, 4, 0, 0, rnd));
      below10 += NearestModelPermutation.joint(none, 1_000, 0, s).pValue() <= 0.10 ? 1 : 0;
    }
    assertThat(below10 / (double) studies).isCloseTo(0.10, within(0.06));
  }

  @Test
  void aMethodThatSeesNothingIsLeftOutOfTheJointTest() {
    // all similarities equal (a classifier that failed to fit): it must neither win nor dilute
    SplittableRandom rnd = new SplittableRandom(9);
    double[][] flat = new double[200][5];
    NearestModelPermutation.JointOutcome o = NearestModelPermutation.joint(List.of(flat, similarities(200, 5, 0.1, 0, rnd)), 5_000, 0, 3);
    assertThat(o.strongest()).isEqualTo(1);
    assertThat(o.pValue()).isLessThan(1e-3);
  }

  @Test
  void holmMatchesTheTextbookExample() {
    // p = 0.01, 0.04, 0.03, 0.005: sorted 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.06, 0.04*1) = 0.06
    assertThat(NearestModelPermutation.holm(new double[] {0.01, 0.04, 0.03, 0.005}))
        .containsExactly(new double[] {0.03, 0.06, 0.06, 0.02}, within(1e-12));
    assertThat(NearestModelPermutation.holm(new double[] {0.5, 0.9})).containsExactly(new double[] {1.0, 1.0}, within(1e-12));
  }
}
