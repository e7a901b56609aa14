package io.distillwatch.jobs.lake;

import io.distillwatch.features.campaigns.AccountActivity;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.sql.Date;
import java.time.LocalDate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

/**
 * What linkage and campaign scoring read for the window of {@code days} days ending at a date:
 * stored features and templates, the registry, and request metadata (no prompt text). Nothing
 * here re-ingests or re-derives templates, which is what lets {@code discover} replay months.
 * Everything is read as it stood on the night of the date: events delivered by then (not late
 * arrivals delivered on a later night) and the registry's snapshots up to then, so a re-run or a
 * backfill of the night gives the night's result again.
 */
public final class WindowInputs {
  final LocalDate date;
  final int days;
  private final Lake lake;

  public WindowInputs(Lake lake, LocalDate date, int days) {
    this.lake = lake;
    this.date = date;
    this.days = days;
  }

  public Date from() {
    return Date.valueOf(date.minusDays(days - 1L));
  }

  public Date to() {
    return Date.valueOf(date);
  }

  /** gold.account_daily rows of the window. */
  public Dataset<Row> daily() {
    return lake.read(Tables.GOLD_ACCOUNT_DAILY).where(col("date").between(lit(from()), lit(to())));
  }

  /** One row per account active in the window ({@link AccountActivity#window}), with its organisation. */
  public Dataset<Row> activity() {
    return activity(registry());
  }

  /** The same, with the organisations of a {@link #registry()} the caller already holds (persisted, say). */
  public Dataset<Row> activity(Dataset<Row> registry) {
    return AccountActivity.window(daily()).join(registry.select("account_id", "org_id"), new String[] {"account_id"}, "left");
  }

  /** The registry rows of the accounts active in the window. */
  public Dataset<Row> registry() {
    Dataset<Row> active = daily().select("account_id").distinct();
    return registryAsOfNight().join(active, "account_id")
        .select("account_id", "org_id", "created_at", "email_domain", "payment_fingerprint", "signup_ip", "program", "verified");
  }

  /** Request metadata of the window: account_id, org_id, ts, ip, asn, user_agent. */
  public Dataset<Row> events() {
    return lake.read(Tables.BRONZE_EVENTS).where(col("event_date").between(lit(from()), lit(to()))
            .and(col("landing_date").leq(lit(to()))))
        .select("account_id", "ts", "ip", "asn", "user_agent")
        .join(registryAsOfNight().select("account_id", "org_id"), new String[] {"account_id"}, "left");
  }

  /** The template of every request of the window: account_id, org_id, ts, template_id. */
  public Dataset<Row> requests() {
    return lake.read(Tables.SILVER_REQUEST_TEMPLATES).where(col("event_date").between(lit(from()), lit(to())))
        .select("account_id", "ts", "template_id")
        .join(registryAsOfNight().select("account_id", "org_id"), new String[] {"account_id"}, "left");
  }

  /**
   * Each account's newest registry snapshot delivered by the night (bronze.accounts_history), not
   * bronze.accounts: that holds the newest snapshot of all, which a backfilled night must not see.
   */
  private Dataset<Row> registryAsOfNight() {
    return registryAsOf(lake, date);
  }

  /** Each account's newest registry snapshot delivered by the night of {@code night} (the drift stage reads it too). */
  public static Dataset<Row> registryAsOf(Lake lake, LocalDate night) {
    return lake.read(Tables.BRONZE_ACCOUNTS_HISTORY).where(col("snapshot_date").leq(lit(Date.valueOf(night))))
        .withColumn("_newest", row_number().over(Window.partitionBy("account_id").orderBy(col("snapshot_date").desc())))
        .where(col("_newest").equalTo(1)).drop("_newest");
  }
}
