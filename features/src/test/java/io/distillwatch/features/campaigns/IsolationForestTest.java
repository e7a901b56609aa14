package io.distillwatch.features.campaigns;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Against the published definition and results of Liu, Ting and Zhou, "Isolation Forest"
 * (ICDM 2008): the normaliser c(n), the score's reading (about 0.5 everywhere when there is no
 * distinct anomaly, near 1 for anomalies, well below 0.5 for normal points) and the paper's
 * setting of 100 trees on sub-samples of 256 separating planted anomalies (AUC).
 */
class IsolationForestTest {

  @Test
  void normaliserIsTheAverageUnsuccessfulSearchPathOfABinarySearchTree() {
    // c(n) = 2 H(n-1) - 2 (n-1)/n with H(i) ~ ln(i) + 0.5772156649 (Euler's constant), eq. (1) of the paper
    assertThat(IsolationForest.c(1)).isZero();
    assertThat(IsolationForest.c(2)).isEqualTo(1.0);
    assertThat(IsolationForest.c(256)).isCloseTo(2 * (Math.log(255) + 0.5772156649) - 2 * 255.0 / 256, within(1e-9));
    assertThat(IsolationForest.c(256)).isCloseTo(10.2448, within(1e-3));
    // exact harmonic numbers agree with the approximation to within 1 % at n = 256
    double h = 0;
    for (int i = 1; i <= 255; i++) {
      h += 1.0 / i;
    }
    assertThat(IsolationForest.c(256)).isCloseTo(2 * h - 2 * 255.0 / 256, within(0.01 * IsolationForest.c(256)));
  }

  @Test
  void scoresAboutOneHalfWhenNoPointIsDistinct() {
    // identical points cannot be split: every path ends at the root's external node, E[h] = c(psi), s = 0.5
    double[][] same = new double[300][];
    Arrays.setAll(same, i -> new double[] {1.0, 2.0});
    IsolationForest forest = IsolationForest.fit(same, 50, 256, 1);
    assertThat(forest.score(new double[] {1.0, 2.0})).isCloseTo(0.5, within(1e-9));
  }

  @Test
  void separatesPlantedAnomaliesFromAGaussianCloud() {
    SplittableRandom rng = new SplittableRandom(11);
    int normal = 2000;
    int anomalies = 40;
    double[][] data = new double[normal + anomalies][];
    for (int i = 0; i < normal; i++) {
      data[i] = new double[] {rng.nextGaussian() * 0.5, rng.nextGaussian() * 0.5, rng.nextGaussian() * 0.5};
    }
    for (int i = 0; i < anomalies; i++) { // uniform in a box far larger than the cloud
      data[normal + i] = new double[] {rng.nextDouble(-6, 6), rng.nextDouble(-6, 6), rng.nextDouble(-6, 6)};
    }
    IsolationForest forest = IsolationForest.fit(data.clone(), 100, 256, 3);
    double[] scores = Arrays.stream(data).mapToDouble(forest::score).toArray();
    double auc = auc(scores, normal);
    assertThat(auc).isGreaterThan(0.95);
    double meanNormal = Arrays.stream(scores, 0, normal).average().orElseThrow();
    double meanAnomaly = Arrays.stream(scores, normal, scores.length).average().orElseThrow();
    assertThat(meanNormal).isLessThan(0.5);
    assertThat(meanAnomaly).isGreaterThan(0.6);
    // deterministic by seed
    assertThat(IsolationForest.fit(data.clone(), 100, 256, 3).score(data[normal])).isEqualTo(scores[normal]);
  }

  /** AUC = P(score of an anomaly > score of a normal point), ties counted half. */
  private static double auc(double[] scores, int normal) {
    long wins = 0;
    long ties = 0;
    for (int a = normal; a < scores.length; a++) {
      for (int n = 0; n < normal; n++) {
        if (scores[a] > scores[n]) {
          wins++;
        } else if (scores[a] == scores[n]) {
          ties++;
        }
      }
    }
    return (wins + ties / 2.0) / ((double) (scores.length - normal) * normal);
  }
}
