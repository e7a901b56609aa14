package io.distillwatch.jobs.purge;

import io.delta.tables.DeltaTable;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LakeJob;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.spark.Faults;
import io.distillwatch.jobs.spark.JobGroup;
import org.apache.spark.sql.Column;

import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * {@code purge --lake K --before D}: the retention of raw text. Prompts, system prompts and responses of
 * events before D are blanked in {@code bronze.events} (the prompt to the empty string, since it is a
 * required column; the others to null), the raw lines of quarantined records landed before D are
 * nulled, and both tables are vacuumed with no retention, so no older file holding the text survives
 * (time travel to versions before the purge ends there). Everything derived stays: metadata and
 * content hashes in bronze (so a re-delivered purged event still counts once), templates with their
 * masked representatives, features, links and campaigns. Idempotent: a second purge finds nothing to
 * blank and nothing to vacuum.
 */
public final class PurgeJob extends LakeJob<PurgeJob.Result> {
  public static final String NAME = "purge";

  public record Options(LocalDate before, LocalDate today) {
    public Options {
      if (before.isAfter(today)) {
        throw new IllegalArgumentException("--before " + before + " is in the future; purge keeps raw text of "
            + "the days not yet past");
      }
    }
  }

  public record Result(long eventsBlanked, long quarantineBlanked, long filesRemoved) {
    public String summary(LocalDate before) {
      return String.format("purge before %s: raw text removed from %,d events and %,d quarantined lines; %,d old files vacuumed",
          before, eventsBlanked, quarantineBlanked, filesRemoved);
    }
  }

  private final Options options;

  public PurgeJob(Lake lake, Options options) {
    super(lake, NAME);
    this.options = options;
  }

  @Override
  protected Map<String, ?> description() {
    return Map.of("lake", lake.root(), "before", options.before());
  }

  @Override
  protected Optional<Run> record(Result r) {
    Map<String, Long> metrics = new LinkedHashMap<>();
    metrics.put("events_blanked", r.eventsBlanked());
    metrics.put("quarantine_blanked", r.quarantineBlanked());
    metrics.put("files_vacuumed", r.filesRemoved());
    return Optional.of(new Run(options.before(), metrics));
  }

  @Override
  protected Result run(JobGroup group) {
    if (!lake.exists(Tables.BRONZE_EVENTS)) {
      throw new InvalidInputException("lake " + lake.root() + " has no bronze.events; nothing to purge");
    }
    Date before = Date.valueOf(options.before());
    group.step("purge: blank raw text in bronze.events");
    DeltaTable events = lake.ensure(Tables.BRONZE_EVENTS);
    Column old = col("event_date").lt(lit(before));
    Column hasText = col("prompt").notEqual(lit("")).or(col("system_prompt").isNotNull()).or(col("response").isNotNull());
    long eventsBlanked = events.toDF().where(old.and(hasText)).count();
    if (eventsBlanked > 0) {
      Map<String, Column> blank = new LinkedHashMap<>();
      blank.put("prompt", lit(""));
      blank.put("system_prompt", lit(null).cast("string"));
      blank.put("response", lit(null).cast("string"));
      events.update(old.and(hasText), blank);
    }
    Faults.point("purge:after-events");

    group.step("purge: blank raw lines in quarantine.events");
    long quarantineBlanked = 0;
    if (lake.exists(Tables.QUARANTINE_EVENTS)) {
      DeltaTable quarantine = lake.ensure(Tables.QUARANTINE_EVENTS);
      Column oldLines = col("landing_date").lt(lit(before)).and(col("raw_line").isNotNull());
      quarantineBlanked = quarantine.toDF().where(oldLines).count();
      if (quarantineBlanked > 0) {
        quarantine.update(oldLines, Map.of("raw_line", lit(null).cast("string")));
      }
    }

    group.step("purge: vacuum");
    // the files the updates replaced still hold the text until vacuumed; a zero retention needs
    // Delta's safety check off for this session's vacuum only
    String check = "spark.databricks.delta.retentionDurationCheck.enabled";
    String previous = spark.conf().get(check, "true");
    long removed;
    try {
      spark.conf().set(check, "false");
      removed = vacuum(lake.path(Tables.BRONZE_EVENTS), events) + (lake.exists(Tables.QUARANTINE_EVENTS)
          ? vacuum(lake.path(Tables.QUARANTINE_EVENTS), lake.ensure(Tables.QUARANTINE_EVENTS)) : 0);
    } finally {
      spark.conf().set(check, previous);
    }
    return new Result(eventsBlanked, quarantineBlanked, removed);
  }

  /** Vacuums with no retention; returns how many data files it deleted (counted on storage, before and after). */
  private long vacuum(String path, DeltaTable table) {
    // with deletion vectors an update leaves the old rows in place, only marked deleted: rewrite those
    // files first (a no-op on tables without deletion vectors)
    spark.sql("REORG TABLE delta.`" + path.replace("`", "``") + "` APPLY (PURGE)");
    long before = dataFiles(path);
    table.vacuum(0.0);
    return before - dataFiles(path);
  }

  private long dataFiles(String path) {
    try {
      org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(path);
      org.apache.hadoop.fs.FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      var it = fs.listFiles(root, true);
      long n = 0;
      while (it.hasNext()) {
        String p = it.next().getPath().toString();
        if (!p.contains("/_delta_log/") && p.endsWith(".parquet")) {
          n++;
        }
      }
      return n;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot list " + path, e);
    }
  }
}
