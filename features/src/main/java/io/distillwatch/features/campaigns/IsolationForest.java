package io.distillwatch.features.campaigns;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Isolation forest (Liu, Ting and Zhou, "Isolation Forest", ICDM 2008): anomalies are few and
 * different, so random axis-parallel splits isolate them in fewer steps. Each tree is grown on a
 * sub-sample of {@code psi} points (default 256) to height limit ceil(log2 psi); the score of x is
 * {@code s(x) = 2^(-E[h(x)] / c(psi))} where h is the path length (plus c(size) at an external
 * node of more than one point) and {@code c(n) = 2 H(n-1) - 2 (n-1) / n} the average path length
 * of an unsuccessful binary-search-tree search. s near 1: anomaly; well below 0.5: normal; about
 * 0.5 everywhere: no distinct anomaly.
 *
 * <p>LinkedIn's Spark isolation-forest does not resolve for our Spark; this one is fitted on the
 * driver (the inputs are cluster features: hundreds to thousands of rows, sub-sampled anyway) and
 * is serialisable, so scoring runs on the executors.
 */
public final class IsolationForest implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final double EULER = 0.5772156649015329;

  private final Node[] trees;
  private final int psi;

  private IsolationForest(Node[] trees, int psi) {
    this.trees = trees;
    this.psi = psi;
  }

  /** Average path length of an unsuccessful search in a binary search tree of n points. */
  public static double c(long n) {
    if (n <= 1) {
      return 0;
    }
    if (n == 2) {
      return 1;
    }
    double harmonic = Math.log(n - 1.0) + EULER;
    return 2 * harmonic - 2.0 * (n - 1) / n;
  }

  public static IsolationForest fit(double[][] data, int trees, int psi, long seed) {
    if (data.length == 0) {
      throw new IllegalArgumentException("no data to fit");
    }
    if (trees < 1 || psi < 2) {
      throw new IllegalArgumentException("trees >= 1 and psi >= 2 required");
    }
    int sample = Math.min(psi, data.length);
    int heightLimit = (int) Math.ceil(Math.log(sample) / Math.log(2));
    SplittableRandom rng = new SplittableRandom(seed);
    Node[] forest = new Node[trees];
    for (int t = 0; t < trees; t++) {
      double[][] s = subsample(data, sample, rng);
      forest[t] = grow(s, 0, s.length, 0, heightLimit, rng);
    }
    return new IsolationForest(forest, sample);
  }

  /** Anomaly score in (0, 1]. */
  public double score(double[] x) {
    double total = 0;
    for (Node tree : trees) {
      total += pathLength(tree, x, 0);
    }
    double mean = total / trees.length;
    double norm = c(psi);
    return norm == 0 ? 0.5 : Math.pow(2, -mean / norm);
  }

  private static double[][] subsample(double[][] data, int k, SplittableRandom rng) {
    // partial Fisher-Yates over an index array: k distinct points
    int[] idx = new int[data.length];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    double[][] out = new double[k][];
    for (int i = 0; i < k; i++) {
      int j = i + rng.nextInt(idx.length - i);
      int tmp = idx[i];
      idx[i] = idx[j];
      idx[j] = tmp;
      out[i] = data[idx[i]];
    }
    return out;
  }

  /** Grows a tree over s[from, to), partitioning the array in place. */
  private static Node grow(double[][] s, int from, int to, int depth, int limit, SplittableRandom rng) {
    int size = to - from;
    if (depth >= limit || size <= 1) {
      return Node.leaf(size);
    }
    int dims = s[from].length;
    // pick a random attribute among those that still vary in this node
    int[] varying = new int[dims];
    int count = 0;
    double[] lo = new double[dims];
    double[] hi = new double[dims];
    for (int d = 0; d < dims; d++) {
      lo[d] = Double.POSITIVE_INFINITY;
      hi[d] = Double.NEGATIVE_INFINITY;
      for (int i = from; i < to; i++) {
        lo[d] = Math.min(lo[d], s[i][d]);
        hi[d] = Math.max(hi[d], s[i][d]);
      }
      if (hi[d] > lo[d]) {
        varying[count++] = d;
      }
    }
    if (count == 0) {
      return Node.leaf(size);
    }
    int attr = varying[rng.nextInt(count)];
    double split = lo[attr] + rng.nextDouble() * (hi[attr] - lo[attr]);
    int mid = from;
    for (int i = from; i < to; i++) {
      if (s[i][attr] < split) {
        double[] tmp = s[mid];
        s[mid] = s[i];
        s[i] = tmp;
        mid++;
      }
    }
    if (mid == from || mid == to) { // split at the minimum: nothing goes left
      return Node.leaf(size);
    }
    return Node.inner(attr, split, grow(s, from, mid, depth + 1, limit, rng), grow(s, mid, to, depth + 1, limit, rng));
  }

  private static double pathLength(Node n, double[] x, int depth) {
    while (n.left != null) {
      n = x[n.attr] < n.split ? n.left : n.right;
      depth++;
    }
    return depth + c(n.size);
  }

  private static final class Node implements Serializable {
    private static final long serialVersionUID = 1L;
    final int attr;
    final double split;
    final Node left;
    final Node right;
    final int size;

    private Node(int attr, double split, Node left, Node right, int size) {
      this.attr = attr;
      this.split = split;
      this.left = left;
      this.right = right;
      this.size = size;
    }

    static Node leaf(int size) {
      return new Node(-1, 0, null, null, size);
    }

    static Node inner(int attr, double split, Node left, Node right) {
      return new Node(attr, split, left, right, 0);
    }
  }
}
