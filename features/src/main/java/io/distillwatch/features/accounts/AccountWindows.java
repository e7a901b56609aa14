package io.distillwatch.features.accounts;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
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
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.stddev_pop;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * {@code gold.account_windows}: rolling 7-, 30- and 90-day features of each account, and the
 * account's day against its own trailing baseline, computed from {@code gold.account_daily}
 * alone, so a night reads at most 90 small daily partitions however long the history is.
 *
 * <p>Rolling columns are {@code w<N>_<feature>}: sums for counts, request-weighted means for
 * shares. Baseline columns are {@code z_<feature>}: (today - mean) / spread over the
 * {@link #BASELINE_DAYS} days before the date. Volume features count a quiet day as zero;
 * behaviour features (shares, entropies, timing) average the active days only. The spread has
 * a floor, so a perfectly steady account does not turn a tiny wobble into a huge z. A z-score
 * needs {@link #MIN_BASELINE_DAYS} active days of baseline, else it is null: a heavy
 * legitimate user is compared with itself, not with the population.
 */
public final class AccountWindows {
  private AccountWindows() {}

  public static final int[] WINDOWS = {7, 30, 90};
  public static final int BASELINE_DAYS = 30;
  public static final int MIN_BASELINE_DAYS = 3;
  /** Rows are written for the accounts active in this many days up to the date. */
  public static final int ACTIVE_WITHIN_DAYS = 30;

  static final List<String> SUMS = List.of("requests", "tokens_in", "tokens_out");
  static final List<String> SHARES = List.of("cot_share", "top_template_share", "template_entropy",
      "capability_entropy", "temperature_zero_share", "high_max_tokens_share", "logprobs_share",
      "new_model_share", "non_latin_share", "hour_entropy", "interarrival_cv", "error_rate");
  static final List<String> VOLUME_Z = List.of("requests", "tokens_out", "distinct_templates");
  static final List<String> BEHAVIOUR_Z = List.of("cot_share", "top_template_share", "template_entropy",
      "capability_entropy", "hour_entropy", "interarrival_cv", "temperature_zero_share");

  public static final StructType SCHEMA = schema();

  private static StructType schema() {
    StructType s = new StructType()
        .add("date", DataTypes.DateType, false)
        .add("account_id", DataTypes.StringType, false);
    for (int w : WINDOWS) {
      s = s.add("w" + w + "_active_days", DataTypes.LongType);
      for (String f : SUMS) {
        s = s.add("w" + w + "_" + f, DataTypes.LongType);
      }
      s = s.add("w" + w + "_max_distinct_templates", DataTypes.LongType);
      for (String f : SHARES) {
        s = s.add("w" + w + "_" + f, DataTypes.DoubleType);
      }
    }
    s = s.add("baseline_active_days", DataTypes.LongType);
    for (String f : VOLUME_Z) {
      s = s.add("z_" + f, DataTypes.DoubleType);
    }
    for (String f : BEHAVIOUR_Z) {
      s = s.add("z_" + f, DataTypes.DoubleType);
    }
    return s;
  }

  /**
   * @param daily rows of {@code gold.account_daily} for (at least) the 90 days ending at {@code date}
   */
  public static Dataset<Row> compute(LocalDate date, Dataset<Row> daily) {
    Column day = col("date");
    Column inWindow90 = day.gt(lit(Date.valueOf(date.minusDays(90)))).and(day.leq(lit(Date.valueOf(date))));
    // age: days before the date (0 is the date itself)
    Dataset<Row> d = daily.where(inWindow90).withColumn("age", datediff(lit(Date.valueOf(date)), day));

    List<Column> aggs = new ArrayList<>();
    for (int w : WINDOWS) {
      Column in = col("age").lt(w);
      aggs.add(count(when(in, 1)).cast("long").as("w" + w + "_active_days"));
      for (String f : SUMS) {
        aggs.add(coalesce(sum(when(in, col(f))), lit(0L)).cast("long").as("w" + w + "_" + f));
      }
      aggs.add(max(when(in, col("distinct_templates"))).cast("long").as("w" + w + "_max_distinct_templates"));
      for (String f : SHARES) {
        Column weight = when(in.and(col(f).isNotNull()), col("requests"));
        aggs.add(sum(weight.multiply(col(f))).divide(sum(weight)).as("w" + w + "_" + f));
      }
    }
    Column base = col("age").between(1, BASELINE_DAYS);
    aggs.add(count(when(base, 1)).cast("long").as("baseline_active_days"));
    aggs.add(count(when(col("age").lt(ACTIVE_WITHIN_DAYS), 1)).as("recent_days"));
    for (String f : VOLUME_Z) {
      Column x = when(base, col(f).cast("double"));
      // quiet days count as zero: moments over the calendar days of the baseline
      Column mean = coalesce(sum(x), lit(0.0)).divide(BASELINE_DAYS);
      Column meanSq = coalesce(sum(pow(x, 2)), lit(0.0)).divide(BASELINE_DAYS);
      aggs.add(mean.as(f + "_mean"));
      aggs.add(sqrt(greatest(meanSq.minus(pow(mean, 2)), lit(0.0))).as(f + "_sd"));
      aggs.add(coalesce(max(when(col("age").equalTo(0), col(f).cast("double"))), lit(0.0)).as(f + "_today"));
    }
    for (String f : BEHAVIOUR_Z) {
      Column x = when(base, col(f));
      aggs.add(avg(x).as(f + "_mean"));
      aggs.add(stddev_pop(x).as(f + "_sd"));
      aggs.add(max(when(col("age").equalTo(0), col(f))).as(f + "_today"));
    }
    Dataset<Row> a = d.groupBy("account_id").agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(Column[]::new))
        .where(col("recent_days").gt(0))
        .withColumn("date", lit(Date.valueOf(date)));
    List<String> zFeatures = new ArrayList<>(VOLUME_Z);
    zFeatures.addAll(BEHAVIOUR_Z);
    for (String f : zFeatures) {
      Column mean = col(f + "_mean");
      // floor on the spread: 10% of the mean's size, and an absolute 0.05 (shares and entropies live near 0..1)
      Column spread = greatest(col(f + "_sd"), mean.multiply(0.1).cast("double"), mean.multiply(-0.1), lit(0.05));
      a = a.withColumn("z_" + f, when(col("baseline_active_days").geq(MIN_BASELINE_DAYS),
          col(f + "_today").minus(mean).divide(spread)));
    }
    return a.select(java.util.Arrays.stream(SCHEMA.fieldNames()).map(f -> col(f)).toArray(Column[]::new));
  }
}
