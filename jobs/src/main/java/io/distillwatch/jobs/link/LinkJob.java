package io.distillwatch.jobs.link;

import io.distillwatch.features.campaigns.AccountActivity;
import io.distillwatch.features.linkage.AccountLinks;
import io.distillwatch.features.linkage.LinkKind;
import io.distillwatch.features.spark.Materialized;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LakeJob;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.lake.WindowInputs;
import io.distillwatch.jobs.spark.Faults;
import io.distillwatch.jobs.spark.JobGroup;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;

/**
 * {@code link --lake K --date D}: the account link graph of the window ending at D
 * ({@link AccountLinks}), written to {@code <ns>.account_links} (the date's rows replaced) with
 * the hub guard's report in {@code <ns>.link_hubs}.
 */
public final class LinkJob extends LakeJob<LinkJob.Result> {
  public static final String NAME = "link";

  /**
   * @param windowDays days of traffic the graph covers, ending at the date
   * @param minWeight pairs below this total weight are not edges
   * @param hubLimit if positive, overrides every kind's hub limit
   * @param starAbove attribute groups larger than this become stars instead of cliques
   */
  public record Options(LocalDate date, int windowDays, double minWeight, int hubLimit, int starAbove,
                        double behaviourDistance, CampaignTables tables) {
    public static final int DEFAULT_WINDOW = 7;
    public static final double DEFAULT_MIN_WEIGHT = 1.0;
    public static final int DEFAULT_STAR_ABOVE = 64;
    public static final double DEFAULT_BEHAVIOUR_DISTANCE = 0.6;

    public Options {
      if (windowDays < 1 || windowDays > 90) {
        throw new IllegalArgumentException("window must be 1 to 90 days");
      }
      if (!(minWeight > 0)) {
        throw new IllegalArgumentException("min link weight must be positive");
      }
      if (hubLimit < 0 || hubLimit == 1) {
        throw new IllegalArgumentException("hub limit must be 0 (the per-kind defaults) or at least 2");
      }
      if (starAbove < 2) {
        throw new IllegalArgumentException("star-above must be at least 2");
      }
      if (!(behaviourDistance >= 0)) {
        throw new IllegalArgumentException("behaviour distance must be >= 0 (0 turns behaviour links off)");
      }
    }

    public static Options defaults(LocalDate date) {
      return new Options(date, DEFAULT_WINDOW, DEFAULT_MIN_WEIGHT, 0, DEFAULT_STAR_ABOVE, DEFAULT_BEHAVIOUR_DISTANCE,
          CampaignTables.NIGHTLY);
    }

    List<LinkKind> kinds() {
      List<LinkKind> k = new ArrayList<>();
      for (LinkKind kind : LinkKind.defaults()) {
        k.add(hubLimit > 0 && !kind.name().equals(LinkKind.BEHAVIOUR) ? kind.withHubLimit(hubLimit) : kind);
      }
      return k;
    }
  }

  public record Result(long activeAccounts, long edges, long linkedAccounts, Map<String, Long> droppedHubs) {
    public String summary() {
      long dropped = droppedHubs.values().stream().mapToLong(Long::longValue).sum();
      return String.format("%,d active accounts, %,d link edges over %,d accounts; hub guard dropped %,d attributes%s",
          activeAccounts, edges, linkedAccounts, dropped, dropped == 0 ? "" : " " + droppedHubs);
    }

    Map<String, Long> metrics() {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("active_accounts", activeAccounts);
      m.put("edges", edges);
      m.put("linked_accounts", linkedAccounts);
      droppedHubs.forEach((k, v) -> m.put("hub_dropped_" + k, v));
      return m;
    }
  }

  /**
   * The peer leads of the window ({@code share.peer_matches}, matched on nights of the window up to the
   * date): each lead holds its peer campaign as an attribute of kind {@code peer_indicator}.
   */
  private Dataset<Row> peerMemberships(WindowInputs in, Dataset<Row> activity) {
    Dataset<Row> active = activity.select("account_id", "org_id");
    return lake.readIfExists(Tables.SHARE_PEER_MATCHES)
        .where(col("lead").and(col("date").between(lit(in.from()), lit(in.to()))))
        .select(col("account_id"), lit(LinkKind.PEER_INDICATOR).as("kind"),
            concat_ws("/", col("bundle_id"), col("peer_campaign")).as("key"))
        .distinct().join(active, "account_id")
        .select("account_id", "org_id", "kind", "key");
  }

  private final Options options;

  public LinkJob(Lake lake, Options options) {
    super(lake, NAME);
    this.options = options;
  }

  @Override
  protected Map<String, ?> description() {
    Map<String, Object> desc = new LinkedHashMap<>();
    desc.put("date", options.date());
    desc.put("lake", lake.root());
    desc.put("window-days", options.windowDays());
    desc.put("min-weight", options.minWeight());
    desc.put("hub-limit", options.hubLimit());
    return desc;
  }

  @Override
  protected Optional<Run> record(Result r) {
    return options.tables() == CampaignTables.NIGHTLY ? Optional.of(new Run(options.date(), r.metrics())) : Optional.empty();
  }

  @Override
  protected Result run(JobGroup group) {
    LocalDate d = options.date();
    CampaignTables t = options.tables();
    WindowInputs in = new WindowInputs(lake, d, options.windowDays());
    group.step("link " + d + ": account activity");
    Dataset<Row> activity = Materialized.of(in.activity());
    try {
      long active = activity.count();
      if (active == 0) {
        throw new InvalidInputException("no account activity in gold.account_daily for the " + options.windowDays()
            + " days ending " + d + "; run features for those dates first");
      }
      group.step("link " + d + ": memberships");
      // computed once: the edge plan reads it in many branches
      Dataset<Row> memberships = Materialized.of(AccountLinks.registryMemberships(in.registry())
          .unionByName(AccountLinks.usageMemberships(in.events()))
          .unionByName(AccountLinks.templateMemberships(in.requests()))
          .unionByName(peerMemberships(in, activity)));
      double behaviourWeight = options.kinds().stream().filter(k -> k.name().equals(LinkKind.BEHAVIOUR)).findFirst()
          .orElseThrow().weight();
      // behaviour is measured on the pairs that have identity evidence (it never links alone)
      Function<Dataset<Row>, Dataset<Row>> behaviour = options.behaviourDistance() > 0
          ? candidates -> AccountLinks.behaviourPairs(activity, AccountActivity.BEHAVIOUR_FEATURES, candidates,
              options.behaviourDistance(), 5, behaviourWeight)
          : null;
      group.step("link " + d + ": edges");
      AccountLinks.Links links = AccountLinks.edges(spark, memberships, behaviour, options.kinds(), active,
          options.starAbove(), options.minWeight());
      Date day = Date.valueOf(d);
      lake.replace(t.links(), links.edges().withColumn("date", lit(day)), "date = DATE'" + d + "'");
      Faults.point("link:after-links");
      group.step("link " + d + ": hub report");
      lake.replace(t.hubs(), links.hubs().withColumn("date", lit(day)), "date = DATE'" + d + "'");
      Map<String, Long> dropped = new TreeMap<>();
      for (Row h : lake.read(t.hubs()).where(col("date").equalTo(lit(day))).collectAsList()) { // a row per kind
        dropped.put(h.getString(h.fieldIndex("kind")), h.getLong(h.fieldIndex("dropped_attributes")));
      }
      links.release();
      Materialized.release(memberships);

      Dataset<Row> written = lake.read(t.links()).where(col("date").equalTo(lit(day)));
      long edges = written.count();
      long linked = written.select(col("src").as("a")).union(written.select(col("dst").as("a"))).distinct().count();
      Result r = new Result(active, edges, linked, dropped);
      return r;
    } finally {
      Materialized.release(activity);
    }
  }
}
