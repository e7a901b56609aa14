package io.distillwatch.attribution.study;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * How many prompts does each method need? For each sample size, random subsets of the study's
 * prompts are tested for every suspect; with the suspects known to be derived from the provider
 * (evaluation truth, never used by a verdict), each method's AUC (derived against the other
 * suspects, by its statistic) and the median p-value of the derived suspects are reported.
 */
public final class SampleEfficiency {
  private SampleEfficiency() {}

  public static final String COMBINED = "combined";

  /**
   * One method at one sample size. {@code othersAttributedBy}: for each non-derived suspect the method
   * attributed at least once, in how many of the subsets (so a false attribution names its suspect).
   */
  public record Point(String method, String needs, int prompts, int subsets, double auc, double medianDerivedP,
                      double shareDerivedAttributed, double shareOthersAttributed,
                      Map<String, Integer> othersAttributedBy) {}

  public static List<Point> run(AttributionStudy.Prepared prepared, Set<String> derived, int[] sizes, int subsets,
                                long seed, Consumer<String> progress) {
    StudySpec spec = prepared.spec();
    for (String d : derived) {
      if (!spec.suspects().contains(d)) {
        throw new StudyException("derived model " + d + " is not a suspect of study " + spec.name());
      }
    }
    if (derived.isEmpty() || derived.size() == spec.suspects().size()) {
      throw new StudyException("an AUC needs derived and non-derived suspects; got " + derived.size() + " of "
          + spec.suspects().size() + " derived");
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Point> points = new ArrayList<>();
    for (int size : sizes) {
      int n = Math.min(size, prepared.prompts());
      int reps = n == prepared.prompts() ? 1 : subsets; // every subset of all prompts is the same one
      Map<String, List<Tested>> byMethod = new LinkedHashMap<>();
      Map<String, String> needs = new LinkedHashMap<>();
      for (int rep = 0; rep < reps; rep++) {
        int[] rows = sample(prepared.prompts(), n, rnd);
        for (String suspect : spec.suspects()) {
          AttributionStudy.SuspectResult r = prepared.test(suspect, rows, rows, rnd.nextLong());
          boolean isDerived = derived.contains(suspect);
          byMethod.computeIfAbsent(COMBINED, k -> new ArrayList<>())
              .add(new Tested(suspect, isDerived, r.score(), r.pValue(), r.attributed()));
          needs.put(COMBINED, "all of the non-baseline methods");
          for (AttributionStudy.Evidence e : r.evidence()) {
            boolean attributed = e.pValue() < spec.alpha() && e.statistic() > 0;
            byMethod.computeIfAbsent(e.method(), k -> new ArrayList<>())
                .add(new Tested(suspect, isDerived, e.statistic(), e.pValue(), attributed));
            needs.put(e.method(), e.needs() + (e.baseline() ? " (baseline)" : ""));
          }
        }
      }
      for (Map.Entry<String, List<Tested>> m : byMethod.entrySet()) {
        points.add(point(m.getKey(), needs.get(m.getKey()), n, reps, m.getValue()));
      }
      progress.accept(String.format("sample efficiency: %d prompts, %d subsets x %d suspects tested", n, reps,
          spec.suspects().size()));
    }
    return points;
  }

  /** One suspect tested by one method on one subset. */
  record Tested(String suspect, boolean derived, double statistic, double p, boolean attributed) {}

  static Point point(String method, String needs, int n, int reps, List<Tested> tests) {
    List<Double> pos = new ArrayList<>();
    List<Double> neg = new ArrayList<>();
    List<Double> derivedP = new ArrayList<>();
    double derivedAttributed = 0;
    double othersAttributed = 0;
    Map<String, Integer> othersBy = new java.util.TreeMap<>();
    for (Tested t : tests) {
      if (t.derived()) {
        pos.add(t.statistic());
        derivedP.add(t.p());
        derivedAttributed += t.attributed() ? 1 : 0;
      } else {
        neg.add(t.statistic());
        if (t.attributed()) {
          othersAttributed++;
          othersBy.merge(t.suspect(), 1, Integer::sum);
        }
      }
    }
    return new Point(method, needs, n, reps, auc(pos, neg), median(derivedP), derivedAttributed / pos.size(),
        othersAttributed / neg.size(), java.util.Collections.unmodifiableMap(othersBy));
  }

  /** Mann-Whitney AUC: P(a derived suspect's statistic exceeds a non-derived one's), ties counting half. */
  static double auc(List<Double> pos, List<Double> neg) {
    double wins = 0;
    for (double p : pos) {
      for (double q : neg) {
        wins += p > q ? 1 : p == q ? 0.5 : 0;
      }
    }
    return wins / ((double) pos.size() * neg.size());
  }

  static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  /** n distinct prompt indices out of {@code total}, in increasing order (partial Fisher-Yates). */
  static int[] sample(int total, int n, SplittableRandom rnd) {
    int[] all = java.util.stream.IntStream.range(0, total).toArray();
    for (int i = 0; i < n; i++) {
      int j = i + rnd.nextInt(total - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    int[] rows = Arrays.copyOf(all, n);
    Arrays.sort(rows);
    return rows;
  }
}
