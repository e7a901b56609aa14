package io.distillwatch.attribution.study;

import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.special.Gamma;

import java.util.ArrayList;
import java.util.List;

/**
 * Is the suspect nearer to the provider than unrelated models come to each other?
 *
 * <p>The permutation test ({@link NearestModelPermutation}) asks whether the provider is the suspect's
 * nearest model by more than prompt-to-prompt noise. On real models that is not the same as
 * "learned from the provider": two unrelated models of one generation and style are nearer to
 * each other than to the rest of a panel, on every prompt, and the permutation test calls that
 * significant (docs/attribution.md, "Calibration": 3.85 % of unrelated pairs at 1e-3). This test
 * takes the spread between models as its noise instead. The references are a sample of models
 * unrelated to each other; the mean similarity of every pair of panel models (provider, suspect,
 * references) follows a two-way additive model {@code sim(a, b) = alpha_a + alpha_b + e_ab}, where
 * {@code alpha} is how close a model comes to everyone (long, generic answers are near to all) and
 * {@code e} is what a particular pair shares, spread {@code tau}. H0: the suspect-provider pair's
 * {@code e} is one more draw of that spread. The model is fitted on every pair but that one; the
 * pair's prediction residual, divided by {@code tau * sqrt(1 + leverage)}, is Student t with the
 * fit's degrees of freedom under normal residuals. Methods are combined by the sum of their t
 * statistics over its standard deviation, from the correlation of the methods' residuals across
 * the panel's pairs (so words, characters and style, which see much the same, count once).
 *
 * <p>What this assumes, and where it fails: the references must be unrelated to each other. Two
 * related references (two versions of one vendor's model) widen {@code tau} and make the test
 * conservative, never liberal; declared (a study's families) they are left out of the fit.
 * Residuals heavier-tailed than normal make the t reference liberal for a pair far out: the
 * evidence names the tail the panel's pairs show ({@link HeavyTail}), and the null studies of
 * NullCalibrationTest measure the false-positive rate on 1,000+ draws of real unrelated pairs.
 */
public final class PanelCalibration {
  private PanelCalibration() {}

  /** At least this many references besides the suspect: 5 models, 9 pairs, 4 degrees of freedom. */
  public static final int MIN_REFERENCES = 3;

  /**
   * t: the combined statistic; tByMethod: each method's (NaN when its residuals have no spread);
   * tailNu: the degrees of freedom of the most likely tail of the pairs (NaN without a fit);
   * residualCorrelation: mean off-diagonal correlation of the methods' residuals.
   */
  public record Outcome(double t, double pValue, int degreesOfFreedom, double[] tByMethod, int pairs,
                        double residualCorrelation, double tailNu) {}

  /** No pair of the panel is known to be related. */
  public static Outcome run(double[][][] mean) {
    return run(mean, new boolean[mean[0].length][mean[0].length]);
  }

  /**
   * {@code mean[m][a][b]}: method m's mean similarity between panel models a and b (symmetric;
   * the diagonal is not read). Model 0 is the provider, model 1 the suspect, the others references.
   * {@code related[a][b]}: a and b are of one declared family; such a pair is not a draw of the
   * spread of unrelated pairs, so it is left out of the fit (the provider-suspect pair is the one
   * tested, whatever it says).
   */
  public static Outcome run(double[][][] mean, boolean[][] related) {
    int methods = mean.length;
    int n = mean[0].length;
    if (n < 2 + MIN_REFERENCES) {
      throw new IllegalArgumentException("the panel needs the provider, the suspect and at least " + MIN_REFERENCES
          + " references, got " + n + " models");
    }
    Design design = new Design(n, related);
    if (design.dof < 1 || !design.everyModelFitted) {
      // too few unrelated pairs, or a model related to every other: its nearness to all cannot be measured
      return new Outcome(Double.NaN, 1.0, design.dof, new double[methods], design.pairs, Double.NaN, Double.NaN);
    }
    double[] t = new double[methods];
    double[][] standardised = new double[methods][];
    for (int m = 0; m < methods; m++) {
      Fit f = design.fit(mean[m]);
      t[m] = f.t;
      standardised[m] = f.residuals;
    }
    // correlation of the methods' standardised residuals over the panel's pairs
    double sumCorrelation = 0;
    double offDiagonal = 0;
    int used = 0;
    int offCount = 0;
    for (int a = 0; a < methods; a++) {
      if (Double.isNaN(t[a])) {
        continue;
      }
      used++;
      for (int b = 0; b < methods; b++) {
        if (Double.isNaN(t[b])) {
          continue;
        }
        double c = a == b ? 1.0 : correlation(standardised[a], standardised[b]);
        sumCorrelation += c;
        if (a != b) {
          offDiagonal += c;
          offCount++;
        }
      }
    }
    if (used == 0) {
      return new Outcome(Double.NaN, 1.0, design.dof, t, design.pairs, Double.NaN, Double.NaN);
    }
    double sum = 0;
    double[] combinedResiduals = new double[design.pairs];
    for (int m = 0; m < methods; m++) {
      if (!Double.isNaN(t[m])) {
        sum += t[m];
        for (int k = 0; k < design.pairs; k++) {
          combinedResiduals[k] += standardised[m][k];
        }
      }
    }
    double norm = Math.sqrt(Math.max(sumCorrelation, 1e-9));
    double combined = sum / norm;
    for (int k = 0; k < design.pairs; k++) {
      // internally studentised: unit variance under normal residuals, whatever the pair's leverage
      combinedResiduals[k] /= norm * Math.sqrt(Math.max(1 - design.leverage[k], 1e-9));
    }
    // the upper tail as the lower tail of -t: no cancellation, so far tails keep their digits
    double p = new TDistribution(null, design.dof).cumulativeProbability(-combined);
    HeavyTail tail = HeavyTail.fit(combinedResiduals);
    return new Outcome(combined, p, design.dof, t, design.pairs,
        offCount == 0 ? Double.NaN : offDiagonal / offCount, tail.nu);
  }

  private record Fit(double t, double[] residuals) {}

  /** The pairs the additive model is fitted on (all but (0, 1) and related ones), its normal equations and leverages. */
  private static final class Design {
    final int n;
    final int[][] pairList; // {a, b}
    final int pairs;
    final int dof;
    final double[][] normal;
    final double[] leverage;
    final double heldOutLeverage;
    final boolean everyModelFitted;

    Design(int n, boolean[][] related) {
      this.n = n;
      List<int[]> list = new ArrayList<>();
      for (int a = 0; a < n; a++) {
        for (int b = a + 1; b < n; b++) {
          if (!(a == 0 && b == 1) && !related[a][b] && !related[b][a]) {
            list.add(new int[] {a, b});
          }
        }
      }
      pairList = list.toArray(new int[0][]);
      pairs = pairList.length;
      dof = pairs - n;
      normal = new double[n][n];
      for (int[] p : pairList) {
        normal[p[0]][p[0]]++;
        normal[p[1]][p[1]]++;
        normal[p[0]][p[1]]++;
        normal[p[1]][p[0]]++;
      }
      leverage = new double[pairs];
      boolean fitted = true;
      for (int a = 0; a < n; a++) {
        fitted &= normal[a][a] > 0;
      }
      everyModelFitted = fitted;
      if (dof < 1 || !fitted) {
        heldOutLeverage = Double.NaN;
        return;
      }
      for (int k = 0; k < pairs; k++) {
        leverage[k] = quadratic(pairList[k][0], pairList[k][1]);
      }
      heldOutLeverage = quadratic(0, 1);
    }

    /** e' (X'X)^-1 e with e the indicator of models a and b. */
    private double quadratic(int a, int b) {
      double[] e = new double[n];
      e[a] = 1;
      e[b] = 1;
      double[] w = solve(normal, e);
      return w[a] + w[b];
    }

    /**
     * Least squares of sim(a, b) = alpha_a + alpha_b over the design's pairs; the (0, 1) pair's
     * prediction t statistic and the pairs' residuals over tau.
     */
    Fit fit(double[][] sim) {
      double[] rhs = new double[n];
      for (int[] p : pairList) {
        rhs[p[0]] += sim[p[0]][p[1]];
        rhs[p[1]] += sim[p[0]][p[1]];
      }
      double[] alpha = solve(normal, rhs);
      double[] residuals = new double[pairs];
      double ss = 0;
      for (int k = 0; k < pairs; k++) {
        int a = pairList[k][0];
        int b = pairList[k][1];
        residuals[k] = sim[a][b] - alpha[a] - alpha[b];
        ss += residuals[k] * residuals[k];
      }
      double tau = Math.sqrt(ss / dof);
      if (!(tau > 1e-12)) {
        return new Fit(Double.NaN, residuals);
      }
      for (int k = 0; k < pairs; k++) {
        residuals[k] /= tau;
      }
      double residual = sim[0][1] - alpha[0] - alpha[1];
      return new Fit(residual / (tau * Math.sqrt(1 + heldOutLeverage)), residuals);
    }
  }

  /**
   * The tails the panel's own pairs show, for the evidence line (not the p-value): the Student t
   * (2 to 1,000 degrees of freedom, each with its maximum-likelihood scale) most likely for the
   * studentised combined residuals of the fitted pairs. Normal residuals give a large nu; a few
   * pairs far out (related models nobody declared, one era's models alike) a small one, and then
   * the normal-theory p-value of a pair far out is optimistic (PanelCalibrationTest). Reading the
   * p-value from this tail was tried (2026-12-07) and not adopted: with panels of a few references,
   * or whose references hold related models, it took every attribution away (docs/attribution.md,
   * "Statistics").
   */
  record HeavyTail(double nu, double scale) {
    static final double[] NU = {2, 2.5, 3, 4, 5, 6, 8, 10, 15, 20, 30, 50, 100, 1000};

    static HeavyTail fit(double[] x) {
      double[] scales = new double[NU.length];
      double[] ll = new double[NU.length];
      int best = NU.length - 1;
      for (int q = 0; q < NU.length; q++) {
        double nu = NU[q];
        // golden-section search of the log-likelihood over log(scale) in [log 0.1, log 10]: unimodal for fixed nu
        double lo = Math.log(0.1);
        double hi = Math.log(10);
        double g = (Math.sqrt(5) - 1) / 2;
        double c = hi - g * (hi - lo);
        double d = lo + g * (hi - lo);
        double fc = logLikelihood(x, nu, Math.exp(c));
        double fd = logLikelihood(x, nu, Math.exp(d));
        for (int i = 0; i < 60; i++) {
          if (fc > fd) {
            hi = d;
            d = c;
            fd = fc;
            c = hi - g * (hi - lo);
            fc = logLikelihood(x, nu, Math.exp(c));
          } else {
            lo = c;
            c = d;
            fc = fd;
            d = lo + g * (hi - lo);
            fd = logLikelihood(x, nu, Math.exp(d));
          }
        }
        scales[q] = Math.exp((lo + hi) / 2);
        ll[q] = logLikelihood(x, nu, scales[q]);
      }
      for (int q = 0; q < NU.length; q++) {
        if (ll[q] > ll[best]) {
          best = q;
        }
      }
      return new HeavyTail(NU[best], scales[best]);
    }

    static double logLikelihood(double[] x, double nu, double scale) {
      double constant = Gamma.logGamma((nu + 1) / 2) - Gamma.logGamma(nu / 2) - 0.5 * Math.log(nu * Math.PI) - Math.log(scale);
      double ll = 0;
      for (double v : x) {
        double z = v / scale;
        ll += constant - (nu + 1) / 2 * Math.log1p(z * z / nu);
      }
      return ll;
    }
  }

  private static double correlation(double[] x, double[] y) {
    double mx = 0;
    double my = 0;
    for (int i = 0; i < x.length; i++) {
      mx += x[i] / x.length;
      my += y[i] / y.length;
    }
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
  }

  /** Gaussian elimination with partial pivoting (the normal equations are small and well-conditioned for n >= 5). */
  static double[] solve(double[][] matrix, double[] rhs) {
    int n = rhs.length;
    double[][] a = new double[n][];
    for (int i = 0; i < n; i++) {
      a[i] = java.util.Arrays.copyOf(matrix[i], n + 1);
      a[i][n] = rhs[i];
    }
    for (int col = 0; col < n; col++) {
      int pivot = col;
      for (int r = col + 1; r < n; r++) {
        if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
          pivot = r;
        }
      }
      double[] tmp = a[col];
      a[col] = a[pivot];
      a[pivot] = tmp;
      for (int r = col + 1; r < n; r++) {
        double f = a[r][col] / a[col][col];
        for (int c = col; c <= n; c++) {
          a[r][c] -= f * a[col][c];
        }
      }
    }
    double[] x = new double[n];
    for (int r = n - 1; r >= 0; r--) {
      double s = a[r][n];
      for (int c = r + 1; c < n; c++) {
        s -= a[r][c] * x[c];
      }
      x[r] = s / a[r][r];
    }
    return x;
  }
}
