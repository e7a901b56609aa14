package io.distillwatch.attribution.study;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Is the provider the suspect's nearest model? {@code sim[i][c]} is the similarity of the
 * suspect's answer to prompt i with candidate c's answer to it; candidate 0 is the provider, the
 * others are the references. The statistic is the provider's mean similarity minus the largest
 * mean similarity of any reference, so a suspect that is merely close to every fluent model (or
 * closer to another one) scores at or below zero.
 *
 * <p>H0: on each prompt the candidates' answers are exchangeable with respect to the suspect
 * (none of them is special to it). The p-value is a Monte Carlo permutation test that swaps the
 * candidates' labels independently on every prompt, {@code (1 + #{T* >= T}) / (1 + B)}, stopped
 * early once {@value #EXCEEDANCES} permutations reach the observed statistic (then {@code h / l}
 * after l permutations: Besag and Clifford's sequential Monte Carlo p-value, 1991), so a clearly
 * null suspect costs a few dozen permutations and a strong one all B. The confidence interval is
 * a percentile bootstrap over prompts.
 */
public final class NearestModelPermutation {
  private NearestModelPermutation() {}

  static final int EXCEEDANCES = 20;

  public record Outcome(double statistic, double pValue, double ciLow, double ciHigh, double[] candidateMeans,
                        int nearest) {}

  public static Outcome run(double[][] sim, int permutations, int bootstraps, long seed) {
    int n = sim.length;
    int k = sim[0].length;
    if (n < 2 || k < 2) {
      throw new IllegalArgumentException("need at least 2 prompts and 2 candidates, got " + n + " and " + k);
    }
    double[] means = new double[k];
    for (double[] row : sim) {
      for (int c = 0; c < k; c++) {
        means[c] += row[c] / n;
      }
    }
    double t = statistic(means);
    SplittableRandom rnd = new SplittableRandom(seed);

    int atLeast = 0;
    int done = 0;
    double[] sums = new double[k];
    int[] perm = new int[k];
    while (done < permutations && atLeast < EXCEEDANCES) {
      done++;
      Arrays.fill(sums, 0);
      for (double[] row : sim) {
        shuffle(perm, rnd);
        for (int c = 0; c < k; c++) {
          sums[c] += row[perm[c]];
        }
      }
      for (int c = 0; c < k; c++) {
        sums[c] /= n;
      }
      // a tiny tolerance, so a permutation equal to the observed one counts as at least as extreme
      if (statistic(sums) >= t - 1e-12) {
        atLeast++;
      }
    }
    double p = atLeast >= EXCEEDANCES ? (double) atLeast / done : (1.0 + atLeast) / (1.0 + permutations);

    double[] boot = new double[bootstraps];
    for (int b = 0; b < bootstraps; b++) {
      Arrays.fill(sums, 0);
      for (int i = 0; i < n; i++) {
        double[] row = sim[rnd.nextInt(n)];
        for (int c = 0; c < k; c++) {
          sums[c] += row[c] / n;
        }
      }
      boot[b] = statistic(sums);
    }
    Arrays.sort(boot);
    double lo = bootstraps == 0 ? Double.NaN : boot[(int) Math.floor(0.025 * (bootstraps - 1))];
    double hi = bootstraps == 0 ? Double.NaN : boot[(int) Math.ceil(0.975 * (bootstraps - 1))];
    int nearest = 0;
    for (int c = 1; c < k; c++) {
      if (means[c] > means[nearest]) {
        nearest = c;
      }
    }
    return new Outcome(t, p, lo, hi, means, nearest);
  }


  /**
   * Several methods at once: the score is the largest of the methods' statistics, each divided
   * by the spread of its own permutation distribution (so methods with different similarity
   * scales are comparable, and one strong kind of evidence is not averaged away by the others).
   * Labels are permuted jointly (one permutation per prompt for every method), which keeps the
   * methods' dependence, and the same sequential Monte Carlo p-value applies. The spreads come
   * from a separate pilot of permutations; the interval is a bootstrap over prompts.
   */
  public record JointOutcome(double score, double pValue, double ciLow, double ciHigh, double[] scaledByMethod,
                             int strongest) {}

  static final int PILOT = 400;

  public static JointOutcome joint(List<double[][]> sims, int permutations, int bootstraps, long seed) {
    int methods = sims.size();
    int n = sims.get(0).length;
    int k = sims.get(0)[0].length;
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] sums = new double[methods][k];
    int[] perm = new int[k];

    double[] spread = new double[methods];
    double[] mean = new double[methods];
    for (int b = 0; b < PILOT; b++) {
      double[] t = permuted(sims, sums, perm, rnd, n, k);
      for (int m = 0; m < methods; m++) {
        mean[m] += t[m] / PILOT;
        spread[m] += t[m] * t[m] / PILOT;
      }
    }
    for (int m = 0; m < methods; m++) {
      // a method whose statistic never moves under relabelling (all similarities equal, e.g. a
      // classifier that failed to fit) carries no evidence: infinite spread takes it out of the max
      double sd = Math.sqrt(Math.max(spread[m] - mean[m] * mean[m], 0));
      spread[m] = sd < 1e-12 ? Double.POSITIVE_INFINITY : sd;
    }

    double[] observed = new double[methods];
    int strongest = 0;
    for (int m = 0; m < methods; m++) {
      observed[m] = Double.isInfinite(spread[m]) ? Double.NEGATIVE_INFINITY
          : statistic(columnMeans(sims.get(m), null, k)) / spread[m];
      if (observed[m] > observed[strongest]) {
        strongest = m;
      }
    }
    double score = observed[strongest];

    int atLeast = 0;
    int done = 0;
    while (done < permutations && atLeast < EXCEEDANCES) {
      done++;
      if (max(permuted(sims, sums, perm, rnd, n, k), spread) >= score - 1e-12) {
        atLeast++;
      }
    }
    double p = atLeast >= EXCEEDANCES ? (double) atLeast / done : (1.0 + atLeast) / (1.0 + permutations);

    double[] boot = new double[bootstraps];
    int[] rows = new int[n];
    double[] t = new double[methods];
    for (int b = 0; b < bootstraps; b++) {
      for (int i = 0; i < n; i++) {
        rows[i] = rnd.nextInt(n);
      }
      for (int m = 0; m < methods; m++) {
        t[m] = statistic(columnMeans(sims.get(m), rows, k));
      }
      boot[b] = max(t, spread);
    }
    Arrays.sort(boot);
    double lo = bootstraps == 0 ? Double.NaN : boot[(int) Math.floor(0.025 * (bootstraps - 1))];
    double hi = bootstraps == 0 ? Double.NaN : boot[(int) Math.ceil(0.975 * (bootstraps - 1))];
    return new JointOutcome(score, p, lo, hi, observed, strongest);
  }

  /** Each method's statistic after one joint relabelling of every prompt's candidates. */
  private static double[] permuted(List<double[][]> sims, double[][] sums, int[] perm, SplittableRandom rnd, int n, int k) {
    for (double[] s : sums) {
      Arrays.fill(s, 0);
    }
    for (int i = 0; i < n; i++) {
      shuffle(perm, rnd);
      for (int m = 0; m < sims.size(); m++) {
        double[] row = sims.get(m)[i];
        double[] s = sums[m];
        for (int c = 0; c < k; c++) {
          s[c] += row[perm[c]];
        }
      }
    }
    double[] t = new double[sims.size()];
    for (int m = 0; m < t.length; m++) {
      for (int c = 0; c < k; c++) {
        sums[m][c] /= n;
      }
      t[m] = statistic(sums[m]);
    }
    return t;
  }

  /** Column means over all rows, or over {@code rows} (a bootstrap sample) when given. */
  private static double[] columnMeans(double[][] sim, int[] rows, int k) {
    double[] means = new double[k];
    int n = rows == null ? sim.length : rows.length;
    for (int i = 0; i < n; i++) {
      double[] row = sim[rows == null ? i : rows[i]];
      for (int c = 0; c < k; c++) {
        means[c] += row[c] / n;
      }
    }
    return means;
  }

  private static double max(double[] t, double[] spread) {
    double best = Double.NEGATIVE_INFINITY;
    for (int m = 0; m < t.length; m++) {
      if (!Double.isInfinite(spread[m])) {
        best = Math.max(best, t[m] / spread[m]);
      }
    }
    return best;
  }

  static double statistic(double[] means) {
    double best = Double.NEGATIVE_INFINITY;
    for (int c = 1; c < means.length; c++) {
      best = Math.max(best, means[c]);
    }
    return means[0] - best;
  }

  private static void shuffle(int[] perm, SplittableRandom rnd) {
    for (int c = 0; c < perm.length; c++) {
      perm[c] = c;
    }
    for (int c = perm.length - 1; c > 0; c--) {
      int j = rnd.nextInt(c + 1);
      int tmp = perm[c];
      perm[c] = perm[j];
      perm[j] = tmp;
    }
  }

  /** Holm-Bonferroni adjusted p-values, in the order given (step-down, monotone, capped at 1). */
  public static double[] holm(double[] p) {
    Integer[] order = new Integer[p.length];
    for (int i = 0; i < p.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(p[a], p[b]));
    double[] adjusted = new double[p.length];
    double running = 0;
    for (int r = 0; r < p.length; r++) {
      running = Math.max(running, Math.min(1, (p.length - r) * p[order[r]]));
      adjusted[order[r]] = running;
    }
    return adjusted;
  }
}
