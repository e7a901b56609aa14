package io.distillwatch.attribution.study;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Aligned wording: the longest common subsequence of two answers' words (punctuation counts as a
 * word), as a share of their lengths, {@code 2 LCS / (|a| + |b|)}. It asks how much of one answer
 * can be laid over the other in order, which is what a student that learned the provider's answers
 * keeps even when both are cut to a common length: the same words in the same order, not the same
 * vocabulary (words, phrases) or the same layout (format). Same-prompt pairs are computed once, up
 * front; a pair of different prompts (shuffled null studies) on demand.
 *
 * <p>The LCS length is computed bit-parallel (Allison and Dix 1986, Hyyro 2004): one 64-bit word
 * per 64 tokens of {@code a} and one pass over {@code b}, so a pair of 500-word answers costs about
 * 4,000 word operations.
 */
final class WordAlignment extends Similarity {
  private final int[][][] ids; // [model][prompt] -> token ids
  private final float[][][] samePrompt; // [prompt][a][b], a < b

  WordAlignment(String[][] texts) {
    int models = texts.length;
    int n = texts[0].length;
    Map<String, Integer> dictionary = new HashMap<>();
    ids = new int[models][n][];
    for (int m = 0; m < models; m++) {
      for (int i = 0; i < n; i++) {
        List<String> tokens = TextVectors.tokens(texts[m][i] == null ? "" : texts[m][i]);
        int[] t = new int[tokens.size()];
        for (int k = 0; k < t.length; k++) {
          t[k] = dictionary.computeIfAbsent(tokens.get(k), x -> dictionary.size());
        }
        ids[m][i] = t;
      }
    }
    samePrompt = new float[n][models][];
    for (int i = 0; i < n; i++) {
      for (int a = 0; a < models; a++) {
        samePrompt[i][a] = new float[models];
        for (int b = a + 1; b < models; b++) {
          samePrompt[i][a][b] = (float) ratio(ids[a][i], ids[b][i]);
        }
      }
    }
  }

  @Override
  double between(int a, int i, int b, int j) {
    if (i == j && a != b) {
      return a < b ? samePrompt[i][a][b] : samePrompt[i][b][a];
    }
    return ratio(ids[a][i], ids[b][j]);
  }

  /** {@code 2 LCS(a, b) / (|a| + |b|)}; 0 when both are empty. */
  static double ratio(int[] a, int[] b) {
    int total = a.length + b.length;
    return total == 0 ? 0.0 : 2.0 * lcs(a, b) / total;
  }

  /** Length of the longest common subsequence, bit-parallel over a's positions. */
  static int lcs(int[] a, int[] b) {
    if (a.length == 0 || b.length == 0) {
      return 0;
    }
    if (a.length > b.length) { // fewer words of bits
      int[] t = a;
      a = b;
      b = t;
    }
    int m = a.length;
    int words = (m + 63) >>> 6;
    Map<Integer, long[]> match = new HashMap<>();
    for (int k = 0; k < m; k++) {
      match.computeIfAbsent(a[k], x -> new long[words])[k >>> 6] |= 1L << (k & 63);
    }
    long[] v = new long[words];
    java.util.Arrays.fill(v, -1L);
    for (int y : b) {
      long[] pm = match.get(y);
      if (pm == null) {
        continue; // V' = (V + 0) | (V & ~0) = V
      }
      long carry = 0;
      for (int w = 0; w < words; w++) {
        long x = v[w];
        long u = x & pm[w];
        long sum = x + u;
        long carryOut = Long.compareUnsigned(sum, x) < 0 ? 1 : 0;
        long withCarry = sum + carry;
        if (carry == 1 && withCarry == 0) {
          carryOut = 1;
        }
        carry = carryOut;
        v[w] = withCarry | (x & ~u);
      }
    }
    int zeros = 0;
    for (int w = 0; w < words; w++) {
      int bits = Math.min(64, m - (w << 6));
      long mask = bits == 64 ? -1L : (1L << bits) - 1;
      zeros += Long.bitCount(~v[w] & mask);
    }
    return zeros;
  }
}
