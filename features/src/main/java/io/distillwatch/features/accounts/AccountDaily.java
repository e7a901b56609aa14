package io.distillwatch.features.accounts;

import io.distillwatch.features.templates.PromptRules;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.hour;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log2;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.stddev_pop;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

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
    Dataset<Row> r = requests
        .join(newModels.select(col("model"), lit(true).as("new_model")), new String[] {"model"}, "left")
        .withColumn("hour", hour(col("ts")))
        .withColumn("gap", col("ts").cast("double").minus(
            lag(col("ts").cast("double"), 1).over(Window.partitionBy("account_id").orderBy("ts", "event_id"))));

    List<Column> aggs = new ArrayList<>();
    aggs.add(count(lit(1)).as("requests"));
    aggs.add(coalesce(sum("prompt_tokens"), lit(0L)).as("tokens_in"));
    aggs.add(coalesce(sum("completion_tokens"), lit(0L)).as("tokens_out"));
    for (String c : CAPABILITIES) {
      aggs.add(share(col("capability").equalTo(c)).as("cap_" + c + "_share"));
    }
    aggs.add(share(col("cot")).as("cot_share"));
    aggs.add(avg("gap").as("gap_mean"));
    aggs.add(stddev_pop("gap").as("gap_sd"));
    aggs.add(share(col("max_tokens").geq(HIGH_MAX_TOKENS)).as("high_max_tokens_share"));
    aggs.add(share(col("n").gt(1)).as("multi_sample_share"));
    aggs.add(share(col("logprobs")).as("logprobs_share"));
    aggs.add(share(col("temperature").equalTo(0)).as("temperature_zero_share"));
    aggs.add(share(col("status").geq(400)).as("error_rate"));
    aggs.add(distinctCount(col("model")).as("distinct_models"));
    aggs.add(share(col("new_model")).as("new_model_share"));
    aggs.add(distinctCount(col("ip")).as("distinct_ips"));
    aggs.add(distinctCount(ipPrefix(col("ip"))).as("distinct_ip_prefixes"));
    aggs.add(distinctCount(col("asn")).as("distinct_asns"));
    aggs.add(distinctCount(col("user_agent")).as("distinct_user_agents"));
    aggs.add(distinctCount(col("country")).as("distinct_countries"));
    aggs.add(distinctCount(col("script")).as("distinct_scripts"));
    aggs.add(share(col("script").isin("latin", "unknown").equalTo(false)).as("non_latin_share"));
    aggs.add(share(col("tools").gt(0)).as("tools_share"));
    aggs.add(avg(coalesce(col("tools"), lit(0))).as("tools_mean"));
    aggs.add(avg(coalesce(col("turns"), lit(1))).as("turns_mean"));
    aggs.add(max(coalesce(col("turns"), lit(1))).cast("long").as("turns_max"));
    Dataset<Row> base = r.groupBy("account_id").agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new));

    Dataset<Row> templates = distribution(r, "template_id", "template");
    Dataset<Row> hours = distribution(r, "hour", "hour");

    Column capabilityEntropy = lit(0.0);
    for (String c : CAPABILITIES) {
      Column p = col("cap_" + c + "_share");
      capabilityEntropy = capabilityEntropy.plus(when(p.gt(0), p.multiply(log2(p)).multiply(-1.0)).otherwise(0.0));
    }
    return base.join(templates, "account_id").join(hours, "account_id")
        .withColumn("date", lit(Date.valueOf(date)))
        .withColumn("out_in_ratio", col("tokens_out").divide(greatest(col("tokens_in"), lit(1L))))
        .withColumn("distinct_templates", col("template_distinct"))
        .withColumn("top_template_share", col("template_top_share"))
        .withColumn("capability_entropy", capabilityEntropy)
        .withColumn("active_hours", col("hour_distinct"))
        .withColumn("hour_entropy", col("hour_entropy"))
        // regular machine timing has a low coefficient of variation; bursts have a high one
        .withColumn("interarrival_cv", when(col("requests").geq(3).and(col("gap_mean").gt(0)),
            col("gap_sd").divide(col("gap_mean"))))
        .withColumn("burstiness", when(col("requests").geq(3).and(col("gap_sd").plus(col("gap_mean")).gt(0)),
            col("gap_sd").minus(col("gap_mean")).divide(col("gap_sd").plus(col("gap_mean")))))
        .select(java.util.Arrays.stream(SCHEMA.fieldNames()).map(f -> col(f)).toArray(Column[]::new));
  }

  /** Per account: how many distinct values of {@code key}, the share of the most common one, and the entropy. */
  static Dataset<Row> distribution(Dataset<Row> requests, String key, String prefix) {
    Dataset<Row> counts = requests.groupBy(col("account_id"), col(key)).agg(count(lit(1)).as("c"));
    Column p = col("c").divide(sum("c").over(Window.partitionBy("account_id")));
    return counts.withColumn("p", p)
        .groupBy("account_id")
        .agg(count(lit(1)).as(prefix + "_distinct"),
            max("p").as(prefix + "_top_share"),
            sum(col("p").multiply(log2(col("p")))).multiply(-1.0).as(prefix + "_entropy"));
  }

  /**
   * Distinct non-null values, exactly: the size of the set collected per account. Seven
   * {@code countDistinct}s in one aggregation make Spark expand every row eight times; sets of a
   * few values per account do not (measured with bench features, docs/benchmarks.md).
   */
  static Column distinctCount(Column c) {
    return size(collect_set(c)).cast("long");
  }

  /** Share of rows where {@code condition} holds; a null (field absent) counts as not holding. */
  static Column share(Column condition) {
    return avg(when(coalesce(condition, lit(false)), 1.0).otherwise(0.0));
  }

  /** The /24 of an IPv4 address, the /48 of an IPv6 one (the first three groups as written). */
  static Column ipPrefix(Column ip) {
    return when(ip.contains(":"), regexp_extract(ip, "^([0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F]*)", 1))
        .otherwise(regexp_extract(ip, "^(\\d+\\.\\d+\\.\\d+)\\.", 1));
  }
}
