package io.distillwatch.features.campaigns;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

/**
 * Campaign ids that stay stable across nights. The candidates are the campaigns of the last
 * {@link #LOOKBACK_NIGHTS} nights, each as it last stood (its members on the last of those nights it
 * appeared). Each pair of a tonight's cluster and a candidate that share accounts is scored by the
 * Jaccard index of their members; pairs are taken best first (ties: more shared accounts, then the
 * smaller id, then the smaller cluster key), a pair whose cluster or id is already taken is
 * skipped, and a taken pair continues the candidate's id. Every other cluster gets a new id, derived
 * from the date and its smallest member (so a re-run gives the same id).
 *
 * <p>Why the lookback and not the previous night only: a campaign spread over many accounts (a
 * hydra) can come out in pieces one night, merged the next and in pieces again the night after;
 * matched against the previous night alone, every re-formed piece but one would get a new id. A
 * candidate last seen before the previous night that is taken again is {@code resumed}.
 *
 * <p>Lineage is recorded against the previous night: tonight's overlaps with a previous night's
 * campaign of another id, {@code split_from} when that campaign continues tonight, {@code merged_from}
 * when it does not.
 *
 * <p>Cost: one join of tonight's members with the lookback's members, grouped by (cluster, id);
 * the clusters (one row each) and the overlapping pairs (about one per cluster) are collected to
 * the driver, where the matching runs.
 */
public final class CampaignIds {
  /** Campaigns asleep longer than this (a week of nights, like the link window) start anew. */
  public static final int LOOKBACK_NIGHTS = 7;

  private CampaignIds() {}

  /**
   * @param ids cluster_key, campaign_id, status (new, continuing, resumed, regrouped)
   * @param lineage campaign_id, related_id, relation, shared_accounts
   */
  public record Assignment(Dataset<Row> ids, Dataset<Row> lineage) {}

  public static final StructType IDS = new StructType()
      .add("cluster_key", DataTypes.LongType, false)
      .add("campaign_id", DataTypes.StringType, false)
      .add("status", DataTypes.StringType, false);
  public static final StructType LINEAGE = new StructType()
      .add("campaign_id", DataTypes.StringType, false)
      .add("related_id", DataTypes.StringType, false)
      .add("relation", DataTypes.StringType, false)
      .add("shared_accounts", DataTypes.LongType, false);

  /** One of tonight's clusters: its key, smallest member and size. */
  public record Cluster(long key, String anchor, long size) {}

  /** A cluster and a candidate that share accounts; {@code lastSeen} is the candidate's night. */
  public record Overlap(long clusterKey, String campaignId, LocalDate lastSeen, long shared, long campaignSize) {}

  public record Id(long clusterKey, String campaignId, String status) {}

  public record Lineage(String campaignId, String relatedId, String relation, long shared) {}

  public record Matching(List<Id> ids, List<Lineage> lineage) {}

  /**
   * @param current account_id, cluster_key (tonight's clusters)
   * @param history account_id, campaign_id, date: the members of the campaigns of the lookback nights
   *                (the job reads the last {@link #LOOKBACK_NIGHTS} nights before tonight)
   * @param previousNight the last night before tonight, or null if there is none
   */
  public static Assignment assign(LocalDate date, Dataset<Row> current, Dataset<Row> history, LocalDate previousNight) {
    SparkSession spark = current.sparkSession();
    Dataset<Row> candidates = history.join(history.groupBy("campaign_id").agg(max("date").as("date")),
            new String[] {"campaign_id", "date"})
        .select(col("account_id"), col("campaign_id"), col("date").as("last_seen"));
    Dataset<Row> candidateSizes = candidates.groupBy("campaign_id").agg(count(lit(1)).as("campaign_size"));
    List<Row> pairs = current.select("account_id", "cluster_key").join(candidates, "account_id")
        .groupBy("cluster_key", "campaign_id", "last_seen").agg(count(lit(1)).as("shared"))
        .join(candidateSizes, "campaign_id")
        .collectAsList(); // about one row per cluster
    List<Overlap> overlaps = new ArrayList<>(pairs.size());
    for (Row r : pairs) {
      overlaps.add(new Overlap(r.getLong(r.fieldIndex("cluster_key")), r.getString(r.fieldIndex("campaign_id")),
          r.getDate(r.fieldIndex("last_seen")).toLocalDate(), r.getLong(r.fieldIndex("shared")),
          r.getLong(r.fieldIndex("campaign_size"))));
    }
    List<Cluster> clusters = new ArrayList<>();
    for (Row r : current.groupBy("cluster_key").agg(min("account_id").as("anchor"), count(lit(1)).as("size"))
        .collectAsList()) { // one row per cluster
      clusters.add(new Cluster(r.getLong(0), r.getString(1), r.getLong(2)));
    }
    Matching m = match(date, clusters, overlaps, previousNight);
    List<Row> idRows = m.ids().stream().map(i -> RowFactory.create(i.clusterKey(), i.campaignId(), i.status())).toList();
    List<Row> lineageRows = m.lineage().stream()
        .map(l -> RowFactory.create(l.campaignId(), l.relatedId(), l.relation(), l.shared())).toList();
    return new Assignment(spark.createDataFrame(idRows, IDS), spark.createDataFrame(lineageRows, LINEAGE));
  }

  /** The matching itself, on the driver: pure, so a test can work it out by hand. */
  public static Matching match(LocalDate date, List<Cluster> clusters, List<Overlap> overlaps, LocalDate previousNight) {
    Map<Long, Long> clusterSize = new HashMap<>();
    clusters.forEach(c -> clusterSize.put(c.key(), c.size()));
    List<Overlap> ranked = new ArrayList<>(overlaps);
    ranked.sort(Comparator.comparingDouble((Overlap o) -> -jaccard(o, clusterSize.get(o.clusterKey())))
        .thenComparing(o -> -o.shared())
        .thenComparing(Overlap::campaignId)
        .thenComparingLong(Overlap::clusterKey));
    Map<Long, Overlap> taken = new HashMap<>();
    Set<String> takenIds = new HashSet<>();
    for (Overlap o : ranked) {
      if (!taken.containsKey(o.clusterKey()) && !takenIds.contains(o.campaignId())) {
        taken.put(o.clusterKey(), o);
        takenIds.add(o.campaignId());
      }
    }
    Set<Long> touched = new HashSet<>();
    overlaps.forEach(o -> touched.add(o.clusterKey()));

    List<Id> ids = new ArrayList<>(clusters.size());
    Map<Long, String> idOf = new HashMap<>();
    for (Cluster c : clusters) {
      Overlap o = taken.get(c.key());
      String id;
      String status;
      if (o != null) {
        id = o.campaignId();
        status = o.lastSeen().equals(previousNight) ? "continuing" : "resumed";
      } else {
        id = newId(date, c.anchor());
        status = touched.contains(c.key()) ? "regrouped" : "new";
      }
      ids.add(new Id(c.key(), id, status));
      idOf.put(c.key(), id);
    }
    List<Lineage> lineage = new ArrayList<>();
    for (Overlap o : overlaps) {
      String now = idOf.get(o.clusterKey());
      if (o.lastSeen().equals(previousNight) && now != null && !now.equals(o.campaignId())) {
        lineage.add(new Lineage(now, o.campaignId(), takenIds.contains(o.campaignId()) ? "split_from" : "merged_from",
            o.shared()));
      }
    }
    return new Matching(ids, lineage);
  }

  private static double jaccard(Overlap o, Long clusterSize) {
    if (clusterSize == null) {
      throw new IllegalArgumentException("overlap with an unknown cluster " + o.clusterKey());
    }
    return (double) o.shared() / (clusterSize + o.campaignSize() - o.shared());
  }

  /** {@code cmp-<yyyymmdd>-<first 10 hex digits of SHA-256 of the smallest member>}. */
  static String newId(LocalDate date, String anchor) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(anchor.getBytes(StandardCharsets.UTF_8));
      return "cmp-" + date.toString().replace("-", "") + "-" + HexFormat.of().formatHex(h).substring(0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  /** The rows of a date-partitioned table on the given nights (the lookback). */
  public static Dataset<Row> onNights(Dataset<Row> table, List<LocalDate> nights) {
    Object[] dates = nights.stream().map(Date::valueOf).toArray();
    return table.where(dates.length == 0 ? lit(false) : col("date").isin(dates));
  }
}
