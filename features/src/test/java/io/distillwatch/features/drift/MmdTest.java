package io.distillwatch.features.drift;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The MMD estimator against its closed form, and the benign null's p-values against their
 * definition. For x ~ N(a, s^2 I) and y ~ N(b, s^2 I) in d dimensions and the kernel
 * exp(-|x - y|^2 / (2 sigma^2)), E k(x, y) = (sigma^2 / (sigma^2 + 2 s^2))^(d/2)
 * exp(-|a - b|^2 / (2 (sigma^2 + 2 s^2))) (the Gaussian integral; e.g. Gretton et al. 2012, JMLR 13, appendix),
 * so MMD^2 = 2 c (1 - exp(-|a - b|^2 / (2 (sigma^2 + 2 s^2)))) with c the first factor.
 */
class MmdTest {
  static float[][] gaussian(int n, int d, double mean, double s, SplittableRandom rng) {
    float[][] x = new float[n][d];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < d; k++) {
        x[i][k] = (float) ((k == 0 ? mean : 0) + s * gaussian(rng));
      }
    }
    return x;
  }

  static double gaussian(SplittableRandom rng) {
    double u = rng.nextDouble();
    double v = rng.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
  }

  @Test
  void unbiasedEstimateMatchesTheClosedForm() {
    SplittableRandom rng = new SplittableRandom(1);
    int d = 4;
    double s = 1;
    double sigma = 2;
    for (double shift : new double[] {0, 0.5, 1, 2}) {
      double c = Math.pow(sigma * sigma / (sigma * sigma + 2 * s * s), d / 2.0);
      double expected = 2 * c * (1 - Math.exp(-shift * shift / (2 * (sigma * sigma + 2 * s * s))));
      // a fresh reference each time: unbiased over draws of both samples, not for one fixed reference
      double mean = 0;
      int reps = 40;
      for (int r = 0; r < reps; r++) {
        Mmd.Reference ref = Mmd.Reference.of(gaussian(400, d, 0, s, rng), sigma);
        mean += Mmd.squared(gaussian(100, d, shift, s, rng), ref) / reps;
      }
      assertThat(mean).as("shift " + shift).isCloseTo(expected, within(0.01));
    }
  }

  @Test
  void medianHeuristicIsTheMedianPairwiseDistance() {
    // three points on a line at 0, 1, 3: distances 1, 2, 3
    float[][] x = {{0f}, {1f}, {3f}};
    assertThat(Mmd.medianDistance(x)).isEqualTo(2.0);
    assertThat(Mmd.Reference.of(x).sigma()).isEqualTo(2.0);
    assertThatThrownBy(() -> Mmd.squared(new float[][] {{0f}}, Mmd.Reference.of(x)))
        .hasMessageContaining("at least 2 vectors");
  }

  @Test
  void witnessPointsAtTheWindowsOwnCluster() {
    SplittableRandom rng = new SplittableRandom(2);
    Mmd.Reference ref = Mmd.Reference.of(gaussian(300, 3, 0, 1, rng));
    float[][] window = gaussian(20, 3, 0, 1, rng);
    for (int i = 0; i < 5; i++) { // a quarter of the window far away, together
      window[i] = new float[] {6f, 6f, 6f};
    }
    double[] w = Mmd.witness(window, ref);
    for (int i = 5; i < w.length; i++) {
      assertThat(w[0]).isGreaterThan(w[i]);
    }
  }

  /**
   * The statistics from shared cross terms equal their definitions, computed here pair by pair (in
   * double precision throughout; the estimator subtracts the float coordinates in float, hence 1e-8).
   */
  @Test
  void sharedCrossTermsGiveTheTextbookStatistics() {
    SplittableRandom rng = new SplittableRandom(4);
    Mmd.Reference ref = Mmd.Reference.of(gaussian(50, 3, 0, 1, rng));
    float[][] window = gaussian(12, 3, 0.7, 1, rng);
    float[][] towards = gaussian(30, 3, 2, 1, rng);
    double g = 1 / (2 * ref.sigma() * ref.sigma());
    java.util.function.BiFunction<float[], float[], Double> k = (a, b) -> {
      double d = 0;
      for (int i = 0; i < a.length; i++) {
        double diff = (double) a[i] - b[i];
        d += diff * diff;
      }
      return Math.exp(-g * d);
    };
    int n = window.length;
    int m = ref.size();
    double xx = 0;
    double yy = 0;
    double xy = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        xx += i == j ? 0 : k.apply(window[i], window[j]);
      }
    }
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < m; j++) {
        yy += i == j ? 0 : k.apply(ref.vectors()[i], ref.vectors()[j]);
      }
    }
    for (float[] x : window) {
      for (float[] y : ref.vectors()) {
        xy += k.apply(x, y);
      }
    }
    double unbiased = xx / (n * (n - 1.0)) + yy / (m * (m - 1.0)) - 2 * xy / (n * (double) m);
    Mmd.WindowTest t = Mmd.of(window, ref, Mmd.crossMeans(window, ref));
    assertThat(t.squared()).isCloseTo(unbiased, within(1e-8));
    assertThat(Mmd.squared(window, ref)).isCloseTo(unbiased, within(1e-8));
    double contrast = 0;
    for (int i = 0; i < n; i++) {
      double own = 0;
      double toRef = 0;
      double toTowards = 0;
      for (int j = 0; j < n; j++) {
        own += j == i ? 0 : k.apply(window[i], window[j]);
      }
      for (float[] y : ref.vectors()) {
        toRef += k.apply(window[i], y);
      }
      for (float[] h : towards) {
        toTowards += k.apply(window[i], h);
      }
      assertThat(t.witness()[i]).isCloseTo(own / (n - 1) - toRef / m, within(1e-8));
      contrast += (toTowards / towards.length - toRef / m) / n;
    }
    assertThat(Mmd.contrast(window, towards, ref)).isCloseTo(contrast, within(1e-8));
  }

  @Test
  void pValuesAreValidUnderExchangeability() {
    SplittableRandom rng = new SplittableRandom(3);
    int trials = 20_000;
    int atFivePercent = 0;
    for (int t = 0; t < trials; t++) {
      double[] nul = new double[99];
      for (int i = 0; i < nul.length; i++) {
        nul[i] = rng.nextDouble();
      }
      atFivePercent += new BenignNull(nul).pValue(rng.nextDouble()) <= 0.05 ? 1 : 0;
    }
    // P(p <= 0.05) = 0.05 exactly for 99 null draws (5 of 100 ranks); three standard errors of slack
    assertThat(atFivePercent / (double) trials).isCloseTo(0.05, within(0.005));
    BenignNull nul = new BenignNull(new double[] {3, 1, 2});
    assertThat(nul.pValue(10)).isEqualTo(0.25); // beyond every null draw: 1 / (N + 1)
    assertThat(nul.pValue(2)).isEqualTo(0.75);
    assertThat(nul.pValue(0)).isEqualTo(1.0);
  }
}
