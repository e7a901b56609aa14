package io.distillwatch.features.drift;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The null distribution of the drift statistic, from benign-vs-benign comparisons: the statistics
 * of benign-pool accounts' own windows against a reference drawn from other benign accounts. An
 * account's p-value is the share of those benign statistics at least as large as its own, counted
 * with the +1 that makes it valid in finite samples (Phipson and Smyth 2010): under the null that
 * the account is exchangeable with the benign pool, P(p <= a) <= a for every a.
 */
public record BenignNull(double[] sorted) implements Serializable {
  public BenignNull {
    sorted = sorted.clone();
    Arrays.sort(sorted);
  }

  public int size() {
    return sorted.length;
  }

  /** (1 + #{null >= s}) / (1 + N): never 0; its smallest value is 1 / (N + 1). */
  public double pValue(double statistic) {
    int firstAtLeast = lowerBound(statistic);
    return (1.0 + (sorted.length - firstAtLeast)) / (1.0 + sorted.length);
  }

  private int lowerBound(double s) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < s) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
