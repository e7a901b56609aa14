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
 */
public record SimConfig(LocalDate from, LocalDate to, long seed, double scale, int partsPerDay,
                        double lateShare, double repeatShare, int malformedPerDay,
                        Map<String, Integer> accountOverrides, double spread) {

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
  }

  public static SimConfig of(LocalDate from, LocalDate to, long seed, double scale) {
    return new SimConfig(from, to, seed, scale, 4, 0.005, 0.001, 4, Map.of(), 1.0);
  }

  public SimConfig withOverrides(Map<String, Integer> overrides) {
    return new SimConfig(from, to, seed, scale, partsPerDay, lateShare, repeatShare, malformedPerDay, overrides, spread);
  }

  public SimConfig withSpread(double factor) {
    return new SimConfig(from, to, seed, scale, partsPerDay, lateShare, repeatShare, malformedPerDay, accountOverrides, factor);
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
