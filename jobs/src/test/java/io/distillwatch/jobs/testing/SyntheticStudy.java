package io.distillwatch.jobs.testing;

import io.distillwatch.attribution.study.AttributionStudy;
import io.distillwatch.jobs.attribute.AttributionRows;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An attribution study's result with made-up statistics (one suspect attributed, one not), written
 * through the real gold.attribution writer: for tests of what reads that table (report, notebooks),
 * where running a real study would cost minutes (AttributeCommandTest runs real ones).
 */
public final class SyntheticStudy {
  public static final String NAME = "synthetic-study";

  private SyntheticStudy() {}

  private static final java.util.Set<String> WRITTEN = new java.util.HashSet<>();

  /** Writes the study's rows into the lake once per test JVM (test classes run concurrently). */
  public static synchronized void write(Lake lake) {
    if (!WRITTEN.add(lake.root())) {
      return;
    }
    AttributionStudy.Result study = new AttributionStudy.Result(NAME, "provider-model", 1e-3, true, "matched", 800, 5,
        List.of("similarity", "phrases"), 999, 1, List.of(
            suspect("student-of-provider", 9.4, 0.0001, 0.0004, 0.0001, true),
            suspect("independent-model", 0.4, 0.41, 0.41, 0.41, false)));
    lake.replace(Tables.GOLD_ATTRIBUTION, lake.spark().createDataFrame(AttributionRows.of(List.of(study), Instant.now()),
        Tables.GOLD_ATTRIBUTION.schema()), "study = '" + NAME + "'");
  }

  private static AttributionStudy.SuspectResult suspect(String name, double score, double p, double holm,
                                                        double methodP, boolean attributed) {
    List<AttributionStudy.Evidence> evidence = List.of(
        new AttributionStudy.Evidence("similarity", "paired similarity", "embeddings", false, score / 100, methodP,
            score / 200, score / 50, attributed ? "provider-model" : "reference-a", Map.of()),
        new AttributionStudy.Evidence("phrases", "phrase fingerprints", "text", false, score / 300, Math.min(1, methodP * 3),
            0, score / 150, attributed ? "provider-model" : "reference-b", Map.of()),
        new AttributionStudy.Evidence("length", "output length baseline", "text", true, 0.01, 0.6, -0.02, 0.04,
            "reference-a", Map.of()));
    return new AttributionStudy.SuspectResult(name, List.of("reference-a", "reference-b"), score, p, holm, score - 2,
        score + 2, attributed, "similarity", attributed ? "provider-model" : "reference-a", evidence);
  }
}
