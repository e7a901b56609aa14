package io.distillwatch.attribution.study;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The panel test on panels drawn from its own model (sim = alpha_a + alpha_b + e, e normal): the
 * p-value is uniform when the suspect-provider pair is one more draw, and small when it shares
 * much more than unrelated pairs do. What real models do to it is NullCalibrationTest's question.
 */
class PanelCalibrationTest {
  /** One method's panel: n models, model effects of spread 0.1, pair effects of spread tau, and extra on the (0, 1) pair. */
  static double[][] panel(int n, double tau, double extra, SplittableRandom rnd) {
    double[] alpha = new double[n];
    for (int a = 0; a < n; a++) {
      alpha[a] = 0.3 + 0.1 * gaussian(rnd);
    }
    double[][] sim = new double[n][n];
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        sim[a][b] = alpha[a] + alpha[b] + tau * gaussian(rnd) + (a == 0 && b == 1 ? extra : 0);
        sim[b][a] = sim[a][b];
      }
    }
    return sim;
  }

  static double gaussian(SplittableRandom rnd) {
    return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }

  @Test
  void underTheNullThePValueIsUniformForSmallAndLargePanels() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int n : new int[] {6, 16}) {
      int trials = 4_000;
      int below05 = 0;
      int below01 = 0;
      for (int t = 0; t < trials; t++) {
        PanelCalibration.Outcome o = PanelCalibration.run(new double[][][] {panel(n, 0.02, 0, rnd)});
        below05 += o.pValue() <= 0.05 ? 1 : 0;
        below01 += o.pValue() <= 0.01 ? 1 : 0;
      }
      // binomial sd at 4,000 trials: 0.0034 at 0.05 and 0.0016 at 0.01; four of them allowed
      assertThat(below05 / (double) trials).as("share p <= 0.05, panel of " + n).isCloseTo(0.05, within(0.014));
      assertThat(below01 / (double) trials).as("share p <= 0.01, panel of " + n).isCloseTo(0.01, within(0.0064));
    }
  }

  @Test
  void aPairSharingFarMoreThanUnrelatedPairsIsFound() {
    SplittableRandom rnd = new SplittableRandom(8);
    PanelCalibration.Outcome close = PanelCalibration.run(new double[][][] {panel(16, 0.02, 0.15, rnd)});
    assertThat(close.pValue()).isLessThan(1e-3);
    assertThat(close.t()).isGreaterThan(4);
    assertThat(close.degreesOfFreedom()).isEqualTo(16 * 15 / 2 - 1 - 16);
    // a pair less close than unrelated pairs is not found, whatever its size
    assertThat(PanelCalibration.run(new double[][][] {panel(16, 0.02, -0.15, rnd)}).pValue()).isGreaterThan(0.99);
  }

  @Test
  void methodsThatSeeTheSameThingCountOnce() {
    SplittableRandom rnd = new SplittableRandom(9);
    double[][] one = panel(12, 0.02, 0.05, rnd);
    PanelCalibration.Outcome single = PanelCalibration.run(new double[][][] {one});
    PanelCalibration.Outcome twice = PanelCalibration.run(new double[][][] {one, one});
    assertThat(twice.t()).isCloseTo(single.t(), within(1e-9));
    assertThat(twice.residualCorrelation()).isCloseTo(1.0, within(1e-9));
    // two independent methods that both see the pair add up (sqrt 2 in expectation)
    PanelCalibration.Outcome two = PanelCalibration.run(new double[][][] {panel(12, 0.02, 0.05, rnd), panel(12, 0.02, 0.05, rnd)});
    assertThat(two.tByMethod()).hasSize(2);
    assertThat(Math.abs(two.residualCorrelation())).isLessThan(0.5);
  }

  @Test
  void twoRelatedReferencesMakeItMoreCautiousNotLess() {
    SplittableRandom rnd = new SplittableRandom(10);
    double[][] sim = panel(12, 0.02, 0.08, rnd);
    double before = PanelCalibration.run(new double[][][] {sim}).pValue();
    sim[5][6] += 0.2; // two versions of one vendor's model among the references
    sim[6][5] = sim[5][6];
    assertThat(PanelCalibration.run(new double[][][] {sim}).pValue()).isGreaterThan(before);
  }

  @Test
  void aDeclaredFamilyPairIsLeftOutOfTheSpread() {
    SplittableRandom rnd = new SplittableRandom(11);
    double[][] sim = panel(12, 0.02, 0.08, rnd);
    boolean[][] related = new boolean[12][12];
    related[5][6] = true; // two versions of one vendor's model among the references, declared
    PanelCalibration.Outcome declared = PanelCalibration.run(new double[][][] {sim}, related);
    assertThat(declared.pairs()).isEqualTo(12 * 11 / 2 - 2);
    sim[5][6] += 0.2;
    sim[6][5] = sim[5][6];
    PanelCalibration.Outcome declaredBumped = PanelCalibration.run(new double[][][] {sim}, related);
    PanelCalibration.Outcome undeclared = PanelCalibration.run(new double[][][] {sim});
    // however close the related pair is, it no longer widens the spread of unrelated pairs
    assertThat(declaredBumped.t()).isCloseTo(declared.t(), within(1e-9));
    assertThat(declaredBumped.pValue()).isLessThan(undeclared.pValue());
    // the tested pair is tested even when provider and suspect are declared one family
    related[0][1] = true;
    assertThat(PanelCalibration.run(new double[][][] {sim}, related).t()).isCloseTo(declared.t(), within(1e-9));
    // a suspect declared related to every reference: its nearness to all cannot be measured, nothing is attributed
    for (int b = 2; b < 12; b++) {
      related[1][b] = true;
    }
    assertThat(PanelCalibration.run(new double[][][] {sim}, related).pValue()).isEqualTo(1.0);
  }

  /** Pair effects from a Student t with 3 degrees of freedom (scale 0.02): a few pairs far out. */
  static double[][] heavyPanel(int n, SplittableRandom rnd) {
    double[][] sim = panel(n, 0, 0, rnd);
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        double chi2 = 0;
        for (int k = 0; k < 3; k++) {
          double g = gaussian(rnd);
          chi2 += g * g;
        }
        sim[a][b] += 0.02 * gaussian(rnd) / Math.sqrt(chi2 / 3);
        sim[b][a] = sim[a][b];
      }
    }
    return sim;
  }

  @Test
  void theEvidenceSaysWhenThePairsAreHeavyTailed() {
    SplittableRandom rnd = new SplittableRandom(5);
    int trials = 2_000;
    int below = 0;
    double[] nuHeavy = new double[trials];
    for (int t = 0; t < trials; t++) {
      PanelCalibration.Outcome o = PanelCalibration.run(new double[][][] {heavyPanel(19, rnd)});
      below += o.pValue() <= 1e-3 ? 1 : 0;
      nuHeavy[t] = o.tailNu();
    }
    java.util.Arrays.sort(nuHeavy);
    // what the tail warns of: normal theory is liberal on such a panel (several times 1e-3)
    assertThat(below / (double) trials).isGreaterThan(3e-3);
    assertThat(nuHeavy[trials / 2]).as("median most likely tail, t(3) pairs").isLessThanOrEqualTo(10);
    double[] nuNormal = new double[400];
    for (int t = 0; t < nuNormal.length; t++) {
      nuNormal[t] = PanelCalibration.run(new double[][][] {panel(19, 0.02, 0, rnd)}).tailNu();
    }
    java.util.Arrays.sort(nuNormal);
    assertThat(nuNormal[nuNormal.length / 2]).as("median most likely tail, normal pairs").isGreaterThanOrEqualTo(30);
  }

  @Test
  void tooFewReferencesIsAnError() {
    assertThatThrownBy(() -> PanelCalibration.run(new double[][][] {new double[4][4]}))
        .hasMessageContaining("at least 3 references");
  }
}
