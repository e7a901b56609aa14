package io.distillwatch.features.campaigns;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;

import static io.distillwatch.features.linkage.AccountLinks.exactSum;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log1p;
import static org.apache.spark.sql.functions.sum;

/**
 * One row per account active in a window, from {@code gold.account_daily}: volume, active days
 * and request-weighted shares. What the behaviour neighbours and the cluster features read.
 */
public final class AccountActivity {
  private AccountActivity() {}

  /** The four capability areas distillation campaigns concentrate on (DESIGN.md). */
  public static final List<String> DISTILL_CAPABILITIES = List.of("agentic_coding", "tool_use", "reasoning", "rubric_grading");

  static final List<String> WEIGHTED = List.of("cot_share", "top_template_share", "temperature_zero_share",
      "high_max_tokens_share", "logprobs_share", "new_model_share", "non_latin_share", "error_rate", "tools_share",
      "multi_sample_share", "cap_agentic_coding_share", "cap_tool_use_share", "cap_reasoning_share",
      "cap_rubric_grading_share", "cap_translation_share", "cap_general_chat_share", "cap_other_share");
  static final List<String> MEANS = List.of("hour_entropy", "interarrival_cv", "template_entropy", "capability_entropy");

  /** Features of the behaviour near-neighbour search (columns of {@link #window}). */
  public static final List<String> BEHAVIOUR_FEATURES = List.of("log_requests_per_day", "active_days", "cot_share",
      "top_template_share", "temperature_zero_share", "high_max_tokens_share", "logprobs_share", "error_rate",
      "non_latin_share", "tools_share", "cap_agentic_coding_share", "cap_tool_use_share", "cap_reasoning_share",
      "cap_rubric_grading_share", "hour_entropy", "interarrival_cv", "template_entropy");

  /** @param daily rows of gold.account_daily for the window's dates */
  public static Dataset<Row> window(Dataset<Row> daily) {
    List<Column> aggs = new ArrayList<>();
    aggs.add(count(lit(1)).as("active_days"));
    for (String c : WEIGHTED) {
      aggs.add(exactSum(coalesce(col(c), lit(0.0)).multiply(col("requests"))).divide(sum("requests")).as(c));
    }
    for (String c : MEANS) {
      aggs.add(exactSum(col(c)).divide(count(col(c))).as(c)); // an order-independent mean
    }
    return daily.groupBy("account_id").agg(sum("requests").as("requests"), aggs.toArray(Column[]::new))
        .withColumn("log_requests_per_day", log1p(col("requests").divide(col("active_days"))));
  }
}
