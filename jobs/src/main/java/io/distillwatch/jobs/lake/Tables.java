package io.distillwatch.jobs.lake;

import io.distillwatch.features.validate.AccountValidator;
import io.distillwatch.features.validate.EventSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/** The catalog: every table of the lake, in one place. docs/operations.md lists them too. */
public final class Tables {
  private Tables() {}

  public static final TableSpec BRONZE_EVENTS = new TableSpec("bronze.events",
      merge(EventSchema.EVENT, EventSchema.PROVENANCE),
      List.of("event_date"), List.of("event_id"),
      "validated request-log events, one row per event_id, partitioned by the UTC date of ts");

  public static final TableSpec BRONZE_ACCOUNTS = new TableSpec("bronze.accounts",
      AccountValidator.SCHEMA.add("snapshot_date", DataTypes.DateType, false),
      List.of(), List.of("account_id"),
      "latest registry snapshot of each account");

  public static final TableSpec BRONZE_ACCOUNTS_HISTORY = new TableSpec("bronze.accounts_history",
      AccountValidator.SCHEMA.add("snapshot_date", DataTypes.DateType, false),
      List.of("snapshot_date"), List.of("snapshot_date", "account_id"),
      "every registry snapshot as delivered, by snapshot date");

  private static final StructType QUARANTINE = new StructType()
      .add("landing_date", DataTypes.DateType, false)
      .add("source_file", DataTypes.StringType, false)
      .add("line_number", DataTypes.LongType, false)
      .add("raw_line", DataTypes.StringType)
      .add("reason", DataTypes.StringType, false)
      .add("record_id", DataTypes.StringType);

  public static final TableSpec QUARANTINE_EVENTS = new TableSpec("quarantine.events", QUARANTINE,
      List.of("landing_date"), List.of("landing_date", "source_file", "line_number"),
      "request-log lines that failed validation, with the raw line, the reason and the source file");

  public static final TableSpec QUARANTINE_ACCOUNTS = new TableSpec("quarantine.accounts", QUARANTINE,
      List.of("landing_date"), List.of("landing_date", "source_file", "line_number"),
      "account-registry lines that failed validation");

  public static final TableSpec OPS_RUNS = new TableSpec("ops.runs", new StructType()
      .add("command", DataTypes.StringType, false)
      .add("date", DataTypes.DateType, false)
      .add("metrics", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), false)
      .add("finished_at", DataTypes.TimestampType, false),
      List.of(), List.of("command", "date"),
      "the last run of each command and date, with its counts (the audit trail of the nights)");

  public static final List<TableSpec> ALL = List.of(
      BRONZE_EVENTS, BRONZE_ACCOUNTS, BRONZE_ACCOUNTS_HISTORY, QUARANTINE_EVENTS, QUARANTINE_ACCOUNTS, OPS_RUNS);

  static StructType merge(StructType a, StructType b) {
    StructType s = a;
    for (var f : b.fields()) {
      s = s.add(f);
    }
    return s;
  }
}
