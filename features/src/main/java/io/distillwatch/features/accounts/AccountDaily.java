package io.distillwatch.features.accounts;

import io.distillwatch.features.templates.PromptRules;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.hour;
import static org.apache.spark.sql.functions.lit;

/**
 * {@code gold.account_daily}: one row per account and day, the behaviour a campaign cannot
 * easily hide (template repetition, capability concentration, chain-of-thought elicitation,
 * machine-regular timing, sampling settings chosen for harvesting, infrastructure spread).
 * Pure transformation: events of one day, already tagged with their template, in; rows out.
 * Entropies are in bits; shares are over the day's requests of the account.
 */
public final class AccountDaily {
  private AccountDaily() {}

  /** A request asking for at least this many output tokens counts as a "high max_tokens" request. */
  public static final int HIGH_MAX_TOKENS = 4096;

  /** A model first seen in the traffic at most this many days before the date counts as newly released. */
  public static final int NEW_MODEL_DAYS = 2;

  /** Capabilities in a fixed order, one share column each ({@code cap_<label>_share}). */
  public static final List<String> CAPABILITIES = PromptRules.Capability.labels();

  public static final StructType SCHEMA = schema();

  private static StructType schema() {
    List<Object[]> cols = new ArrayList<>();
    cols.add(new Object[] {"date", DataTypes.DateType});
    cols.add(new Object[] {"account_id", DataTypes.StringType});
    cols.add(new Object[] {"requests", DataTypes.LongType});
    cols.add(new Object[] {"tokens_in", DataTypes.LongType});
    cols.add(new Object[] {"tokens_out", DataTypes.LongType});
    cols.add(new Object[] {"out_in_ratio", DataTypes.DoubleType});
    cols.add(new Object[] {"distinct_templates", DataTypes.LongType});
    cols.add(new Object[] {"top_template_share", DataTypes.DoubleType});
    cols.add(new Object[] {"template_entropy", DataTypes.DoubleType});
    for (String c : CAPABILITIES) {
      cols.add(new Object[] {"cap_" + c + "_share", DataTypes.DoubleType});
    }
    cols.add(new Object[] {"capability_entropy", DataTypes.DoubleType});
    cols.add(new Object[] {"cot_share", DataTypes.DoubleType});
    cols.add(new Object[] {"active_hours", DataTypes.LongType});
    cols.add(new Object[] {"hour_entropy", DataTypes.DoubleType});
    cols.add(new Object[] {"interarrival_cv", DataTypes.DoubleType});
    cols.add(new Object[] {"burstiness", DataTypes.DoubleType});
    cols.add(new Object[] {"high_max_tokens_share", DataTypes.DoubleType});
    cols.add(new Object[] {"multi_sample_share", DataTypes.DoubleType});
    cols.add(new Object[] {"logprobs_share", DataTypes.DoubleType});
    cols.add(new Object[] {"temperature_zero_share", DataTypes.DoubleType});
    cols.add(new Object[] {"error_rate", DataTypes.DoubleType});
    cols.add(new Object[] {"distinct_models", DataTypes.LongType});
    cols.add(new Object[] {"new_model_share", DataTypes.DoubleType});
    cols.add(new Object[] {"distinct_ips", DataTypes.LongType});
    cols.add(new Object[] {"distinct_ip_prefixes", DataTypes.LongType});
    cols.add(new Object[] {"distinct_asns", DataTypes.LongType});
    cols.add(new Object[] {"distinct_user_agents", DataTypes.LongType});
    cols.add(new Object[] {"distinct_countries", DataTypes.LongType});
    cols.add(new Object[] {"distinct_scripts", DataTypes.LongType});
    cols.add(new Object[] {"non_latin_share", DataTypes.DoubleType});
    cols.add(new Object[] {"tools_share", DataTypes.DoubleType});
    cols.add(new Object[] {"tools_mean", DataTypes.DoubleType});
    cols.add(new Object[] {"turns_mean", DataTypes.DoubleType});
    cols.add(new Object[] {"turns_max", DataTypes.LongType});
    StructType s = new StructType();
    for (Object[] c : cols) {
      s = s.add((String) c[0], (DataType) c[1], !(c[0].equals("date") || c[0].equals("account_id"))); // (name, type, nullable)
    }
    return s;
  }

  /**
   * @param requests one day's requests: account_id, ts, the request fields of bronze.events,
   *     and template_id, capability (label), cot (boolean), script of their template
   * @param newModels (model) of the models first seen within {@link #NEW_MODEL_DAYS} days of the date
   */
  public static Dataset<Row> compute(LocalDate date, Dataset<Row> requests, Dataset<Row> newModels) {
    Date day = Date.valueOf(date);
    // a handful of names (models first seen in the last two days): checked in the tally, not joined
    Set<String> fresh = new HashSet<>(newModels.select("model").as(Encoders.STRING()).collectAsList());
    // One shuffle: each account's requests meet in one sorted run and are tallied in one pass
    // (an aggregation with distinct sets, distributions and ordered gaps took several shuffles and
    // joins; measured with bench features, docs/benchmarks.md).
    MapPartitionsFunction<Row, Row> tallyByAccount = sorted -> new Iterator<>() {
      private Row pending = sorted.hasNext() ? sorted.next() : null;

      @Override
      public boolean hasNext() {
        return pending != null;
      }

      @Override
      public Row next() {
        AccountDayTally tally = new AccountDayTally(pending.getString(0), fresh);
        while (pending != null && pending.getString(0).equals(tally.accountId())) {
          tally.add(pending);
          pending = sorted.hasNext() ? sorted.next() : null;
        }
        return tally.toRow(day);
      }
    };
    Dataset<Row> input = tallyInput(requests);
    if (!List.of(input.columns()).equals(AccountDayTally.INPUT)) { // the tally reads fields by position
      throw new IllegalStateException("tally input " + List.of(input.columns()) + " is not " + AccountDayTally.INPUT);
    }
    return input
        .repartition(col("account_id"))
        .sortWithinPartitions("account_id")
        .mapPartitions(tallyByAccount, Encoders.row(SCHEMA));
  }

  /** The requests narrowed to what a tally reads ({@link AccountDayTally#INPUT}), flags already evaluated. */
  static Dataset<Row> tallyInput(Dataset<Row> requests) {
    return requests
        .select(
            col("account_id"),
            col("ts").cast("double").as("ts_seconds"),
            hour(col("ts")).as("hour"),
            col("template_id"),
            col("capability"),
            col("cot"),
            col("prompt_tokens").cast("long").as("prompt_tokens"),
            col("completion_tokens").cast("long").as("completion_tokens"),
            col("max_tokens").geq(HIGH_MAX_TOKENS).as("high_max_tokens"),
            col("n").gt(1).as("multi_sample"),
            col("logprobs"),
            col("temperature").equalTo(0).as("temperature_zero"),
            col("status").geq(400).as("error"),
            col("model"),
            col("ip"),
            col("asn"),
            col("user_agent"),
            col("country"),
            col("script"),
            col("script").isin("latin", "unknown").equalTo(false).as("non_latin"),
            col("tools").cast("long").as("tools"),
            col("turns").cast("long").as("turns"));
  }
}
