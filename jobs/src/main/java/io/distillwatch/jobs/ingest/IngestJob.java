package io.distillwatch.jobs.ingest;

import io.delta.tables.DeltaTable;
import io.distillwatch.features.validate.EventValidator;
import io.distillwatch.features.validate.Validation;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LakeJob;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.spark.Faults;
import io.distillwatch.jobs.spark.JobGroup;
import io.distillwatch.jobs.spark.SparkActivity;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Validates one landing date and loads it into the lake.
 *
 * <p>Reads {@code <landing>/events/date=D} (JSON Lines, gzip'd or not, and Parquet) and
 * {@code <landing>/accounts/date=D} (optional), validates every field, and writes, in this
 * order, each step an atomic Delta commit that a re-run reproduces exactly:
 * <ol>
 *   <li>{@code quarantine.events} for landing date D (replaceWhere): invalid lines and
 *       conflicting duplicate deliveries, each with its raw line, reason and source file;</li>
 *   <li>{@code bronze.events} (MERGE on event_date + event_id): new events are inserted, a
 *       repeated delivery of an event already present is not counted twice;</li>
 *   <li>{@code quarantine.accounts}, {@code bronze.accounts_history} (replaceWhere) and
 *       {@code bronze.accounts} (MERGE on account_id, the newest snapshot wins);</li>
 *   <li>{@code ops.runs}: the counts of this run.</li>
 * </ol>
 * A crash between two commits leaves every table consistent, and the re-run completes the rest.
 *
 * <p>Cost: the landing files are read once and kept on executors (memory, then disk); one
 * shuffle by event_id for deduplication; the MERGE touches only the partitions of the accepted
 * time window. Nothing but counts reaches the driver.
 */
public final class IngestJob extends LakeJob<IngestJob.Result> {
  public static final String NAME = "ingest";

  /**
   * @param maxQuarantineRatio the night fails, writing nothing, when more than this share of
   *     the day's lines would be quarantined (upstream breakage, not a few bad lines)
   */
  public record Options(String landing, LocalDate date, EventValidator.Limits limits, double maxQuarantineRatio) {
    public Options {
      if (!(maxQuarantineRatio >= 0 && maxQuarantineRatio <= 1)) {
        throw new IllegalArgumentException("maxQuarantineRatio must be in [0, 1]");
      }
    }
  }

  /** Counts of one run: read = accepted + quarantined, and accepted = inserted + already present. */
  public record Result(int files, int ignoredFiles, long read, long accepted, long inserted, long quarantined,
                       long accountsRead, long accountsAccepted, long accountsQuarantined) {
    public long alreadyPresent() {
      return accepted - inserted;
    }

    public Map<String, Long> metrics() {
      Map<String, Long> m = new LinkedHashMap<>();
      m.put("files", (long) files);
      m.put("ignored_files", (long) ignoredFiles);
      m.put("read", read);
      m.put("accepted", accepted);
      m.put("inserted", inserted);
      m.put("quarantined", quarantined);
      m.put("accounts_read", accountsRead);
      m.put("accounts_accepted", accountsAccepted);
      m.put("accounts_quarantined", accountsQuarantined);
      return m;
    }

    public String summary() {
      return String.format("read %,d = accepted %,d (new %,d, already present %,d) + quarantined %,d; accounts %,d = %,d + %,d quarantined",
          read, accepted, inserted, alreadyPresent(), quarantined, accountsRead, accountsAccepted, accountsQuarantined);
    }
  }

  private final Options options;

  public IngestJob(Lake lake, Options options) {
    super(lake, NAME);
    this.options = options;
  }

  @Override
  protected Map<String, ?> description() {
    Map<String, Object> desc = new LinkedHashMap<>();
    desc.put("date", options.date());
    desc.put("landing", options.landing());
    desc.put("lake", lake.root());
    return desc;
  }

  @Override
  protected Optional<Run> record(Result r) {
    return Optional.of(new Run(options.date(), r.metrics()));
  }

  @Override
  protected Result run(JobGroup group) {
    LocalDate d = options.date();
    String eventsDir = options.landing() + "/events/date=" + d;
    LandingReader.Listing files = LandingReader.list(spark.sparkContext().hadoopConfiguration(), eventsDir, true);

    group.step("ingest " + d + ": read and validate events");
    Dataset<Row> validated = Validation.events(LandingReader.read(spark, files), d, options.limits())
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    try {
      Row counts = validated.agg(count(lit(1)), sum(when(col("reason").isNull(), 1).otherwise(0))).first();
      long read = counts.getLong(0);
      long valid = counts.isNullAt(1) ? 0 : counts.getLong(1);

      Dataset<Row> existing = lake.readIfExists(Tables.BRONZE_EVENTS)
          .where(col("event_date").between(lit(d.minusDays(15).toString()).cast("date"), lit(d.plusDays(9).toString()).cast("date")))
          .select("event_id", "content_hash", "landing_date", "source_file", "line_number");
      Validation.Batch batch = Validation.plan(validated.where(col("reason").isNull()), existing);
      // conflicts are few; kept so the count and the quarantine write do not redo the window and join
      Dataset<Row> conflictRows = batch.conflicts().persist(StorageLevel.MEMORY_AND_DISK_SER());
      Dataset<Row> quarantine = validated.where(col("reason").isNotNull()).select(Validation.quarantineColumns())
          .unionByName(conflictRows);
      group.step("ingest " + d + ": find conflicting duplicates");
      long conflicts = conflictRows.count();
      long toQuarantine = read - valid + conflicts;
      if (read > 0 && (double) toQuarantine / read > options.maxQuarantineRatio()) {
        conflictRows.unpersist();
        throw new InvalidInputException(String.format(
            "%,d of %,d lines (%.1f%%) of %s would be quarantined, more than --max-quarantine-ratio %s; nothing was written",
            toQuarantine, read, 100.0 * toQuarantine / read, d, options.maxQuarantineRatio()));
      }

      group.step("ingest " + d + ": write quarantine.events");
      lake.replace(Tables.QUARANTINE_EVENTS, quarantine, "landing_date = DATE'" + d + "'");
      conflictRows.unpersist();
      long quarantined = lake.read(Tables.QUARANTINE_EVENTS).where(col("landing_date").equalTo(lit(d.toString()).cast("date"))).count();
      Faults.point("ingest:after-quarantine");

      group.step("ingest " + d + ": merge into bronze.events");
      long inserted = mergeEvents(batch.toMerge(), d);
      Faults.point("ingest:after-events");

      long accepted = valid - conflicts;
      if (accepted + quarantined != read) {
        throw new IllegalStateException(String.format(
            "invariant broken for %s: accepted %d + quarantined %d != read %d", d, accepted, quarantined, read));
      }

      long[] acc = ingestAccounts(group, d);
      Faults.point("ingest:after-accounts");
      Result result = new Result(files.files(), files.ignored().size(), read, accepted, inserted, quarantined,
          acc[0], acc[1], acc[2]);
      return result;
    } finally {
      validated.unpersist();
    }
  }

  /**
   * MERGE keyed on (event_date, event_id), pruned to the partitions the validator accepts for
   * landing date D. A repeated delivery with the same content only moves the provenance to the
   * earliest delivery, so ingesting days out of order gives the same table.
   */
  private long mergeEvents(Dataset<Row> rows, LocalDate d) {
    DeltaTable target = lake.ensure(Tables.BRONZE_EVENTS);
    String window = String.format("t.event_date >= DATE'%s' AND t.event_date <= DATE'%s'",
        d.minusDays(options.limits().maxLatenessDays()), d.plusDays(1 + (options.limits().maxFutureHours() + 23) / 24));
    String earlier = "s.landing_date < t.landing_date OR (s.landing_date = t.landing_date AND "
        + "(s.source_file < t.source_file OR (s.source_file = t.source_file AND s.line_number < t.line_number)))";
    target.as("t")
        .merge(lake.rowsToWrite(Tables.BRONZE_EVENTS, rows).as("s"),
            window + " AND t.event_date = s.event_date AND t.event_id = s.event_id")
        .whenMatched("s.content_hash = t.content_hash AND (" + earlier + ")").updateAll()
        .whenNotMatched().insertAll()
        .execute();
    SparkActivity.commit();
    return lastMetric(target, "numTargetRowsInserted");
  }

  /** Returns {read, accepted, quarantined} for the account snapshot of D (zeros if none was delivered). */
  private long[] ingestAccounts(JobGroup group, LocalDate d) {
    String dir = options.landing() + "/accounts/date=" + d;
    LandingReader.Listing files = LandingReader.list(spark.sparkContext().hadoopConfiguration(), dir, false);
    group.step("ingest " + d + ": accounts");
    Dataset<Row> validated = Validation.accounts(LandingReader.read(spark, files), d)
        .persist(StorageLevel.MEMORY_AND_DISK_SER());
    try {
      Dataset<Row> bad = validated.where(col("reason").isNotNull()).select(
          col("landing_date"), col("source_file"), col("line_number"), col("raw_line"), col("reason"),
          col("account_id").as("record_id"));
      lake.replace(Tables.QUARANTINE_ACCOUNTS, bad, "landing_date = DATE'" + d + "'");

      // the last line of a snapshot about an account is its newest state
      Dataset<Row> latest = validated.where(col("reason").isNull())
          .withColumn("_rank", row_number().over(Window.partitionBy("account_id")
              .orderBy(col("source_file").desc(), col("line_number").desc())))
          .where(col("_rank").equalTo(1))
          .withColumn("snapshot_date", col("landing_date"));
      lake.replace(Tables.BRONZE_ACCOUNTS_HISTORY, latest, "snapshot_date = DATE'" + d + "'");
      lake.upsert(Tables.BRONZE_ACCOUNTS, latest, "s.snapshot_date >= t.snapshot_date");

      Row c = validated.agg(count(lit(1)), sum(when(col("reason").isNull(), 1).otherwise(0))).first();
      long read = c.getLong(0);
      long ok = c.isNullAt(1) ? 0 : c.getLong(1);
      return new long[] {read, ok, read - ok};
    } finally {
      validated.unpersist();
    }
  }

  static long lastMetric(DeltaTable table, String metric) {
    Row h = table.history(1).select("operationMetrics").first();
    scala.collection.Map<String, String> m = h.getMap(0);
    return m.contains(metric) ? Long.parseLong(m.apply(metric)) : 0L;
  }
}
