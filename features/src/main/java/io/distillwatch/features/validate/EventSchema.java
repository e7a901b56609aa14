package io.distillwatch.features.validate;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * Column layout of a validated request-log event (DESIGN.md "Input contract"), plus the
 * provenance columns ingest adds. The order of {@link #FIELDS} is the order of the values
 * {@link EventValidator} produces.
 */
public final class EventSchema {
  private EventSchema() {}

  /** A field of the input contract: name, Spark type, whether the contract requires it. */
  public record Field(String name, DataType type, boolean required) {}

  public static final List<Field> FIELDS = List.of(
      new Field("event_id", DataTypes.StringType, true),
      new Field("ts", DataTypes.TimestampType, true),
      new Field("account_id", DataTypes.StringType, true),
      new Field("org_id", DataTypes.StringType, false),
      new Field("api_key_id", DataTypes.StringType, false),
      new Field("ip", DataTypes.StringType, false),
      new Field("asn", DataTypes.IntegerType, false),
      new Field("country", DataTypes.StringType, false),
      new Field("user_agent", DataTypes.StringType, false),
      new Field("endpoint", DataTypes.StringType, false),
      new Field("model", DataTypes.StringType, true),
      new Field("prompt", DataTypes.StringType, true),
      new Field("system_prompt", DataTypes.StringType, false),
      new Field("response", DataTypes.StringType, false),
      new Field("prompt_tokens", DataTypes.IntegerType, false),
      new Field("completion_tokens", DataTypes.IntegerType, false),
      new Field("temperature", DataTypes.DoubleType, false),
      new Field("max_tokens", DataTypes.IntegerType, false),
      new Field("n", DataTypes.IntegerType, false),
      new Field("logprobs", DataTypes.BooleanType, false),
      new Field("tools", DataTypes.IntegerType, false),
      new Field("turns", DataTypes.IntegerType, false),
      new Field("status", DataTypes.IntegerType, false));

  /** Contract fields, then the date the event happened (UTC), then a digest of the content. */
  public static final StructType EVENT = build();

  /** Columns ingest adds to say where a record came from. */
  public static final StructType PROVENANCE = new StructType()
      .add("landing_date", DataTypes.DateType, false)
      .add("source_file", DataTypes.StringType, false)
      .add("line_number", DataTypes.LongType, false);

  private static StructType build() {
    StructType s = new StructType();
    for (Field f : FIELDS) {
      s = s.add(new StructField(f.name(), f.type(), !f.required(), org.apache.spark.sql.types.Metadata.empty()));
    }
    return s.add("event_date", DataTypes.DateType, false)
        .add("content_hash", DataTypes.StringType, false);
  }
}
