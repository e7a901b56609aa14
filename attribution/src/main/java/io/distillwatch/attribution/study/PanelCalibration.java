package io.distillwatch.attribution.study;

import org.apache.commons.math3.distribution.TDistribution;

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
 * conservative, never liberal. Residuals heavier-tailed than normal would make it liberal: the
 * null studies of NullCalibrationTest measure that on 1,000+ draws of real unrelated pairs.
 */
public final class PanelCalibration {
  private PanelCalibration() {}

  /** At least this many references besides the suspect: 5 models, 9 pairs, 4 degrees of freedom. */
  public static final int MIN_REFERENCES = 3;

  /**
   * t: the combined statistic; tByMethod: each method's (NaN when its residuals have no spread);
   * residualCorrelation: mean off-diagonal correlation of the methods' residuals.
   */
  public record Outcome(double t, double pValue, int degreesOfFreedom, double[] tByMethod, int pairs,
                        double residualCorrelation) {}

  /**
   * {@code mean[m][a][b]}: method m's mean similarity between panel models a and b (symmetric;
   * the diagonal is not read). Model 0 is the provider, model 1 the suspect, the others references.
   */
  public static Outcome run(double[][][] mean) {
    int methods = mean.length;
    int n = mean[0].length;
    if (n < 2 + MIN_REFERENCES) {
      throw new IllegalArgumentException("the panel needs the provider, the suspect and at least " + MIN_REFERENCES
          + " references, got " + n + " models");
    }
    int pairs = n * (n - 1) / 2 - 1;
    int dof = pairs - n;
    double[] t = new double[methods];
    double[][] standardised = new double[methods][];
    for (int m = 0; m < methods; m++) {
      Fit f = fit(mean[m], n);
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
      return new Outcome(Double.NaN, 1.0, dof, t, pairs, Double.NaN);
    }
    double sum = 0;
    for (double x : t) {
      if (!Double.isNaN(x)) {
        sum += x;
      }
    }
    double combined = sum / Math.sqrt(Math.max(sumCorrelation, 1e-9));
    // the upper tail as the lower tail of -t: no cancellation, so far tails keep their digits
    double p = new TDistribution(null, dof).cumulativeProbability(-combined);
    return new Outcome(combined, p, dof, t, pairs,
        offCount == 0 ? Double.NaN : offDiagonal / offCount);
  }

  private record Fit(double t, double[] residuals) {}

  /**
   * Least squares of sim(a, b) = alpha_a + alpha_b over every pair but (0, 1); the (0, 1) pair's
   * prediction t statistic and the other pairs' residuals over tau.
   */
  private static Fit fit(double[][] sim, int n) {
    double[][] normal = new double[n][n];
    double[] rhs = new double[n];
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        if (a == 0 && b == 1) {
          continue;
        }
        double y = sim[a][b];
        normal[a][a]++;
        normal[b][b]++;
        normal[a][b]++;
        normal[b][a]++;
        rhs[a] += y;
        rhs[b] += y;
      }
    }
    double[] alpha = solve(normal, rhs);
    int pairs = n * (n - 1) / 2 - 1;
    double[] residuals = new double[pairs];
    double ss = 0;
    int k = 0;
    for (int a = 0; a < n; a++) {
      for (int b = a + 1; b < n; b++) {
        if (a == 0 && b == 1) {
          continue;
        }
        residuals[k] = sim[a][b] - alpha[a] - alpha[b];
        ss += residuals[k] * residuals[k];
        k++;
      }
    }
    double tau = Math.sqrt(ss / (pairs - n));
    if (!(tau > 1e-12)) {
      return new Fit(Double.NaN, residuals);
    }
    for (int i = 0; i < pairs; i++) {
      residuals[i] /= tau;
    }
    // leverage of the held-out pair: e' (X'X)^-1 e with e the indicator of models 0 and 1
    double[] e = new double[n];
    e[0] = 1;
    e[1] = 1;
    double[] w = solve(normal, e);
    double leverage = w[0] + w[1];
    double residual = sim[0][1] - alpha[0] - alpha[1];
    return new Fit(residual / (tau * Math.sqrt(1 + leverage)), residuals);
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
