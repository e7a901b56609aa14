package io.distillwatch.jobs.export;

import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.CsvFile;
import io.distillwatch.jobs.lake.Lake;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

/**
 * {@code export campaigns}: the CSV of DESIGN.md for enforcement tools, one row per (flagged
 * campaign, account) of the night: {@code campaign_id,account_id,score,first_seen,last_seen,size},
 * where first and last seen are the first and last nights the account was a member of the
 * campaign (up to the date). Written by {@link CsvFile} (temporary file, then renamed). Rows are
 * sorted by score, campaign and account.
 */
public final class ExportCampaigns {
  public static final String HEADER = "campaign_id,account_id,score,first_seen,last_seen,size";

  private ExportCampaigns() {}

  /** The rows, without I/O: campaign_id, account_id, score, first_seen, last_seen, size. */
  public static Dataset<Row> rows(Lake lake, CampaignTables t, LocalDate date) {
    Date day = Date.valueOf(date);
    Dataset<Row> tonight = lake.read(t.members()).where(col("date").equalTo(lit(day)).and(col("flagged")))
        .select("campaign_id", "account_id", "score");
    Dataset<Row> history = lake.read(t.members()).where(col("date").leq(lit(day)))
        .groupBy("campaign_id", "account_id").agg(min("date").as("first_seen"), max("date").as("last_seen"));
    Dataset<Row> sizes = lake.read(t.campaigns()).where(col("date").equalTo(lit(day))).select(col("campaign_id"),
        col("cluster_size").as("size"));
    return tonight.join(history, new String[] {"campaign_id", "account_id"}).join(sizes, "campaign_id")
        .select("campaign_id", "account_id", "score", "first_seen", "last_seen", "size")
        .orderBy(col("score").desc(), col("campaign_id"), col("account_id"));
  }

  /** Writes the CSV; returns the number of data rows. */
  public static long write(Lake lake, CampaignTables t, LocalDate date, String out) throws IOException {
    return CsvFile.write(rows(lake, t, date), out, HEADER, r -> CsvFile.quote(r.getString(0)) + ","
        + CsvFile.quote(r.getString(1)) + "," + String.format(Locale.ROOT, "%.4f", r.getDouble(2)) + "," + r.getDate(3)
        + "," + r.getDate(4) + "," + r.getLong(5));
  }
}
