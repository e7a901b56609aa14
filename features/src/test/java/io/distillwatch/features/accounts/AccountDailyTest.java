package io.distillwatch.features.accounts;

import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Account-day features on requests whose values are worked out by hand, nulls and ties included. */
class AccountDailyTest {
  static final LocalDate DAY = LocalDate.parse("2026-10-08");

  static final StructType REQUESTS = new StructType()
      .add("event_id", DataTypes.StringType).add("account_id", DataTypes.StringType)
      .add("ts", DataTypes.TimestampType).add("template_id", DataTypes.StringType)
      .add("capability", DataTypes.StringType).add("cot", DataTypes.BooleanType)
      .add("prompt_tokens", DataTypes.IntegerType).add("completion_tokens", DataTypes.IntegerType)
      .add("max_tokens", DataTypes.IntegerType).add("n", DataTypes.IntegerType)
      .add("logprobs", DataTypes.BooleanType).add("temperature", DataTypes.DoubleType)
      .add("status", DataTypes.IntegerType).add("model", DataTypes.StringType)
      .add("ip", DataTypes.StringType).add("asn", DataTypes.IntegerType)
      .add("user_agent", DataTypes.StringType).add("country", DataTypes.StringType)
      .add("script", DataTypes.StringType).add("tools", DataTypes.IntegerType).add("turns", DataTypes.IntegerType);

  static final StructType NEW_MODELS = new StructType().add("model", DataTypes.StringType);

  private static int events;

  static Row request(String account, int secondOfDay, String template, String capability, Boolean cot,
      Integer promptTokens, Integer completionTokens, Integer maxTokens, Integer n, Boolean logprobs,
      Double temperature, Integer status, String model, String ip, String script, Integer tools, Integer turns) {
    Timestamp ts = Timestamp.from(Instant.parse(DAY + "T00:00:00Z").plusSeconds(secondOfDay));
    return RowFactory.create("e" + (events++), account, ts, template, capability, cot, promptTokens,
        completionTokens, maxTokens, n, logprobs, temperature, status, model, ip, 64500, "ua-1", "DE", script, tools, turns);
  }

  static Map<String, Row> compute(List<Row> requests, List<String> newModels) {
    var spark = SharedSpark.get();
    Dataset<Row> in = spark.createDataFrame(requests, REQUESTS);
    Dataset<Row> models = spark.createDataFrame(newModels.stream().map(m -> (Row) RowFactory.create(m)).toList(), NEW_MODELS);
    Dataset<Row> out = AccountDaily.compute(DAY, in, models);
    assertThat(out.schema()).isEqualTo(AccountDaily.SCHEMA);
    Map<String, Row> byAccount = new HashMap<>();
    for (Row r : out.collectAsList()) {
      assertThat(byAccount.put(r.getAs("account_id"), r)).as("one row per account").isNull();
    }
    return byAccount;
  }

  @Test
  void featuresOfAHandWorkedAccount() {
    List<Row> rows = new ArrayList<>();
    // hours 0, 0, 0, 1; gaps 10, 0, 3590 between sorted times (two requests at the same second)
    rows.add(request("a", 10, "A", "reasoning", true, 100, 300, 8192, 1, true, 0.0, 200, "m-new", "10.0.0.1", "latin", 2, 3));
    rows.add(request("a", 0, "A", "reasoning", true, 100, 100, 100, 3, false, 0.7, 200, "m-old", "10.0.0.2", "cyrillic", 0, 1));
    rows.add(request("a", 3600, "B", "general_chat", false, null, null, null, null, null, null, 500, "m-old", "2001:db8:1::5", "latin", null, null));
    rows.add(request("a", 10, "C", null, null, 200, 200, 4096, 1, true, 0.0, 429, "m-old", null, null, 1, 5));
    // a single request: no gaps, so no timing regularity
    rows.add(request("b", 7200, "A", "translation", false, 5, 50, 10, 1, false, 1.0, 200, "m-old", "not-an-ip", "latin", 0, 1));

    Map<String, Row> out = compute(rows, List.of("m-new"));
    assertThat(out).containsOnlyKeys("a", "b");

    Row a = out.get("a");
    assertThat((long) a.getAs("requests")).isEqualTo(4);
    assertThat((long) a.getAs("tokens_in")).isEqualTo(400);
    assertThat((long) a.getAs("tokens_out")).isEqualTo(600);
    assertThat((double) a.getAs("out_in_ratio")).isEqualTo(1.5);
    assertThat((long) a.getAs("distinct_templates")).isEqualTo(3);
    assertThat((double) a.getAs("top_template_share")).isEqualTo(0.5);
    assertThat((double) a.getAs("template_entropy")).isCloseTo(1.5, within(1e-12)); // 1/2, 1/4, 1/4
    assertThat((double) a.getAs("cap_reasoning_share")).isEqualTo(0.5);
    assertThat((double) a.getAs("cap_general_chat_share")).isEqualTo(0.25);
    assertThat((double) a.getAs("capability_entropy")).isCloseTo(1.0, within(1e-12)); // 1/2, 1/4 and the untagged 1/4 counts as none
    assertThat((double) a.getAs("cot_share")).isEqualTo(0.5);
    assertThat((long) a.getAs("active_hours")).isEqualTo(2);
    assertThat((double) a.getAs("hour_entropy")).isCloseTo(-(0.75 * log2(0.75) + 0.25 * log2(0.25)), within(1e-12));
    double mean = 3600.0 / 3;
    double sd = Math.sqrt((sq(10 - mean) + sq(0 - mean) + sq(3590 - mean)) / 3);
    assertThat((double) a.getAs("interarrival_cv")).isCloseTo(sd / mean, within(1e-12));
    assertThat((double) a.getAs("burstiness")).isCloseTo((sd - mean) / (sd + mean), within(1e-12));
    assertThat((double) a.getAs("high_max_tokens_share")).isEqualTo(0.5); // 8192 and 4096
    assertThat((double) a.getAs("multi_sample_share")).isEqualTo(0.25);
    assertThat((double) a.getAs("logprobs_share")).isEqualTo(0.5);
    assertThat((double) a.getAs("temperature_zero_share")).isEqualTo(0.5);
    assertThat((double) a.getAs("error_rate")).isEqualTo(0.5); // 500 and 429
    assertThat((long) a.getAs("distinct_models")).isEqualTo(2);
    assertThat((double) a.getAs("new_model_share")).isEqualTo(0.25);
    assertThat((long) a.getAs("distinct_ips")).isEqualTo(3); // a missing address is not one
    assertThat((long) a.getAs("distinct_ip_prefixes")).isEqualTo(2); // 10.0.0 and 2001:db8:1
    assertThat((long) a.getAs("distinct_asns")).isEqualTo(1);
    assertThat((long) a.getAs("distinct_scripts")).isEqualTo(2);
    assertThat((double) a.getAs("non_latin_share")).isEqualTo(0.25); // cyrillic; the missing script is not counted
    assertThat((double) a.getAs("tools_share")).isEqualTo(0.5);
    assertThat((double) a.getAs("tools_mean")).isEqualTo(0.75); // missing counts as 0
    assertThat((double) a.getAs("turns_mean")).isEqualTo(2.5); // missing counts as 1
    assertThat((long) a.getAs("turns_max")).isEqualTo(5);

    Row b = out.get("b");
    assertThat((long) b.getAs("requests")).isEqualTo(1);
    assertThat((Object) b.getAs("interarrival_cv")).isNull();
    assertThat((Object) b.getAs("burstiness")).isNull();
    assertThat((double) b.getAs("hour_entropy")).isEqualTo(0.0);
    assertThat((long) b.getAs("distinct_ip_prefixes")).isEqualTo(1); // an unparseable address has the empty prefix
    assertThat((double) b.getAs("out_in_ratio")).isEqualTo(10.0);
  }

  @Test
  void everyAccountIsOneRowWhateverThePartitioning() {
    List<Row> rows = new ArrayList<>();
    Map<String, Integer> expected = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      String account = "acct-" + i;
      int k = 1 + i % 7;
      expected.put(account, k);
      for (int j = 0; j < k; j++) {
        rows.add(request(account, (i * 37 + j * 600) % 86400, "T" + (j % 3), "general_chat", false, 1, 1, 1, 1, false,
            1.0, 200, "m", "10.0." + (i % 5) + "." + j, "latin", 0, 1));
      }
    }
    java.util.Collections.shuffle(rows, new java.util.Random(5));
    Map<String, Row> out = compute(rows, List.of());
    assertThat(out).hasSize(300);
    expected.forEach((account, k) -> {
      Row r = out.get(account);
      assertThat((long) r.getAs("requests")).as(account).isEqualTo((long) k);
      assertThat((long) r.getAs("distinct_templates")).as(account).isEqualTo((long) Math.min(k, 3));
      assertThat((long) r.getAs("distinct_ips")).as(account).isEqualTo((long) k);
      assertThat((long) r.getAs("distinct_ip_prefixes")).as(account).isEqualTo(1);
    });
  }

  private static double sq(double x) {
    return x * x;
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
