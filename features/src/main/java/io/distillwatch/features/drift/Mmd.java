package io.distillwatch.features.drift;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Maximum mean discrepancy between a window of one account's query embeddings and a benign
 * reference sample, with the Gaussian (RBF) kernel {@code k(x, y) = exp(-|x - y|^2 / (2 sigma^2))}
 * and sigma the median pairwise distance of the reference (the median heuristic, Gretton et al.
 * 2012). The estimate is the unbiased MMD^2 (their eq. 3): it is about 0 when the window comes
 * from the reference's distribution and can be slightly negative.
 *
 * <p>Pure arithmetic on float vectors (no Spark): a {@link Reference} is built once per night on
 * the driver and shipped to the executors, where each account's window is scored.
 */
public final class Mmd {
  private Mmd() {}

  /** Reference points the median heuristic looks at (all pairs of these: 500 points, 124,750 pairs). */
  static final int BANDWIDTH_POINTS = 500;

  /**
   * A benign reference sample with its kernel bandwidth and its within-sample kernel mean, which
   * every window's statistic reuses.
   *
   * @param vectors the reference embeddings (all of one dimension)
   * @param sigma the kernel bandwidth
   * @param selfMean mean of k(y_i, y_j) over ordered pairs i != j of the reference
   */
  public record Reference(float[][] vectors, double sigma, double selfMean) implements Serializable {
    public Reference {
      if (vectors.length < 2) {
        throw new IllegalArgumentException("a reference needs at least 2 vectors, got " + vectors.length);
      }
      if (!(sigma > 0)) {
        throw new IllegalArgumentException("sigma must be positive, got " + sigma);
      }
    }

    public int size() {
      return vectors.length;
    }

    /** The reference, with the median-heuristic bandwidth and its within-sample term computed. */
    public static Reference of(float[][] vectors) {
      double sigma = medianDistance(vectors);
      // every reference point equal: any bandwidth gives the same (degenerate) test
      return of(vectors, sigma > 0 ? sigma : 1);
    }

    /** The reference with a given bandwidth. */
    public static Reference of(float[][] vectors, double sigma) {
      if (vectors.length < 2) {
        throw new IllegalArgumentException("a reference needs at least 2 vectors, got " + vectors.length);
      }
      double gamma = 1 / (2 * sigma * sigma);
      double sum = 0;
      for (int i = 0; i < vectors.length; i++) {
        for (int j = i + 1; j < vectors.length; j++) {
          sum += Math.exp(-gamma * squaredDistance(vectors[i], vectors[j]));
        }
      }
      long pairs = (long) vectors.length * (vectors.length - 1) / 2;
      return new Reference(vectors, sigma, sum / pairs);
    }
  }

  /** The median Euclidean distance over all pairs of the first {@link #BANDWIDTH_POINTS} vectors. */
  static double medianDistance(float[][] vectors) {
    int n = Math.min(vectors.length, BANDWIDTH_POINTS);
    double[] d = new double[n * (n - 1) / 2];
    int k = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        d[k++] = Math.sqrt(squaredDistance(vectors[i], vectors[j]));
      }
    }
    if (d.length == 0) {
      return 0;
    }
    Arrays.sort(d);
    return d.length % 2 == 1 ? d[d.length / 2] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2;
  }

  /**
   * The mean kernel of {@code x} to the points of {@code points}, at bandwidth {@code sigma}. A window
   * point's mean kernel to the reference is the cross term that MMD^2, the witness and the contrast
   * share: computed once per point (and, in the job, once per template and night), not once per statistic.
   */
  public static double meanKernel(float[] x, float[][] points, double sigma) {
    double gamma = 1 / (2 * sigma * sigma);
    double sum = 0;
    for (float[] y : points) {
      sum += Math.exp(-gamma * squaredDistance(x, y));
    }
    return sum / points.length;
  }

  /** {@link #meanKernel} of each window point to the reference. */
  public static double[] crossMeans(float[][] window, Reference ref) {
    double[] c = new double[window.length];
    for (int i = 0; i < c.length; i++) {
      c[i] = meanKernel(window[i], ref.vectors(), ref.sigma());
    }
    return c;
  }

  /** Unbiased MMD^2 between {@code window} (at least 2 vectors) and the reference. */
  public static double squared(float[][] window, Reference ref) {
    return of(window, ref, crossMeans(window, ref)).squared();
  }

  /**
   * A window's MMD^2 against the reference and its witness at each point.
   *
   * @param squared the unbiased MMD^2 (Gretton et al. 2012, eq. 3)
   * @param witness per window point, its mean kernel to the window's other points minus its mean
   *     kernel to the reference: the points that carry the discrepancy are the ones with the largest
   *     witness (close to the window, far from benign traffic), the evidence
   */
  public record WindowTest(double squared, double[] witness) {}

  /**
   * MMD^2 and witness of {@code window} (at least 2 vectors), given each point's mean kernel to the
   * reference ({@code crossMeans[i]}, from {@link #crossMeans} or a cache of it). The window's own
   * kernels are computed once for both.
   */
  public static WindowTest of(float[][] window, Reference ref, double[] crossMeans) {
    int n = window.length;
    if (n < 2) {
      throw new IllegalArgumentException("a window needs at least 2 vectors, got " + n);
    }
    if (crossMeans.length != n) {
      throw new IllegalArgumentException(crossMeans.length + " cross terms for a window of " + n);
    }
    double gamma = 1 / (2 * ref.sigma() * ref.sigma());
    double[] own = new double[n];
    double within = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double k = Math.exp(-gamma * squaredDistance(window[i], window[j]));
        own[i] += k;
        own[j] += k;
        within += k;
      }
    }
    within /= (double) n * (n - 1) / 2;
    double cross = 0;
    double[] witness = new double[n];
    for (int i = 0; i < n; i++) {
      cross += crossMeans[i];
      witness[i] = own[i] / (n - 1) - crossMeans[i];
    }
    cross /= n;
    return new WindowTest(within + ref.selfMean() - 2 * cross, witness);
  }

  /** The witness function at each window point ({@link WindowTest#witness}). */
  public static double[] witness(float[][] window, Reference ref) {
    return of(window, ref, crossMeans(window, ref)).witness();
  }

  /**
   * The witness of the discrepancy between {@code towards} and {@code against} (kernel mean
   * embeddings at {@code against}'s bandwidth), averaged over the window: the mean over window points
   * of their mean kernel to {@code towards} minus their mean kernel to {@code against}. Linear in the
   * share of the window that resembles {@code towards}, where MMD^2 grows with its square.
   */
  public static double contrast(float[][] window, float[][] towards, Reference against) {
    double[] t = new double[window.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = meanKernel(window[i], towards, against.sigma());
    }
    return contrast(t, crossMeans(window, against));
  }

  /** {@link #contrast} from each point's mean kernel to {@code towards} and to the reference. */
  public static double contrast(double[] towardsMeans, double[] crossMeans) {
    if (towardsMeans.length != crossMeans.length || towardsMeans.length == 0) {
      throw new IllegalArgumentException("contrast of " + towardsMeans.length + " and " + crossMeans.length + " terms");
    }
    double sum = 0;
    for (int i = 0; i < crossMeans.length; i++) {
      sum += towardsMeans[i] - crossMeans[i];
    }
    return sum / crossMeans.length;
  }

  static double squaredDistance(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("vectors of dimensions " + a.length + " and " + b.length);
    }
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      double diff = a[k] - b[k];
      s += diff * diff;
    }
    return s;
  }
}
