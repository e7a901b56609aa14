package io.distillwatch.jobs.link;

import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/** The night's clusters as a short table for the terminal (no account ids, no prompt text). */
public final class CampaignSummary {
  private CampaignSummary() {}

  public static List<String> top(Lake lake, CampaignTables t, LocalDate date, int limit) {
    List<Row> rows = lake.read(t.campaigns()).where(col("date").equalTo(lit(Date.valueOf(date))))
        .orderBy(col("score").desc(), col("campaign_id"))
        .select(col("campaign_id"), col("flagged"), col("score"), coalesce(col("evidence_score"), lit(Double.NaN)),
            col("anomaly"), col("cluster_size"), col("requests"), col("first_seen"), col("first_flagged"), col("rules_met"))
        .limit(limit).collectAsList();
    List<String> out = new ArrayList<>();
    out.add(String.format("%-24s %-7s %5s %5s %5s %7s %9s %-10s %-10s %s", "campaign", "flagged", "score", "evid",
        "anom", "accts", "requests", "first_seen", "flagged_on", "rules met"));
    for (Row r : rows) {
      out.add(String.format("%-24s %-7s %5.2f %5.2f %5.2f %,7d %,9d %-10s %-10s %s", r.getString(0), r.getBoolean(1) ? "yes" : "no",
          r.getDouble(2), r.getDouble(3), r.getDouble(4), r.getLong(5), r.getLong(6), r.getDate(7),
          r.isNullAt(8) ? "-" : r.getDate(8).toString(), r.getString(9)));
    }
    return out;
  }
}
