package io.distillwatch.jobs.campaigns;

import io.distillwatch.features.campaigns.AccountActivity;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * What linkage and campaign scoring read for the window of {@code days} days ending at a date:
 * stored features and templates, the registry, and request metadata (no prompt text). Nothing
 * here re-ingests or re-derives templates, which is what lets {@code discover} replay months.
 */
final class WindowInputs {
  final LocalDate date;
  final int days;
  private final Lake lake;

  WindowInputs(Lake lake, LocalDate date, int days) {
    this.lake = lake;
    this.date = date;
    this.days = days;
  }

  private Date from() {
    return Date.valueOf(date.minusDays(days - 1L));
  }

  private Date to() {
    return Date.valueOf(date);
  }

  /** gold.account_daily rows of the window. */
  Dataset<Row> daily() {
    return lake.read(Tables.GOLD_ACCOUNT_DAILY).where(col("date").between(lit(from()), lit(to())));
  }

  /** One row per account active in the window ({@link AccountActivity#window}), with its organisation. */
  Dataset<Row> activity() {
    return AccountActivity.window(daily()).join(registry().select("account_id", "org_id"), new String[] {"account_id"}, "left");
  }

  /** The registry rows of the accounts active in the window. */
  Dataset<Row> registry() {
    Dataset<Row> active = daily().select("account_id").distinct();
    return lake.read(Tables.BRONZE_ACCOUNTS).join(active, "account_id")
        .select("account_id", "org_id", "created_at", "email_domain", "payment_fingerprint", "signup_ip", "program", "verified");
  }

  /** Request metadata of the window: account_id, org_id, ts, ip, asn, user_agent. */
  Dataset<Row> events() {
    return lake.read(Tables.BRONZE_EVENTS).where(col("event_date").between(lit(from()), lit(to())))
        .select("account_id", "ts", "ip", "asn", "user_agent")
        .join(lake.read(Tables.BRONZE_ACCOUNTS).select("account_id", "org_id"), new String[] {"account_id"}, "left");
  }

  /** The template of every request of the window: account_id, org_id, ts, template_id. */
  Dataset<Row> requests() {
    return lake.read(Tables.SILVER_REQUEST_TEMPLATES).where(col("event_date").between(lit(from()), lit(to())))
        .select("account_id", "ts", "template_id")
        .join(lake.read(Tables.BRONZE_ACCOUNTS).select("account_id", "org_id"), new String[] {"account_id"}, "left");
  }
}
