package io.distillwatch.jobs.share;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillwatch.features.campaigns.EvidenceWeights;
import io.distillwatch.jobs.evaluate.EvaluateJob;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LakeJob;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.lake.TextFile;
import io.distillwatch.jobs.lake.WindowInputs;
import io.distillwatch.jobs.spark.JobGroup;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.hour;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;

/**
 * {@code share export}: a STIX 2.1 bundle of the night's campaigns for peer labs (docs/sharing.md).
 *
 * <p>An indicator is a value a campaign's accounts hold (a /24 network, an ASN, a user agent, a private
 * template's MinHash band keys, a payment card, a sign-up e-mail domain or address) that at least
 * {@code minAccounts} of the campaign's accounts hold and no account outside the night's flagged
 * campaigns holds in the window: what a peer can match without learning who our customers are.
 * Identity values leave only as HMACs under the community key. Account ids, organisations, prompts,
 * responses and raw identity values never enter the bundle.
 */
public final class ShareExport extends LakeJob<ShareExport.Result> {
  public static final String NAME = "share export";
  public static final int DEFAULT_MIN_ACCOUNTS = 5;
  public static final int WINDOW_DAYS = 7;

  /**
   * @param date the night (null: the latest with campaigns)
   * @param campaigns campaign ids to export (empty: every one that qualifies)
   * @param minScore export campaigns at or above this score, flagged or not (null: the flagged ones)
   * @param key the community key (null: identity indicators left out)
   */
  public record Options(LocalDate date, List<String> campaigns, Double minScore, int minAccounts, String tlp,
                        String labName, String out, CommunityKey key) {
    public Options {
      campaigns = List.copyOf(campaigns);
      if (minAccounts < 2) {
        throw new IllegalArgumentException("min accounts must be at least 2");
      }
      if (!Stix.TLP_IDS.containsKey(tlp)) {
        throw new IllegalArgumentException("TLP must be one of white, green, amber, red");
      }
      if (minScore != null && !(minScore >= 0 && minScore <= 1)) {
        throw new IllegalArgumentException("min score must be in [0, 1]");
      }
      if (labName == null || labName.isBlank()) {
        throw new IllegalArgumentException("the lab name must not be empty");
      }
    }
  }

  public record Result(LocalDate date, int campaigns, Map<String, Integer> indicatorsByKind, boolean identityShared,
                       String bundleId) {
    public int indicators() {
      return indicatorsByKind.values().stream().mapToInt(Integer::intValue).sum();
    }

    public String summary() {
      return String.format(Locale.ROOT, "share export %s: %d campaigns, %d indicators %s%s", date, campaigns, indicators(),
          indicatorsByKind, identityShared ? "" : " (identity indicators left out: " + CommunityKey.VARIABLE + " not set)");
    }
  }

  private final Options options;
  private LocalDate night; // the night exported, resolved once (before the job group opens: it names it)

  public ShareExport(Lake lake, Options options) {
    super(lake, "share-export");
    this.options = options;
  }

  /** The date given, or the newest night with campaigns. */
  private LocalDate night() {
    if (night == null) {
      if (!lake.exists(CampaignTables.NIGHTLY.campaigns())) {
        throw new InvalidInputException("lake " + lake.root() + " has no gold.campaigns; run nightly (or campaigns) first");
      }
      night = options.date() != null ? options.date() : EvaluateJob.latestDate(lake, CampaignTables.NIGHTLY);
    }
    return night;
  }

  @Override
  protected Map<String, ?> description() {
    Map<String, Object> desc = new LinkedHashMap<>();
    desc.put("date", night());
    desc.put("lake", lake.root());
    desc.put("min-accounts", options.minAccounts());
    desc.put("tlp", options.tlp());
    return desc;
  }

  @Override
  protected Optional<Run> record(Result r) {
    Map<String, Long> metrics = new TreeMap<>();
    metrics.put("campaigns", (long) r.campaigns());
    r.indicatorsByKind().forEach((k, v) -> metrics.put("indicators_" + k, (long) v));
    return Optional.of(new Run(r.date(), metrics));
  }

  @Override
  protected Result run(JobGroup group) {
    CampaignTables t = CampaignTables.NIGHTLY;
    LocalDate d = night();
    group.step("share export " + d + ": campaigns");
    Date day = Date.valueOf(d);
    Dataset<Row> tonight = lake.read(t.campaigns()).where(col("date").equalTo(lit(day)));
    Column chosen = options.minScore() == null ? col("flagged") : col("score").geq(options.minScore());
    if (!options.campaigns().isEmpty()) {
      chosen = chosen.and(col("campaign_id").isin(options.campaigns().toArray()));
    }
    List<Row> campaigns = tonight.where(chosen).orderBy(col("score").desc(), col("campaign_id")).collectAsList();
    if (!options.campaigns().isEmpty() && campaigns.size() < options.campaigns().size()) {
      throw new InvalidInputException("of the " + options.campaigns().size() + " campaigns asked for, "
          + campaigns.size() + " are on night " + d + (options.minScore() == null ? " and flagged" : " at or above the score"));
    }
    List<String> ids = campaigns.stream().map(r -> r.getString(r.fieldIndex("campaign_id"))).toList();

    Dataset<Row> members = lake.read(t.members()).where(col("date").equalTo(lit(day)));
    Dataset<Row> chosenMembers = members.where(col("campaign_id").isin(ids.toArray())).select("campaign_id", "account_id");
    // not benign: tonight's flagged campaigns' accounts and the exported ones' (with --min-score, unflagged ones too)
    Dataset<Row> flaggedAccounts = members.where(col("flagged").or(col("campaign_id").isin(ids.toArray())))
        .select("account_id").distinct();
    WindowInputs in = new WindowInputs(lake, d, WINDOW_DAYS);
    Dataset<Row> events = in.events().persist(StorageLevel.MEMORY_AND_DISK_SER());
    try {
      group.step("share export " + d + ": indicators");
      Dataset<Row> held = attributes(in, events);
      Dataset<Row> benignHeld = held.join(flaggedAccounts, new String[] {"account_id"}, "left_anti")
          .select("kind", "value").distinct();
      List<Row> kept = held.join(chosenMembers, "account_id")
          .groupBy("campaign_id", "kind", "value").agg(countDistinct("account_id").as("accounts"))
          .where(col("accounts").geq(options.minAccounts()))
          .join(benignHeld, new String[] {"kind", "value"}, "left_anti")
          .select("campaign_id", "kind", "value", "accounts")
          .orderBy("campaign_id", "kind", "value").collectAsList();

      Map<Long, long[]> signatures = signatures(kept);
      Map<String, long[]> hours = hourProfiles(events, chosenMembers);
      Map<String, Map<String, Long>> capabilities = capabilityMix(in, chosenMembers);

      group.step("share export " + d + ": bundle");
      Bundle b = new Bundle(d, options);
      for (Row c : campaigns) {
        String id = c.getString(c.fieldIndex("campaign_id"));
        String campaignStixId = b.campaign(c, capabilities.getOrDefault(id, Map.of()));
        for (Row k : kept) {
          if (k.getString(0).equals(id)) {
            b.indicator(campaignStixId, k.getString(1), k.getString(2), k.getLong(3), signatures);
          }
        }
        long[] h = hours.get(id);
        if (h != null) {
          b.hourProfile(campaignStixId, h);
        }
      }
      // the id is a hash of everything the bundle says, so the same night exported again has the same id
      String bundleId = Stix.id("bundle", "distillwatch:" + options.labName() + ":" + d + ":" + b.content);
      try {
        String json = Stix.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(Stix.bundle(bundleId, b.objects));
        TextFile.write(spark.sparkContext().hadoopConfiguration(), options.out(), json + "\n");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the bundle to " + options.out(), e);
      }
      return new Result(d, campaigns.size(), b.counts, options.key() != null, bundleId);
    } finally {
      events.unpersist();
    }
  }

  /**
   * (account_id, kind, value): every value of each indicator kind an active account of the window
   * holds. Identity values stay raw here (inside the lake); only kept ones are hashed, on the driver.
   */
  private Dataset<Row> attributes(WindowInputs in, Dataset<Row> events) {
    UserDefinedFunction prefix = udf((UDF1<String, String>) Indicators::prefix24, DataTypes.StringType);
    Dataset<Row> registry = in.registry();
    List<Dataset<Row>> parts = new ArrayList<>();
    parts.add(events.select(col("account_id"), lit(Indicators.NETWORK).as("kind"), prefix.apply(col("ip")).as("value")));
    parts.add(events.select(col("account_id"), lit(Indicators.ASN).as("kind"), col("asn").cast("string").as("value")));
    parts.add(events.select(col("account_id"), lit(Indicators.USER_AGENT).as("kind"), col("user_agent").as("value")));
    parts.add(in.requests().select(col("account_id"), lit(Indicators.TEMPLATE).as("kind"),
        col("template_id").cast("string").as("value")));
    if (options.key() != null) {
      parts.add(registry.select(col("account_id"), lit(Indicators.PAYMENT).as("kind"), col("payment_fingerprint").as("value")));
      parts.add(registry.select(col("account_id"), lit(Indicators.EMAIL_DOMAIN).as("kind"), col("email_domain").as("value")));
      parts.add(registry.select(col("account_id"), lit(Indicators.SIGNUP_IP).as("kind"), col("signup_ip").as("value")));
    }
    Dataset<Row> all = parts.get(0);
    for (int i = 1; i < parts.size(); i++) {
      all = all.unionByName(parts.get(i));
    }
    return all.where(col("value").isNotNull().and(col("value").notEqual(lit("")))).distinct();
  }

  /**
   * The MinHash signature of each kept template's centre prompt (silver.template_bands: the entry it
   * founded first), from which a peer running the same hashing gets all its band keys and the similarity.
   */
  private Map<Long, long[]> signatures(List<Row> kept) {
    List<Long> templates = kept.stream().filter(r -> r.getString(1).equals(Indicators.TEMPLATE))
        .map(r -> Long.parseLong(r.getString(2))).distinct().toList();
    Map<Long, long[]> out = new TreeMap<>();
    if (templates.isEmpty() || !lake.exists(Tables.SILVER_TEMPLATE_BANDS)) {
      return out;
    }
    for (Row r : lake.read(Tables.SILVER_TEMPLATE_BANDS).where(col("template_id").isin(templates.toArray()))
        .select("template_id", "signature", "first_seen", "band_key").orderBy("template_id", "first_seen", "band_key")
        .collectAsList()) {
      out.computeIfAbsent(r.getLong(0), k -> r.getList(1).stream().mapToLong(v -> (Long) v).toArray());
    }
    return out;
  }

  /** Requests per hour of day (UTC) of each campaign's accounts in the window. */
  private Map<String, long[]> hourProfiles(Dataset<Row> events, Dataset<Row> chosenMembers) {
    Map<String, long[]> out = new TreeMap<>();
    for (Row r : events.join(chosenMembers, "account_id").groupBy(col("campaign_id"), hour(col("ts")).as("h"))
        .agg(count(lit(1)).as("n")).collectAsList()) {
      out.computeIfAbsent(r.getString(0), k -> new long[24])[r.getInt(1)] = r.getLong(2);
    }
    return out;
  }

  /** Requests per capability (the template's tag of the day) of each campaign's accounts in the window. */
  private Map<String, Map<String, Long>> capabilityMix(WindowInputs in, Dataset<Row> chosenMembers) {
    Map<String, Map<String, Long>> out = new TreeMap<>();
    Dataset<Row> tags = lake.read(Tables.SILVER_TEMPLATE_DAILY).select(col("date"), col("template_id"), col("capability"));
    Dataset<Row> requests = lake.read(Tables.SILVER_REQUEST_TEMPLATES)
        .where(col("event_date").between(lit(in.from()), lit(in.to())))
        .select(col("event_date").as("date"), col("account_id"), col("template_id"));
    for (Row r : requests.join(chosenMembers, "account_id").join(tags, new String[] {"date", "template_id"})
        .groupBy("campaign_id", "capability").agg(count(lit(1)).as("n")).collectAsList()) {
      out.computeIfAbsent(r.getString(0), k -> new TreeMap<>()).put(r.getString(1), r.getLong(2));
    }
    return out;
  }

  /** The objects of one bundle as they are added (pure; no lake). */
  static final class Bundle {
    final ArrayNode objects = Stix.JSON.createArrayNode();
    final Map<String, Integer> counts = new TreeMap<>();
    private final LocalDate night;
    private final Options options;
    private final String created;
    private final String identityId;
    private final String markingId;
    final StringBuilder content = new StringBuilder();

    Bundle(LocalDate night, Options options) {
      this.night = night;
      this.options = options;
      this.created = Stix.endOf(night);
      this.markingId = Stix.TLP_IDS.get(options.tlp());
      ObjectNode identity = Stix.identity(options.labName(), created, markingId);
      this.identityId = identity.get("id").asText();
      objects.add(Stix.tlp(options.tlp()));
      objects.add(identity);
    }

    /** A campaign object; returns its STIX id (stable for the campaign across nights and exports). */
    String campaign(Row c, Map<String, Long> capabilityCounts) {
      String campaignId = c.getString(c.fieldIndex("campaign_id"));
      String stixId = Stix.id("campaign", "distillwatch:" + options.labName() + ":" + campaignId);
      ObjectNode o = Stix.object("campaign", stixId, created, identityId, markingId);
      o.put("name", "distillation campaign " + stixId.substring("campaign--".length(), "campaign--".length() + 8));
      LocalDate first = c.getDate(c.fieldIndex("first_seen")).toLocalDate();
      o.put("first_seen", Stix.time(first));
      o.put("last_seen", Stix.endOf(night));
      long size = c.getLong(c.fieldIndex("cluster_size"));
      String band = sizeBand(size);
      String mix = capabilityMix(capabilityCounts);
      List<String> tactics = tactics(c);
      o.put("objective", "harvesting model outputs to train another model (distillation)");
      o.put("description", String.format(Locale.ROOT,
          "Accounts acting as one operation, found by distillwatch: %s accounts; %s; tactics: %s.", band,
          mix.isEmpty() ? "capability mix unknown" : "capability mix " + mix,
          tactics.isEmpty() ? "none weighed" : String.join("; ", tactics)));
      o.put("x_distillwatch_size_band", band);
      o.put("x_distillwatch_score", Math.round(c.getDouble(c.fieldIndex("score")) * 100) / 100.0);
      if (!capabilityCounts.isEmpty()) {
        ObjectNode m = o.putObject("x_distillwatch_capability_mix");
        long total = capabilityCounts.values().stream().mapToLong(Long::longValue).sum();
        capabilityCounts.forEach((k, v) -> m.put(k, Math.round(1000.0 * v / total) / 1000.0));
      }
      objects.add(o);
      content.append(stixId).append(';');
      return stixId;
    }

    void indicator(String campaignStixId, String kind, String value, long accounts, Map<Long, long[]> signatures) {
      String pattern;
      String name;
      long[] signature = null;
      switch (kind) {
        case Indicators.TEMPLATE -> {
          signature = signatures.get(Long.parseLong(value));
          if (signature == null) {
            return; // a template without an entry in the band index cannot be matched by a peer
          }
          pattern = Indicators.templatePattern(Indicators.bandKeys(signature));
          name = "private prompt template (MinHash band keys and signature)";
        }
        case Indicators.NETWORK -> {
          pattern = Indicators.networkPattern(value);
          name = "request network /24";
        }
        case Indicators.ASN -> {
          pattern = Indicators.asnPattern(Long.parseLong(value));
          name = "request network ASN";
        }
        case Indicators.USER_AGENT -> {
          pattern = Indicators.userAgentPattern(value);
          name = "user agent";
        }
        default -> { // identity kinds: only the HMAC leaves
          if (options.key() == null) {
            return;
          }
          pattern = Indicators.identityPattern(kind, options.key().hmac(kind, value));
          name = kind.replace('_', ' ') + " (HMAC-SHA256 under the community key)";
        }
      }
      String id = Stix.id("indicator", campaignStixId + ":" + pattern);
      ObjectNode o = Stix.object("indicator", id, created, identityId, markingId);
      o.put("name", name);
      o.putArray("indicator_types").add("malicious-activity");
      o.put("pattern", pattern);
      o.put("pattern_type", "stix");
      o.put("valid_from", created);
      o.put("x_distillwatch_kind", kind);
      o.put("x_distillwatch_accounts_band", sizeBand(accounts));
      if (signature != null) {
        o.put("x_distillwatch_minhash", Indicators.signatureText(signature));
      }
      objects.add(o);
      objects.add(Stix.relationship("indicates", id, campaignStixId, created, identityId, markingId));
      counts.merge(kind, 1, Integer::sum);
      content.append(pattern).append(';');
    }

    /** The timing fingerprint: descriptive (too common to match an account alone), so its own pattern type. */
    void hourProfile(String campaignStixId, long[] perHour) {
      long total = 0;
      for (long v : perHour) {
        total += v;
      }
      if (total == 0) {
        return;
      }
      StringBuilder p = new StringBuilder();
      for (int h = 0; h < 24; h++) {
        p.append(h == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", perHour[h] / (double) total));
      }
      String id = Stix.id("indicator", campaignStixId + ":hours");
      ObjectNode o = Stix.object("indicator", id, created, identityId, markingId);
      o.put("name", "timing fingerprint: share of requests by hour of day (UTC)");
      o.putArray("indicator_types").add("malicious-activity");
      o.put("pattern", p.toString());
      o.put("pattern_type", Indicators.HOUR_PROFILE_PATTERN_TYPE);
      o.put("valid_from", created);
      o.put("x_distillwatch_kind", Indicators.HOUR_PROFILE);
      objects.add(o);
      objects.add(Stix.relationship("indicates", id, campaignStixId, created, identityId, markingId));
      counts.merge(Indicators.HOUR_PROFILE, 1, Integer::sum);
      content.append(p).append(';');
    }
  }

  /** How many accounts, as a band: the exact count of a campaign would say more about us than about it. */
  static String sizeBand(long n) {
    long[] edges = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
    long lo = 1;
    for (long e : edges) {
      if (n < e) {
        return lo + "-" + (e - 1);
      }
      lo = e;
    }
    return lo + "+";
  }

  static String capabilityMix(Map<String, Long> counts) {
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    if (total == 0) {
      return "";
    }
    List<Map.Entry<String, Long>> sorted = new ArrayList<>(counts.entrySet());
    sorted.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, Long> e : sorted) {
      long pct = Math.round(100.0 * e.getValue() / total);
      if (pct >= 5) {
        parts.add(e.getKey() + " " + pct + " %");
      }
    }
    return String.join(", ", parts);
  }

  /** The meanings of the signals that weighed something tonight, strongest first. */
  static List<String> tactics(Row c) {
    int i = c.fieldIndex("evidence_weights");
    if (c.isNullAt(i)) {
      return List.of();
    }
    Map<String, Double> weights = new TreeMap<>(c.getJavaMap(i));
    List<String> out = new ArrayList<>();
    weights.entrySet().stream().filter(e -> e.getValue() != null && e.getValue() > 0)
        .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
        .forEach(e -> out.add(EvidenceWeights.SIGNALS.stream().filter(s -> s.name().equals(e.getKey()))
            .map(EvidenceWeights.Signal::meaning).findFirst().orElse(e.getKey())));
    return out;
  }
}
