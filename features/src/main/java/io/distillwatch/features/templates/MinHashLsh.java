package io.distillwatch.features.templates;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * MinHash signatures over word shingles, and b x r banding: a signature of b*r minima is cut
 * into b bands of r rows; two prompts are candidates when all r rows of at least one band agree
 * (AND within a band, OR across bands). For Jaccard similarity s the candidate probability is
 * 1 - (1 - s^r)^b, an S-curve whose steep part sits near (1/b)^(1/r).
 *
 * <p>Immutable and serialisable: Spark ships one instance to every task. Deterministic for a
 * seed, so a band bucket means the same thing on every night (the template index relies on it).
 */
public final class MinHashLsh implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int bands;
  private final int rows;
  private final int shingle;
  private final long[] multipliers;
  private final long[] offsets;

  public MinHashLsh(int bands, int rows, int shingle, long seed) {
    if (bands < 1 || rows < 1 || bands * rows > 1024) {
      throw new IllegalArgumentException("need 1 <= bands, rows and bands * rows <= 1024");
    }
    if (shingle < 1 || shingle > 8) {
      throw new IllegalArgumentException("shingle size must be in [1, 8]");
    }
    this.bands = bands;
    this.rows = rows;
    this.shingle = shingle;
    SplittableRandom rng = new SplittableRandom(seed);
    multipliers = new long[bands * rows];
    offsets = new long[bands * rows];
    for (int i = 0; i < multipliers.length; i++) {
      multipliers[i] = rng.nextLong() | 1L; // odd: a bijection on 64-bit words
      offsets[i] = rng.nextLong();
    }
  }

  public int bands() {
    return bands;
  }

  public int rows() {
    return rows;
  }

  public int shingleSize() {
    return shingle;
  }

  /** Candidate probability at Jaccard similarity {@code s}: 1 - (1 - s^r)^b. */
  public double candidateProbability(double s) {
    return 1 - Math.pow(1 - Math.pow(s, rows), bands);
  }

  /** Hashes of the distinct word shingles of a normalised text (a text shorter than k words is one shingle). */
  public long[] shingles(String normalized) {
    String[] words = normalized.isEmpty() ? new String[0] : normalized.split(" ");
    int n = Math.max(1, words.length - shingle + 1);
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      long h = 0x9E3779B97F4A7C15L;
      for (int j = i; j < Math.min(words.length, i + shingle); j++) {
        h = mix(h ^ hash(words[j]));
      }
      out[i] = h;
    }
    return Arrays.stream(out).distinct().toArray();
  }

  /** The b*r minima of the shingle hashes under b*r independent hash functions. */
  public long[] signature(long[] shingleHashes) {
    long[] sig = new long[multipliers.length];
    Arrays.fill(sig, Long.MAX_VALUE);
    for (long x : shingleHashes) {
      for (int i = 0; i < sig.length; i++) {
        long h = mix(x * multipliers[i] + offsets[i]);
        if (h < sig[i]) {
          sig[i] = h;
        }
      }
    }
    return sig;
  }

  /** One bucket key per band: a hash of the band's r rows and the band's index. */
  public long[] bandKeys(long[] signature) {
    long[] keys = new long[bands];
    for (int b = 0; b < bands; b++) {
      long h = mix(0x632BE59BD9B4E019L + b);
      for (int r = 0; r < rows; r++) {
        h = mix(h ^ signature[b * rows + r]);
      }
      keys[b] = h;
    }
    return keys;
  }

  /** Band keys of a raw prompt: normalise, shingle, sign, band. */
  public long[] bandKeysOf(String prompt) {
    return bandKeys(signature(shingles(PromptNormalizer.normalize(prompt))));
  }

  /** Jaccard similarity estimated from two signatures (the share of equal rows). */
  public static double estimatedJaccard(long[] a, long[] b) {
    int same = 0;
    for (int i = 0; i < a.length; i++) {
      same += a[i] == b[i] ? 1 : 0;
    }
    return (double) same / a.length;
  }

  static long hash(String word) {
    byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
    long h = 0xCBF29CE484222325L; // FNV-1a, then a finaliser for good low bits
    for (byte b : bytes) {
      h = (h ^ (b & 0xff)) * 0x100000001B3L;
    }
    return mix(h);
  }

  /** SplitMix64's finaliser: a cheap, well-mixing bijection on 64-bit words. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
