package io.distillwatch.jobs.simulate;

/** Deterministic ids and random-stream seeds from a few numbers (SplitMix64 finaliser). */
final class Ids {
  private Ids() {}

  static long mix(long... parts) {
    long h = 0x9E3779B97F4A7C15L;
    for (long p : parts) {
      h ^= p;
      h *= 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
      h *= 0x94D049BB133111EBL;
      h ^= h >>> 29;
    }
    return h;
  }

  /** 12 hex digits. */
  static String hex(long seed, long a, long b, long c) {
    return String.format("%012x", mix(seed, a, b, c) & 0xFFFFFFFFFFFFL);
  }
}
