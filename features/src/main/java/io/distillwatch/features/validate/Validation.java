package io.distillwatch.features.validate;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.time.LocalDate;
import java.util.Iterator;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

/**
 * Pure Dataset transformations of ingest: raw landing lines in (columns {@code source_file},
 * {@code line_number}, {@code raw_line}, {@code read_error}), validated rows out. Every input row
 * yields exactly one output row, valid ({@code reason} null) or not, which is what lets ingest
 * prove {@code accepted + quarantined = read}.
 */
public final class Validation {
  private Validation() {}

  /** The event columns, provenance, the raw line and the rejection reason (null when valid). */
  public static final StructType VALIDATED_EVENTS = withCheck(EventSchema.EVENT.merge(EventSchema.PROVENANCE, true));

  public static final StructType VALIDATED_ACCOUNTS = withCheck(AccountValidator.SCHEMA.merge(EventSchema.PROVENANCE, true));

  /** Every column nullable (an invalid line has no event_id), plus the raw line and the reason. */
  private static StructType withCheck(StructType s) {
    StructType out = new StructType();
    for (var f : s.fields()) {
      out = out.add(f.name(), f.dataType(), true);
    }
    return out.add("raw_line", DataTypes.StringType).add("reason", DataTypes.StringType);
  }

  public static Dataset<Row> events(Dataset<Row> raw, LocalDate landingDate, EventValidator.Limits limits) {
    return validated(raw, landingDate, EventSchema.EVENT.size(), VALIDATED_EVENTS,
        () -> new EventValidator(landingDate, limits)::validate);
  }

  public static Dataset<Row> accounts(Dataset<Row> raw, LocalDate snapshotDate) {
    return validated(raw, snapshotDate, AccountValidator.SCHEMA.size(), VALIDATED_ACCOUNTS,
        () -> new AccountValidator()::validate);
  }

  /** Validates one line: the values of a valid record, or the reason it is not one. */
  interface LineValidator {
    EventValidator.Result validate(String line);
  }

  /** Makes a validator on the executor, once per partition (validators hold parsers, which do not serialise). */
  interface ValidatorFactory extends java.io.Serializable {
    LineValidator create();
  }

  /**
   * One output row per raw line: the record's {@code width} values when valid (else only its id, if it
   * had one), then the landing date, source file, line number, raw line and the reason (null when valid).
   */
  private static Dataset<Row> validated(Dataset<Row> raw, LocalDate landingDate, int width, StructType schema,
                                        ValidatorFactory factory) {
    Date landing = Date.valueOf(landingDate);
    return raw.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> {
      LineValidator validator = factory.create();
      return map(rows, r -> {
        String line = r.getString(2);
        String readError = r.getString(3);
        EventValidator.Result v = readError != null ? new EventValidator.Result(null, readError, null)
            : line == null ? new EventValidator.Result(null, "empty record", null) : validator.validate(line);
        Object[] out = new Object[width + 5];
        if (v.valid()) {
          System.arraycopy(v.values(), 0, out, 0, width);
        } else {
          out[0] = v.eventId();
        }
        out[width] = landing;
        out[width + 1] = r.getString(0);
        out[width + 2] = r.getLong(1);
        out[width + 3] = line;
        out[width + 4] = v.reason();
        return RowFactory.create(out);
      });
    }, Encoders.row(schema));
  }

  /**
   * Splits a day's valid events into the rows to merge into bronze and the conflicts to
   * quarantine. Within the batch the first delivery of an event_id (by source file and line)
   * wins; a repeat with the same content is a harmless duplicate, one with other content a
   * conflict. Against {@code existing} (bronze rows that may share event_ids: columns
   * {@code event_id}, {@code content_hash}, {@code landing_date}, {@code source_file},
   * {@code line_number}) a different content is a conflict unless it is this very delivery.
   *
   * <p>Cost: one shuffle by event_id for the window, one join with the existing rows.
   */
  public static Batch plan(Dataset<Row> valid, Dataset<Row> existing) {
    WindowSpec byId = Window.partitionBy("event_id").orderBy(col("source_file"), col("line_number"));
    Dataset<Row> ranked = valid
        .withColumn("_rank", row_number().over(byId))
        .withColumn("_winner_hash", first("content_hash").over(byId))
        .withColumn("_winner_at", first(concat(col("source_file"), lit(":"), col("line_number").cast("string"))).over(byId));
    Dataset<Row> winners = ranked.where(col("_rank").equalTo(1));
    Dataset<Row> repeatConflicts = ranked
        .where(col("_rank").gt(1).and(col("content_hash").notEqual(col("_winner_hash"))))
        .withColumn("reason", concat(lit("duplicate event_id with different content than line "), col("_winner_at")));

    Dataset<Row> e = existing.select(
        col("event_id").as("_e_id"), col("content_hash").as("_e_hash"),
        col("landing_date").as("_e_landing"), col("source_file").as("_e_file"), col("line_number").as("_e_line"));
    Dataset<Row> joined = winners.join(e, col("event_id").equalTo(col("_e_id")), "left");
    // a different content already in bronze from another delivery: first ingested wins
    Dataset<Row> crossConflicts = joined
        .where(col("_e_id").isNotNull().and(col("_e_hash").notEqual(col("content_hash")))
            .and(not(sameDelivery())))
        .withColumn("reason", concat(lit("event_id already ingested with different content from landing "),
            col("_e_landing").cast("string")))
        .dropDuplicates("source_file", "line_number");
    Dataset<Row> conflictIds = crossConflicts.select(col("source_file").as("_c_file"), col("line_number").as("_c_line"));
    Dataset<Row> toMerge = winners.join(conflictIds,
            col("source_file").equalTo(col("_c_file")).and(col("line_number").equalTo(col("_c_line"))), "left_anti");

    Dataset<Row> conflicts = repeatConflicts.select(quarantineColumns())
        .unionByName(crossConflicts.select(quarantineColumns()));
    return new Batch(toMerge.drop("_rank", "_winner_hash", "_winner_at", "raw_line", "reason"), conflicts);
  }

  private static org.apache.spark.sql.Column not(org.apache.spark.sql.Column c) {
    return org.apache.spark.sql.functions.not(c);
  }

  private static org.apache.spark.sql.Column sameDelivery() {
    return col("_e_landing").equalTo(col("landing_date"))
        .and(col("_e_file").equalTo(col("source_file")))
        .and(col("_e_line").equalTo(col("line_number")));
  }

  /** Columns of a quarantine row: landing_date, source_file, line_number, raw_line, reason, record_id. */
  public static org.apache.spark.sql.Column[] quarantineColumns() {
    return new org.apache.spark.sql.Column[] {
        col("landing_date"), col("source_file"), col("line_number"), col("raw_line"),
        coalesce(col("reason"), lit("unknown")).as("reason"),
        when(col("event_id").isNotNull(), col("event_id")).as("record_id")};
  }

  /** Rows to merge into bronze (one per event_id) and conflicting deliveries to quarantine. */
  public record Batch(Dataset<Row> toMerge, Dataset<Row> conflicts) {}

  interface RowMapper extends java.io.Serializable {
    Row apply(Row r);
  }

  private static Iterator<Row> map(Iterator<Row> in, RowMapper f) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return in.hasNext();
      }

      @Override
      public Row next() {
        return f.apply(in.next());
      }
    };
  }
}
