package io.distillwatch.jobs.share;

import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.CsvFile;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LakeJob;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.lake.TextFile;
import io.distillwatch.jobs.lake.WindowInputs;
import io.distillwatch.jobs.spark.Faults;
import io.distillwatch.jobs.spark.JobGroup;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.array_join;
import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

/**
 * {@code share match}: a peer's STIX bundle evaluated against our traffic of the window ending at the
 * date. Each evaluable indicator (template signatures against our band index, hashed identities
 * under the community key, networks, ASNs, user agents) gives the accounts that hold it; an account
 * whose matched indicators of one peer campaign weigh {@link Indicators#LEAD_WEIGHT} or more is a
 * <em>lead</em>. Rows go to {@code share.peer_matches} (the night's rows of this bundle replaced), which
 * the next {@code link} reads as link evidence of kind {@code peer_indicator}; {@code matches.csv} and
 * {@code overlaps.csv} (our campaigns that hold the peer's leads) go to the output folder.
 */
public final class ShareMatch extends LakeJob<ShareMatch.Result> {
  public static final String NAME = "share match";
  public static final int WINDOW_DAYS = ShareExport.WINDOW_DAYS;
  static final long MAX_BUNDLE_BYTES = 256L << 20;

  public record Options(LocalDate date, String bundle, String outDir, CommunityKey key) {}

  public record Result(LocalDate date, String bundleId, int peerCampaigns, int indicators, int notEvaluated,
                       Map<String, Integer> otherObjects, long matchedAccounts, long leads, long ourCampaigns,
                       boolean identityEvaluated) {
    public String summary() {
      return String.format(Locale.ROOT, "share match %s: bundle %s (%d campaigns, %d indicators, %d not evaluable%s%s); "
              + "%,d of our accounts hold an indicator, %,d are leads, in %,d of our clusters", date, bundleId,
          peerCampaigns, indicators, notEvaluated, otherObjects.isEmpty() ? "" : ", other objects kept and ignored " + otherObjects,
          identityEvaluated ? "" : "; identity indicators not evaluated: " + CommunityKey.VARIABLE + " not set",
          matchedAccounts, leads, ourCampaigns);
    }
  }

  private static final StructType TERMS = new StructType()
      .add("indicator_id", DataTypes.StringType).add("peer_campaign", DataTypes.StringType)
      .add("kind", DataTypes.StringType).add("value", DataTypes.StringType);

  private final Options options;
  // read and resolved once, before the job group opens (they name it)
  private PeerBundle bundle;
  private LocalDate night;

  public ShareMatch(Lake lake, Options options) {
    super(lake, "share-match");
    this.options = options;
  }

  private PeerBundle bundle() {
    if (bundle == null) {
      String text;
      try {
        text = TextFile.read(spark.sparkContext().hadoopConfiguration(), options.bundle(), MAX_BUNDLE_BYTES);
      } catch (FileNotFoundException e) {
        throw new InvalidInputException("no bundle at " + options.bundle());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the bundle " + options.bundle(), e);
      }
      bundle = PeerBundle.parse(options.bundle(), text);
    }
    return bundle;
  }

  /** The date given, or the newest night with account features. */
  private LocalDate night() {
    if (night == null) {
      if (!lake.exists(Tables.GOLD_ACCOUNT_DAILY)) {
        throw new InvalidInputException("lake " + lake.root() + " has no gold.account_daily; run features first");
      }
      night = options.date() != null ? options.date() : latestDay();
    }
    return night;
  }

  @Override
  protected Map<String, ?> description() {
    PeerBundle b = bundle(); // read first: a missing bundle is reported before a missing table, as ever
    Map<String, Object> desc = new LinkedHashMap<>();
    desc.put("date", night());
    desc.put("lake", lake.root());
    desc.put("bundle", b.id());
    return desc;
  }

  @Override
  protected Optional<Run> record(Result r) {
    Map<String, Long> metrics = new TreeMap<>();
    metrics.put("indicators", (long) r.indicators());
    metrics.put("not_evaluated", (long) r.notEvaluated());
    metrics.put("matched_accounts", r.matchedAccounts());
    metrics.put("leads", r.leads());
    metrics.put("our_campaigns", r.ourCampaigns());
    return Optional.of(new Run(r.date(), metrics));
  }

  @Override
  protected Result run(JobGroup group) {
    PeerBundle bundle = bundle();
    LocalDate d = night();
    group.step("share match " + d + ": indicators");
    List<Row> termRows = new ArrayList<>();
    for (PeerBundle.Term t : bundle.terms()) {
      if (options.key() != null || !Indicators.IDENTITY_KINDS.contains(t.kind())) {
        termRows.add(RowFactory.create(t.indicatorId(), t.peerCampaign(), t.kind(), t.value()));
      }
    }
    Dataset<Row> terms = spark.createDataFrame(termRows, TERMS);
    WindowInputs in = new WindowInputs(lake, d, WINDOW_DAYS);
    Date day = Date.valueOf(d);
    // the hits feed the lead weights and the rows written: computed once
    Dataset<Row> hits = hits(in, terms, bundle).distinct().persist(StorageLevel.MEMORY_AND_DISK_SER());
    try {
      group.step("share match " + d + ": leads");
      Map<String, Double> weights = Indicators.WEIGHTS;
      org.apache.spark.sql.Column weight = lit(0.0);
      for (Map.Entry<String, Double> w : new TreeMap<>(weights).entrySet()) {
        weight = when(col("kind").equalTo(w.getKey()), lit(w.getValue())).otherwise(weight);
      }
      // an indicator counts once, at the weight of its kind
      Dataset<Row> perIndicator = hits.groupBy("peer_campaign", "account_id", "indicator_id")
          .agg(max(weight).as("w"));
      Dataset<Row> leads = perIndicator.groupBy("peer_campaign", "account_id").agg(sum("w").as("weight"))
          .withColumn("lead", col("weight").geq(Indicators.LEAD_WEIGHT - 1e-9));
      Dataset<Row> names = spark.createDataFrame(bundle.campaignNames().entrySet().stream()
          .map(e -> RowFactory.create(e.getKey(), e.getValue())).toList(),
          new StructType().add("peer_campaign", DataTypes.StringType).add("peer_campaign_name", DataTypes.StringType));
      Dataset<Row> rows = hits.join(leads.select("peer_campaign", "account_id", "lead"), new String[] {"peer_campaign", "account_id"})
          .join(names, new String[] {"peer_campaign"}, "left")
          .withColumn("date", lit(day)).withColumn("bundle_id", lit(bundle.id()));
      lake.replace(Tables.SHARE_PEER_MATCHES, rows,
          "date = DATE'" + d + "' AND bundle_id = '" + bundle.id() + "'");
    } finally {
      hits.unpersist();
    }
    Faults.point("share-match:after-matches");

    group.step("share match " + d + ": outputs");
    Dataset<Row> written = lake.read(Tables.SHARE_PEER_MATCHES)
        .where(col("date").equalTo(lit(day)).and(col("bundle_id").equalTo(lit(bundle.id()))));
    CampaignTables t = CampaignTables.NIGHTLY;
    Dataset<Row> ours = lake.readIfExists(t.members()).where(col("date").equalTo(lit(day)))
        .select("account_id", "campaign_id", "flagged");
    Dataset<Row> matches = written.groupBy("peer_campaign", "account_id")
        .agg(first("peer_campaign_name", true).as("peer_campaign_name"), first("lead").as("lead"),
            array_join(array_sort(collect_set("kind")), " ").as("kinds"), countDistinct("indicator_id").as("indicators"))
        .join(ours, new String[] {"account_id"}, "left")
        .select("peer_campaign_name", "peer_campaign", "account_id", "lead", "indicators", "kinds", "campaign_id", "flagged")
        .orderBy(col("peer_campaign"), col("lead").desc(), col("account_id"));
    writeCsv(matches, options.outDir() + "/matches.csv");
    Dataset<Row> overlaps = written.where(col("lead")).select("peer_campaign", "peer_campaign_name", "account_id").distinct()
        .join(ours, "account_id")
        .groupBy("peer_campaign", "campaign_id").agg(first("peer_campaign_name", true).as("peer_campaign_name"),
            first("flagged").as("flagged"), count(lit(1)).as("leads"))
        .join(lake.readIfExists(t.campaigns()).where(col("date").equalTo(lit(day)))
            .select(col("campaign_id"), col("cluster_size"), round(col("score"), 3).as("score")), new String[] {"campaign_id"}, "left")
        .select("peer_campaign_name", "peer_campaign", "campaign_id", "flagged", "score", "cluster_size", "leads")
        .orderBy(col("peer_campaign"), col("leads").desc(), col("campaign_id"));
    writeCsv(overlaps, options.outDir() + "/overlaps.csv");

    Row c = written.agg(countDistinct("account_id"), countDistinct(when(col("lead"), col("account_id")))).first();
    long ourCampaigns = overlaps.select("campaign_id").distinct().count();
    return new Result(d, bundle.id(), bundle.campaignNames().size(), bundle.indicators(), bundle.indicatorsNotEvaluated(),
        bundle.otherObjects(), c.getLong(0), c.getLong(1), ourCampaigns, options.key() != null);
  }

  private static void writeCsv(Dataset<Row> rows, String target) {
    try {
      CsvFile.write(rows, target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  private LocalDate latestDay() {
    Row r = lake.read(Tables.GOLD_ACCOUNT_DAILY).agg(max("date")).first();
    if (r.isNullAt(0)) {
      throw new InvalidInputException("gold.account_daily of lake " + lake.root() + " is empty; run features first");
    }
    return r.getDate(0).toLocalDate();
  }

  /** (indicator_id, peer_campaign, kind, account_id): every account of the window holding an indicator's term. */
  private Dataset<Row> hits(WindowInputs in, Dataset<Row> terms, PeerBundle bundle) {
    List<Dataset<Row>> parts = new ArrayList<>();
    Dataset<Row> events = in.events().select("account_id", "ip", "asn", "user_agent").distinct();

    // template signatures: our templates in the buckets of the peer's band keys (candidates), kept when the
    // centre signatures agree as much as our own template assignment asks of a prompt joining a template;
    // a signature without its MinHash rows (another tool's) needs half of its band keys in one of our templates
    Dataset<Row> bandTerms = terms.where(col("kind").equalTo(Indicators.TEMPLATE))
        .select(col("indicator_id"), col("peer_campaign"), col("value").cast("long").as("band_key"));
    if (lake.exists(Tables.SILVER_TEMPLATE_BANDS)) {
      Dataset<Row> keysPerIndicator = bandTerms.select("indicator_id", "band_key").distinct()
          .groupBy("indicator_id").agg(count(lit(1)).as("keys"));
      List<Row> sigRows = bundle.signatures().entrySet().stream()
          .map(e -> RowFactory.create(e.getKey(), Arrays.stream(e.getValue()).boxed().toArray(Long[]::new))).toList();
      Dataset<Row> peerSignatures = spark.createDataFrame(sigRows, new StructType().add("indicator_id", DataTypes.StringType)
          .add("peer_signature", DataTypes.createArrayType(DataTypes.LongType)));
      Dataset<Row> candidates = bandTerms.join(lake.read(Tables.SILVER_TEMPLATE_BANDS).select("band_key", "template_id", "signature"),
              "band_key")
          .join(peerSignatures, new String[] {"indicator_id"}, "left")
          .withColumn("similarity", when(col("peer_signature").isNotNull().and(size(col("peer_signature")).equalTo(size(col("signature")))),
              expr("aggregate(zip_with(signature, peer_signature, (x, y) -> if(x = y, 1, 0)), 0, (a, v) -> a + v) / size(signature)")));
      Dataset<Row> templates = candidates
          .groupBy("indicator_id", "peer_campaign", "template_id")
          .agg(countDistinct("band_key").as("shared"), max("similarity").as("similarity"),
              max(col("peer_signature").isNotNull().cast("int")).as("signed"))
          .join(keysPerIndicator, "indicator_id")
          .where(when(col("signed").equalTo(1), col("similarity").geq(Indicators.TEMPLATE_SIMILARITY - 1e-9))
              .otherwise(col("shared").multiply(2).geq(col("keys"))));
      parts.add(templates.join(in.requests().select("account_id", "template_id").distinct(), "template_id")
          .select(col("indicator_id"), col("peer_campaign"), lit(Indicators.TEMPLATE).as("kind"), col("account_id")));
    }

    // identities: our registry values hashed under the same community key
    if (options.key() != null) {
      CommunityKey key = options.key();
      Dataset<Row> registry = in.registry();
      for (String[] kc : new String[][] {{Indicators.PAYMENT, "payment_fingerprint"}, {Indicators.EMAIL_DOMAIN, "email_domain"},
          {Indicators.SIGNUP_IP, "signup_ip"}}) {
        String kind = kc[0];
        UserDefinedFunction h = udf((UDF1<String, String>) v -> key.hmac(kind, v), DataTypes.StringType);
        parts.add(registry.select(col("account_id"), h.apply(col(kc[1])).as("value"))
            .join(terms.where(col("kind").equalTo(kind)), "value")
            .select(col("indicator_id"), col("peer_campaign"), lit(kind).as("kind"), col("account_id")));
      }
    }

    // networks: a peer's /24s by equality on each address's /24 (the common case, any size of traffic);
    // other prefix lengths, a short list, by testing each address against each
    Dataset<Row> networkTerms = terms.where(col("kind").equalTo(Indicators.NETWORK));
    UserDefinedFunction slash24 = udf((UDF1<String, String>) Indicators::network24, DataTypes.StringType);
    parts.add(events.select(col("account_id"), slash24.apply(col("ip")).as("value"))
        .join(networkTerms.where(col("value").endsWith("/24")), "value")
        .select(col("indicator_id"), col("peer_campaign"), lit(Indicators.NETWORK).as("kind"), col("account_id")));
    List<String> cidrs = bundle.terms().stream().filter(t -> t.kind().equals(Indicators.NETWORK) && !t.value().endsWith("/24"))
        .map(PeerBundle.Term::value).distinct().sorted().toList();
    if (!cidrs.isEmpty()) {
      List<Indicators.Cidr> parsed = cidrs.stream().map(s -> Indicators.Cidr.parse(s).orElseThrow()).toList();
      UserDefinedFunction within = udf((UDF1<String, scala.collection.immutable.Seq<String>>) ip -> {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < parsed.size(); i++) {
          if (parsed.get(i).contains(ip)) {
            out.add(cidrs.get(i));
          }
        }
        return scala.jdk.javaapi.CollectionConverters.asScala(out).toList();
      }, DataTypes.createArrayType(DataTypes.StringType));
      parts.add(events.select(col("account_id"), explode(within.apply(col("ip"))).as("value"))
          .join(networkTerms, "value")
          .select(col("indicator_id"), col("peer_campaign"), lit(Indicators.NETWORK).as("kind"), col("account_id")));
    }
    parts.add(events.select(col("account_id"), col("asn").cast("string").as("value"))
        .join(terms.where(col("kind").equalTo(Indicators.ASN)), "value")
        .select(col("indicator_id"), col("peer_campaign"), lit(Indicators.ASN).as("kind"), col("account_id")));
    parts.add(events.select(col("account_id"), col("user_agent").as("value"))
        .join(terms.where(col("kind").equalTo(Indicators.USER_AGENT)), "value")
        .select(col("indicator_id"), col("peer_campaign"), lit(Indicators.USER_AGENT).as("kind"), col("account_id")));
    Dataset<Row> all = parts.get(0);
    for (int i = 1; i < parts.size(); i++) {
      all = all.unionByName(parts.get(i));
    }
    return all;
  }
}
