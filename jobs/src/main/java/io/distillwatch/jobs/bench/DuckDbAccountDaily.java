package io.distillwatch.jobs.bench;

import io.distillwatch.features.accounts.AccountDaily;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link AccountDaily#compute} written in DuckDB SQL, for {@code bench features} only: the same
 * inputs (one day's tagged requests, the new models), the same columns and definitions (shares
 * count a null as false, entropies in bits, inter-arrival gaps ordered by time then event id).
 * {@link FeaturesBench} checks that both engines give the same rows.
 */
final class DuckDbAccountDaily {
  private DuckDbAccountDaily() {}

  static String sql(LocalDate date, String requestsGlob, String newModelsGlob) {
    List<String> aggs = new ArrayList<>();
    aggs.add("count(*) AS requests");
    aggs.add("coalesce(sum(prompt_tokens), 0)::BIGINT AS tokens_in");
    aggs.add("coalesce(sum(completion_tokens), 0)::BIGINT AS tokens_out");
    for (String c : AccountDaily.CAPABILITIES) {
      aggs.add(share("capability = '" + c + "'") + " AS cap_" + c + "_share");
    }
    aggs.add(share("cot") + " AS cot_share");
    aggs.add("avg(gap) AS gap_mean");
    aggs.add("stddev_pop(gap) AS gap_sd");
    aggs.add(share("max_tokens >= " + AccountDaily.HIGH_MAX_TOKENS) + " AS high_max_tokens_share");
    aggs.add(share("n > 1") + " AS multi_sample_share");
    aggs.add(share("logprobs") + " AS logprobs_share");
    aggs.add(share("temperature = 0") + " AS temperature_zero_share");
    aggs.add(share("status >= 400") + " AS error_rate");
    aggs.add("count(DISTINCT model) AS distinct_models");
    aggs.add(share("new_model") + " AS new_model_share");
    aggs.add("count(DISTINCT ip) AS distinct_ips");
    aggs.add("count(DISTINCT CASE WHEN contains(ip, ':') "
        + "THEN regexp_extract(ip, '^([0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F]*)', 1) "
        + "ELSE regexp_extract(ip, '^(\\d+\\.\\d+\\.\\d+)\\.', 1) END) AS distinct_ip_prefixes");
    aggs.add("count(DISTINCT asn) AS distinct_asns");
    aggs.add("count(DISTINCT user_agent) AS distinct_user_agents");
    aggs.add("count(DISTINCT country) AS distinct_countries");
    aggs.add("count(DISTINCT script) AS distinct_scripts");
    aggs.add(share("NOT (script IN ('latin', 'unknown'))") + " AS non_latin_share");
    aggs.add(share("tools > 0") + " AS tools_share");
    aggs.add("avg(coalesce(tools, 0)) AS tools_mean");
    aggs.add("avg(coalesce(turns, 1)) AS turns_mean");
    aggs.add("max(coalesce(turns, 1))::BIGINT AS turns_max");

    StringBuilder capabilityEntropy = new StringBuilder("0.0");
    for (String c : AccountDaily.CAPABILITIES) {
      String p = "cap_" + c + "_share";
      capabilityEntropy.append(String.format(" + CASE WHEN %1$s > 0 THEN -%1$s * log2(%1$s) ELSE 0.0 END", p));
    }

    List<String> out = new ArrayList<>();
    for (var f : AccountDaily.SCHEMA.fields()) {
      out.add(switch (f.name()) {
        case "date" -> "DATE '" + date + "' AS date";
        case "out_in_ratio" -> "tokens_out::DOUBLE / greatest(tokens_in, 1) AS out_in_ratio";
        case "distinct_templates" -> "t.d AS distinct_templates";
        case "top_template_share" -> "t.top AS top_template_share";
        case "template_entropy" -> "t.entropy AS template_entropy";
        case "capability_entropy" -> capabilityEntropy + " AS capability_entropy";
        case "active_hours" -> "h.d AS active_hours";
        case "hour_entropy" -> "h.entropy AS hour_entropy";
        case "interarrival_cv" -> "CASE WHEN requests >= 3 AND gap_mean > 0 THEN gap_sd / gap_mean END AS interarrival_cv";
        case "burstiness" -> "CASE WHEN requests >= 3 AND gap_sd + gap_mean > 0 "
            + "THEN (gap_sd - gap_mean) / (gap_sd + gap_mean) END AS burstiness";
        default -> "b." + f.name();
      });
    }

    return "WITH r AS (SELECT q.*, hour(q.ts::TIMESTAMP) AS hour, nm.model IS NOT NULL AS new_model, "
        + "epoch_us(q.ts) / 1e6 - lag(epoch_us(q.ts) / 1e6) OVER (PARTITION BY q.account_id ORDER BY q.ts, q.event_id) AS gap "
        + "FROM read_parquet('" + requestsGlob + "') q "
        + "LEFT JOIN (SELECT DISTINCT model FROM read_parquet('" + newModelsGlob + "')) nm ON q.model = nm.model), "
        + "b AS (SELECT account_id, " + String.join(", ", aggs) + " FROM r GROUP BY account_id), "
        + "t AS (" + distribution("template_id") + "), "
        + "h AS (" + distribution("hour") + ") "
        + "SELECT " + String.join(", ", out) + " FROM b JOIN t USING (account_id) JOIN h USING (account_id)";
  }

  /** Share of rows where the condition holds; null counts as not holding. */
  private static String share(String condition) {
    return "avg(CASE WHEN coalesce(" + condition + ", false) THEN 1.0 ELSE 0.0 END)";
  }

  /** Per account: distinct values of {@code key}, the top value's share and the entropy in bits. */
  private static String distribution(String key) {
    return "SELECT account_id, count(*) AS d, max(p) AS top, -sum(p * log2(p)) AS entropy FROM ("
        + "SELECT account_id, c / sum(c) OVER (PARTITION BY account_id) AS p FROM ("
        + "SELECT account_id, " + key + ", count(*)::DOUBLE AS c FROM r GROUP BY account_id, " + key + ")) "
        + "GROUP BY account_id";
  }
}
