package io.distillwatch.attribution.study;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The study's results as {@code attribution.json} (the contract) and as a Markdown section of the report. */
public final class StudyReport {
  private StudyReport() {}

  public static void writeJson(List<AttributionStudy.Result> results, Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), results);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  public static String markdown(List<AttributionStudy.Result> results) {
    StringBuilder md = new StringBuilder("## Attribution\n\n");
    for (AttributionStudy.Result r : results) {
      md.append(String.format(Locale.ROOT, "### Study %s: provider %s%n%n", r.study(), r.provider()));
      md.append(String.format(Locale.ROOT, "%d prompts answered by every model (%d left out); alpha %s, Holm-adjusted "
              + "across %d suspects; %s; %,d permutations, seed %d. Score: the provider's mean similarity to the "
              + "suspect minus the nearest reference's, in standard deviations of its permutation distribution, for the "
              + "strongest of %s.%n%n",
          r.prompts(), r.promptsDropped(), fmt(r.alpha()), r.suspects().size(),
          switch (r.length()) {
            case "matched" -> "answers cut to a common length per prompt";
            case AttributionStudy.BOTH_LENGTHS -> "one verdict over both length modes (Bonferroni over the two: "
                + "p = 2 min(p as given, p length-matched))";
            default -> "answers as given";
          },
          r.permutations(), r.seed(), String.join(", ", r.combinedMethods())));
      md.append("| suspect | verdict | score [95% CI] | p | p (Holm) | strongest method | its nearest model |\n"
          + "|---|---|---|---|---|---|---|\n");
      for (AttributionStudy.SuspectResult s : r.suspects()) {
        md.append(String.format(Locale.ROOT, "| %s | %s | %.2f [%.2f, %.2f] | %s | %s | %s | %s |%n", s.suspect(),
            s.attributed() ? "**attributed to " + r.provider() + "**" : "not attributed",
            s.score(), s.ciLow(), s.ciHigh(), fmt(s.pValue()), fmt(s.pHolm()), s.strongestMethod(), s.nearest()));
      }
      md.append("\nEach method on its own (statistic in the method's similarity units; p unadjusted):\n\n");
      md.append("| suspect | method | needs | statistic | p | nearest |\n|---|---|---|---|---|---|\n");
      for (AttributionStudy.SuspectResult s : r.suspects()) {
        for (AttributionStudy.Evidence e : s.evidence()) {
          md.append(String.format(Locale.ROOT, "| %s | %s%s | %s | %.4f | %s | %s |%n", s.suspect(), e.method(),
              e.baseline() ? " (baseline)" : "", e.needs(), e.statistic(), fmt(e.pValue()), e.nearest()));
        }
      }
      md.append('\n');
    }
    return md.toString();
  }

  static String fmt(double p) {
    return p >= 0.01 ? String.format(Locale.ROOT, "%.3f", p) : String.format(Locale.ROOT, "%.1e", p);
  }
}
