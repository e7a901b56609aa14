package io.distillwatch.jobs.simulate;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * What to simulate: the date range, the seed (same seed, same bytes), the scale (number of
 * accounts of every population, per-account rates unchanged) and the delivery imperfections
 * that exercise ingest: late and repeated events, a few malformed lines.
 *
 * @param accountOverrides accounts of a named group, replacing {@code scale} for it (tests use it
 *     to grow one population, e.g. {@code enterprise_nat_1 -> 10000})
 * @param spread multiplies the number of accounts of every campaign and divides their
 *     per-account rate by the same factor: the same campaign spread over more accounts
 * @param world 0: the default world; N >= 1: a world whose campaigns and benign population sizes
 *     are drawn from documented ranges ({@link World})
 */
public record SimConfig(LocalDate from, LocalDate to, long seed, double scale, int partsPerDay,
                        double lateShare, double repeatShare, int malformedPerDay,
                        Map<String, Integer> accountOverrides, double spread, long world) {

  public SimConfig {
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("--to is before --from");
    }
    if (!(scale > 0 && scale <= 10_000)) {
      throw new IllegalArgumentException("--scale must be in (0, 10000]");
    }
    if (!(spread >= 1)) {
      throw new IllegalArgumentException("spread must be at least 1");
    }
    if (world < 0) {
      throw new IllegalArgumentException("--world must be 0 (the default world) or a positive number");
    }
  }

  public static SimConfig of(LocalDate from, LocalDate to, long seed, double scale) {
    return new SimConfig(from, to, seed, scale, 4, 0.005, 0.001, 4, Map.of(), 1.0, 0);
  }

  public SimConfig withOverrides(Map<String, Integer> overrides) {
    return new SimConfig(from, to, seed, scale, partsPerDay, lateShare, repeatShare, malformedPerDay, overrides, spread, world);
  }

  public SimConfig withSpread(double factor) {
    return new SimConfig(from, to, seed, scale, partsPerDay, lateShare, repeatShare, malformedPerDay, accountOverrides, factor, world);
  }

  /** The same range and scale in world {@code n} ({@link World}). */
  public SimConfig withWorld(long n) {
    return new SimConfig(from, to, seed, scale, partsPerDay, lateShare, repeatShare, malformedPerDay, accountOverrides, spread, n);
  }

  public int days() {
    return (int) ChronoUnit.DAYS.between(from, to) + 1;
  }

  /** Day index (0-based) at a fraction of the range, so campaigns start at the same point of any range. */
  int dayAt(double fraction) {
    return (int) Math.floor(fraction * days());
  }

  /** The day a new model ("atlas-4") is released: half way through the range. */
  public LocalDate releaseDate() {
    return from.plusDays(Math.max(1, days() / 2));
  }
}
