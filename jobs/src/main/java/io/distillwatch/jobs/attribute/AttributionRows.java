package io.distillwatch.jobs.attribute;

import io.distillwatch.attribution.study.AttributionStudy;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A study's results as rows of {@code gold.attribution} (schema in Tables): per length mode and
 * suspect, one row for the combined verdict (method {@code combined}) and one per method.
 */
public final class AttributionRows {
  public static final String COMBINED = "combined";

  private AttributionRows() {}

  public static List<Row> of(List<AttributionStudy.Result> results, Instant runAt) {
    Timestamp at = Timestamp.from(runAt);
    List<Row> rows = new ArrayList<>();
    for (AttributionStudy.Result r : results) {
      String mode = lengthMode(r);
      for (AttributionStudy.SuspectResult s : r.suspects()) {
        String[] refs = s.references().toArray(String[]::new);
        rows.add(RowFactory.create(r.study(), mode, r.provider(), s.suspect(), COMBINED, false, s.score(), s.ciLow(),
            s.ciHigh(), s.pValue(), s.pHolm(), s.attributed(), s.nearest(), refs, r.alpha(), r.prompts(),
            r.permutations(), r.seed(), at));
        for (AttributionStudy.Evidence e : s.evidence()) {
          rows.add(RowFactory.create(r.study(), mode, r.provider(), s.suspect(), e.method(), e.baseline(),
              e.statistic(), e.ciLow(), e.ciHigh(), e.pValue(), null, null, e.nearest(), refs, r.alpha(),
              r.prompts(), r.permutations(), r.seed(), at));
        }
      }
    }
    return rows;
  }

  public static String lengthMode(AttributionStudy.Result r) {
    return r.length();
  }
}
