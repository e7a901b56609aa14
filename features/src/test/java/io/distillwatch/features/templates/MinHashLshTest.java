package io.distillwatch.features.templates;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The banding's measured S-curve against 1 - (1 - s^r)^b, and the signature's Jaccard estimate. */
class MinHashLshTest {

  /** Two shingle sets of 100 elements each with Jaccard similarity exactly {@code s}. */
  static long[][] pair(double s, SplittableRandom rng) {
    int size = 100;
    // |A ∩ B| = k, |A ∪ B| = 2*size - k, so k = 2*size*s / (1 + s)
    int k = (int) Math.round(2 * size * s / (1 + s));
    long[] a = new long[size];
    long[] b = new long[size];
    for (int i = 0; i < size; i++) {
      long shared = rng.nextLong();
      a[i] = i < k ? shared : rng.nextLong();
      b[i] = i < k ? shared : rng.nextLong();
    }
    return new long[][] {a, b};
  }

  static double measuredCandidateRate(MinHashLsh lsh, double s, int trials, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int hits = 0;
    for (int t = 0; t < trials; t++) {
      long[][] p = pair(s, rng);
      long[] ka = lsh.bandKeys(lsh.signature(p[0]));
      long[] kb = lsh.bandKeys(lsh.signature(p[1]));
      for (int i = 0; i < ka.length; i++) {
        if (ka[i] == kb[i]) {
          hits++;
          break;
        }
      }
    }
    return (double) hits / trials;
  }

  @Test
  void measuredSCurveFollowsTheory() {
    for (int[] br : new int[][] {{20, 5}, {10, 8}}) {
      MinHashLsh lsh = new MinHashLsh(br[0], br[1], 3, 42);
      for (double s : new double[] {0.3, 0.5, 0.8}) {
        int trials = 1500;
        double expected = lsh.candidateProbability(s);
        double measured = measuredCandidateRate(lsh, s, trials, 7 + br[0]);
        // binomial standard error at 1,500 trials is at most 0.013; allow four of them
        assertThat(measured).as("b=%d r=%d s=%.1f", br[0], br[1], s).isCloseTo(expected, within(0.052));
      }
    }
  }

  @Test
  void signaturesEstimateJaccard() {
    MinHashLsh lsh = new MinHashLsh(32, 8, 3, 1);
    SplittableRandom rng = new SplittableRandom(3);
    for (double s : new double[] {0.2, 0.5, 0.9}) {
      long[][] p = pair(s, rng);
      double est = MinHashLsh.estimatedJaccard(lsh.signature(p[0]), lsh.signature(p[1]));
      assertThat(est).isCloseTo(s, within(0.09)); // 256 rows: standard error <= 0.031
    }
  }

  @Test
  void sameSeedSameBucketsAndSlotFillersDoNotMatter() {
    MinHashLsh a = new MinHashLsh(20, 5, 3, 99);
    MinHashLsh b = new MinHashLsh(20, 5, 3, 99);
    String p1 = "Solve the equation 3x + 5 = 11 and show your reasoning step by step before answering.";
    String p2 = "Solve the equation 17x + 2 = 30 and show your reasoning step by step before answering.";
    assertThat(a.bandKeysOf(p1)).isEqualTo(b.bandKeysOf(p1));
    assertThat(a.bandKeysOf(p1)).isEqualTo(a.bandKeysOf(p2));
    String other = "Translate the following paragraph into French, keeping the formal register throughout.";
    long[] k1 = a.bandKeysOf(p1);
    long[] k3 = a.bandKeysOf(other);
    for (int i = 0; i < k1.length; i++) {
      assertThat(k1[i]).isNotEqualTo(k3[i]);
    }
  }

  @Test
  void invalidShapesAreRejected() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MinHashLsh(0, 5, 3, 1))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MinHashLsh(64, 32, 3, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
