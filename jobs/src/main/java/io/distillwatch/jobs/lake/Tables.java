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

  public static final TableSpec OPS_CAMPAIGN_VERDICTS = new TableSpec("ops.campaign_verdicts", new StructType()
      .add("campaign_id", DataTypes.StringType, false)
      .add("date", DataTypes.DateType, false)
      .add("verdict", DataTypes.StringType, false)
      .add("note", DataTypes.StringType)
      .add("recorded_at", DataTypes.TimestampType, false),
      List.of(), List.of("campaign_id", "date", "recorded_at"),
      "analysts' verdicts ('campaign' or 'benign') on campaigns as they stood on a night of gold.campaigns, every change "
          + "kept with its time (a night's classifier reads them as they stood when the night first ran): the labelled "
          + "history the campaigns stage's classifier trains on");

  public static final TableSpec OPS_FIRST_RUNS = new TableSpec("ops.first_runs", new StructType()
      .add("command", DataTypes.StringType, false)
      .add("date", DataTypes.DateType, false)
      .add("first_run_at", DataTypes.TimestampType, false),
      List.of(), List.of("command", "date"),
      "when each command first ran for a date (never updated): the as-of time of what a re-run of the night may read, "
          + "such as analysts' verdicts");

  public static final TableSpec SILVER_REQUEST_TEMPLATES = new TableSpec("silver.request_templates", new StructType()
      .add("event_date", DataTypes.DateType, false)
      .add("event_id", DataTypes.StringType, false)
      .add("account_id", DataTypes.StringType, false)
      .add("ts", DataTypes.TimestampType, false)
      .add("template_id", DataTypes.LongType, false),
      List.of("event_date"), List.of("event_date", "event_id"),
      "the template of every request (no prompt text): what linkage by shared templates and synchronised activity reads");

  public static final TableSpec SILVER_TEMPLATE_DAILY = new TableSpec("silver.template_daily", new StructType()
      .add("date", DataTypes.DateType, false)
      .add("template_id", DataTypes.LongType, false)
      .add("requests", DataTypes.LongType, false)
      .add("accounts", DataTypes.LongType, false)
      .add("account_sketch", DataTypes.BinaryType, false)
      .add("representative", DataTypes.StringType, false)
      .add("capability", DataTypes.StringType, false)
      .add("cot", DataTypes.BooleanType, false)
      .add("script", DataTypes.StringType, false)
      .add("capability_embedding", DataTypes.StringType)
      .add("cot_embedding", DataTypes.BooleanType),
      List.of("date"), List.of("date", "template_id"),
      "per template and day: requests, accounts (exact, and an HLL sketch to union across days), the day's "
          + "most frequent normalised prompt, its capability, chain-of-thought and script tags by the rules, and "
          + "capability and chain of thought by the embedding classifier (recurring templates only)");

  public static final TableSpec SILVER_TEMPLATE_BANDS = new TableSpec("silver.template_bands", new StructType()
      .add("band_key", DataTypes.LongType, false)
      .add("template_id", DataTypes.LongType, false)
      .add("signature", DataTypes.createArrayType(DataTypes.LongType, false), false)
      .add("first_seen", DataTypes.DateType, false),
      List.of(), List.of("band_key"),
      "the band index: which template owns each MinHash band bucket, the MinHash signature of the bucket's "
          + "centre prompt (later prompts must resemble it to join) and the day that founded the entry");

  public static final TableSpec SILVER_TEMPLATES = new TableSpec("silver.templates", new StructType()
      .add("template_id", DataTypes.LongType, false)
      .add("representative", DataTypes.StringType, false)
      .add("capability", DataTypes.StringType, false)
      .add("cot", DataTypes.BooleanType, false)
      .add("script", DataTypes.StringType, false)
      .add("capability_embedding", DataTypes.StringType)
      .add("cot_embedding", DataTypes.BooleanType)
      .add("first_seen", DataTypes.DateType, false)
      .add("last_seen", DataTypes.DateType, false)
      .add("days", DataTypes.LongType, false)
      .add("requests", DataTypes.LongType, false)
      .add("accounts", DataTypes.LongType, false),
      List.of(), List.of("template_id"),
      "recurring templates (at least --min-template-requests requests): normalised representative and tags "
          + "from the founding day, first and last seen, requests, accounts (HLL estimate across days)");

  public static final TableSpec SILVER_EMBEDDINGS = new TableSpec("silver.embeddings", new StructType()
      .add("model", DataTypes.StringType, false)
      .add("text_hash", DataTypes.StringType, false)
      .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false),
      List.of(), List.of("model", "text_hash"),
      "sentence embeddings of template representatives by model (name and file fingerprint) and SHA-256 of the normalised "
          + "text: each text is embedded once, whatever the night (no text stored)");

  public static final TableSpec SILVER_MODELS = new TableSpec("silver.models", new StructType()
      .add("model", DataTypes.StringType, false)
      .add("first_seen", DataTypes.DateType, false),
      List.of(), List.of("model"),
      "each model name and the first day it was seen in the traffic (its release, as the traffic sees it)");

  public static final TableSpec GOLD_ACCOUNT_DAILY = new TableSpec("gold.account_daily",
      io.distillwatch.features.accounts.AccountDaily.SCHEMA,
      List.of("date"), List.of("date", "account_id"),
      "per account and day: volume, tokens, template repetition, capabilities, chain of thought, timing, "
          + "sampling settings, errors, models, infrastructure spread, languages, tools and turns");

  public static final TableSpec GOLD_ACCOUNT_WINDOWS = new TableSpec("gold.account_windows",
      io.distillwatch.features.accounts.AccountWindows.SCHEMA,
      List.of("date"), List.of("date", "account_id"),
      "per account active in the last 30 days: 7/30/90-day rolling features and z-scores against its own "
          + "trailing 30-day baseline");

  public static final TableSpec GOLD_ATTRIBUTION = new TableSpec("gold.attribution", new StructType()
      .add("study", DataTypes.StringType, false)
      .add("length_mode", DataTypes.StringType, false)
      .add("provider", DataTypes.StringType, false)
      .add("suspect", DataTypes.StringType, false)
      .add("method", DataTypes.StringType, false)
      .add("baseline", DataTypes.BooleanType, false)
      .add("statistic", DataTypes.DoubleType, false)
      .add("ci_low", DataTypes.DoubleType, false)
      .add("ci_high", DataTypes.DoubleType, false)
      .add("p_value", DataTypes.DoubleType, false)
      .add("p_holm", DataTypes.DoubleType, true)
      .add("attributed", DataTypes.BooleanType, true)
      .add("nearest", DataTypes.StringType, false)
      .add("references", DataTypes.createArrayType(DataTypes.StringType, false), false)
      .add("alpha", DataTypes.DoubleType, false)
      .add("prompts", DataTypes.IntegerType, false)
      .add("permutations", DataTypes.IntegerType, false)
      .add("seed", DataTypes.LongType, false)
      .add("run_at", DataTypes.TimestampType, false),
      List.of(), List.of("study", "length_mode", "suspect", "method"),
      "attribution studies: per study, length mode and suspect, the combined verdict (method 'combined': score in "
          + "null standard deviations, p, Holm-adjusted p, attributed) and each method's own statistic, p and nearest "
          + "model; a re-run of a study replaces its rows");

  public static final TableSpec GOLD_ACCOUNT_DRIFT = new TableSpec("gold.account_drift", new StructType()
      .add("date", DataTypes.DateType, false)
      .add("account_id", DataTypes.StringType, false)
      .add("stratum", DataTypes.StringType, false)
      .add("in_pool", DataTypes.BooleanType, false)
      .add("window_requests", DataTypes.LongType, false)
      .add("window_templates", DataTypes.IntegerType, false)
      .add("mmd2", DataTypes.DoubleType, false)
      .add("p_mmd", DataTypes.DoubleType, false)
      .add("contrast", DataTypes.DoubleType, true)
      .add("p_contrast", DataTypes.DoubleType, true)
      .add("p_value", DataTypes.DoubleType, false)
      .add("null_size", DataTypes.IntegerType, false)
      .add("harvest_reference_size", DataTypes.IntegerType, false)
      .add("reference_size", DataTypes.IntegerType, false)
      .add("sigma", DataTypes.DoubleType, false)
      .add("drift_templates", DataTypes.createArrayType(DataTypes.LongType, false), false)
      // added 2026-12-07 (heavy accounts' larger windows); null on rows written before
      .add("window_size", DataTypes.IntegerType, true),
      List.of("date"), List.of("date", "account_id"),
      "per account with a full window of recent requests: the MMD^2 of its prompt embeddings against the benign "
          + "reference of its stratum and its p-value against the benign-vs-benign null (p_mmd); for accounts in no flagged "
          + "campaign, the window's contrast towards recently flagged campaigns' prompts and its p-value (p_contrast); "
          + "p_value, the account's (Bonferroni over the two); the templates that carry the drift; the window's size");

  public static final TableSpec GOLD_DRIFT_ALERTS = new TableSpec("gold.drift_alerts", new StructType()
      .add("date", DataTypes.DateType, false)
      .add("account_id", DataTypes.StringType, false)
      .add("p_value", DataTypes.DoubleType, false)
      .add("mmd2", DataTypes.DoubleType, false)
      .add("evidence", DataTypes.StringType, false),
      List.of("date"), List.of("date", "account_id"),
      "accounts whose queries drift from benign traffic at the alert level and that no campaign flagged on the last "
          + "nights holds (the reseller case: traffic no identity link ties to a campaign), with the evidence");

  public static final TableSpec SHARE_PEER_MATCHES = new TableSpec("share.peer_matches", new StructType()
      .add("date", DataTypes.DateType, false)
      .add("bundle_id", DataTypes.StringType, false)
      .add("peer_campaign", DataTypes.StringType, false)
      .add("peer_campaign_name", DataTypes.StringType)
      .add("indicator_id", DataTypes.StringType, false)
      .add("kind", DataTypes.StringType, false)
      .add("account_id", DataTypes.StringType, false)
      .add("lead", DataTypes.BooleanType, false),
      List.of("date"), List.of("date", "bundle_id", "peer_campaign", "indicator_id", "account_id"),
      "a peer lab's indicators (share match) that our accounts hold, by night and bundle; lead: the account's matched "
          + "indicators of that peer campaign weigh 1 or more, so the next link joins it to the other leads of the campaign "
          + "(link kind peer_indicator)");

  public static final List<TableSpec> ALL = List.of(
      BRONZE_EVENTS, BRONZE_ACCOUNTS, BRONZE_ACCOUNTS_HISTORY, QUARANTINE_EVENTS, QUARANTINE_ACCOUNTS, OPS_RUNS,
      OPS_CAMPAIGN_VERDICTS, OPS_FIRST_RUNS,
      SILVER_REQUEST_TEMPLATES, SILVER_TEMPLATE_DAILY, SILVER_TEMPLATE_BANDS, SILVER_TEMPLATES, SILVER_EMBEDDINGS, SILVER_MODELS,
      GOLD_ACCOUNT_DAILY, GOLD_ACCOUNT_WINDOWS, GOLD_ACCOUNT_DRIFT, GOLD_DRIFT_ALERTS, GOLD_ATTRIBUTION, SHARE_PEER_MATCHES);

  static StructType merge(StructType a, StructType b) {
    StructType s = a;
    for (var f : b.fields()) {
      s = s.add(f);
    }
    return s;
  }
}
