package io.distillwatch.jobs.lake;

import io.delta.tables.DeltaTable;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.spark.Faults;
import io.distillwatch.jobs.spark.SparkActivity;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/**
 * The lake: a root (local path or {@code s3a://bucket/prefix}) holding one Delta table per
 * {@link TableSpec}, each created on first use. Every write goes through {@link #replace} (Delta
 * {@code replaceWhere}) or a MERGE on the natural key, so running a job twice leaves the same
 * content as running it once, and a crash between two commits leaves each table consistent.
 */
public final class Lake {
  private final SparkSession spark;
  private final Path root;
  /** tables seen to exist, so reads do not list the file system each time (tables are never dropped) */
  private final java.util.Set<String> known = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private Lake(SparkSession spark, Path root) {
    this.spark = spark;
    this.root = root;
  }

  /** Opens (and creates) the lake root; fails with a one-line {@link InvalidInputException} if unusable. */
  public static Lake open(SparkSession spark, String location) {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path path = new Path(location);
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      Path qualified = fs.makeQualified(path);
      if (fs.exists(qualified) && !fs.getFileStatus(qualified).isDirectory()) {
        throw new InvalidInputException("lake " + location + " is a file, not a directory");
      }
      if (!fs.mkdirs(qualified)) {
        throw new InvalidInputException("lake " + location + " cannot be created");
      }
      if ("file".equals(qualified.toUri().getScheme()) && !java.nio.file.Files.isWritable(java.nio.file.Path.of(qualified.toUri()))) {
        throw new InvalidInputException("lake " + location + " is not writable");
      }
      return new Lake(spark, qualified);
    } catch (IOException e) {
      throw new InvalidInputException("lake " + location + " is not usable: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse("")), e);
    }
  }

  public SparkSession spark() {
    return spark;
  }

  public String root() {
    return root.toString();
  }

  public String path(TableSpec t) {
    return new Path(root, t.relativePath()).toString();
  }

  public boolean exists(TableSpec t) {
    if (known.contains(t.name())) {
      return true;
    }
    boolean found = DeltaTable.isDeltaTable(spark, path(t));
    if (found) {
      known.add(t.name());
    }
    return found;
  }

  /** Creates the table with its schema and partitioning if it is not there yet. */
  public DeltaTable ensure(TableSpec t) {
    String p = path(t);
    if (exists(t)) {
      return DeltaTable.forPath(spark, p);
    }
    var builder = DeltaTable.createIfNotExists(spark).location(p).addColumns(t.schema()).comment(t.description());
    if (!t.partitionBy().isEmpty()) {
      builder = builder.partitionedBy(t.partitionBy().toArray(String[]::new));
    }
    DeltaTable created = builder.execute();
    SparkActivity.commit();
    known.add(t.name());
    return created;
  }

  public Dataset<Row> read(TableSpec t) {
    if (!exists(t)) {
      ensure(t);
    }
    return spark.read().format("delta").load(path(t));
  }

  /** The table's rows, or no rows (with its schema) if it does not exist yet; creates nothing. */
  public Dataset<Row> readIfExists(TableSpec t) {
    if (exists(t)) {
      return spark.read().format("delta").load(path(t));
    }
    return spark.createDataFrame(List.of(), t.schema());
  }

  /**
   * Atomically replaces the rows matching {@code where} (a SQL predicate on partition columns)
   * with {@code rows}; the table's columns are selected by name, so column order does not matter.
   * A column added to the table's spec since the table was created is added to it by this write
   * (Delta schema merge; older rows read it as null).
   */
  public void replace(TableSpec t, Dataset<Row> rows, String where) {
    if (!exists(t)) { // loading a DeltaTable costs a snapshot: only when the table may need creating
      ensure(t);
    }
    rowsToWrite(t, rows).write().format("delta").mode("overwrite").option("replaceWhere", where)
        .option("mergeSchema", "true").save(path(t));
    SparkActivity.commit();
  }

  /** MERGE keyed on the natural key: new keys are inserted, existing ones updated when {@code updateWhen} holds. */
  public void upsert(TableSpec t, Dataset<Row> rows, String updateWhen) {
    DeltaTable target = ensure(t);
    StringBuilder on = new StringBuilder();
    for (String k : t.naturalKey()) {
      on.append(on.length() == 0 ? "" : " AND ").append("t.").append(k).append(" = s.").append(k);
    }
    var merge = target.as("t").merge(rowsToWrite(t, rows).as("s"), on.toString());
    if (updateWhen != null) {
      merge = merge.whenMatched(updateWhen).updateAll();
    }
    merge.whenNotMatched().insertAll().execute();
    SparkActivity.commit();
  }

  /**
   * What a write of {@code t} reads: the table's columns of {@code rows}, in order, cast to its
   * types (and, where a test asks, a crash in the middle of the write: {@link Faults#duringWrite}).
   */
  public Dataset<Row> rowsToWrite(TableSpec t, Dataset<Row> rows) {
    Column[] cols = Arrays.stream(t.schema().fields())
        .map((StructField f) -> col(f.name()).cast(f.dataType()).as(f.name()))
        .toArray(Column[]::new);
    return Faults.duringWrite(t.name(), rows.select(cols));
  }

  /** Records the counts of a finished run in {@code ops.runs} (one row per command and date). */
  public void recordRun(String command, LocalDate date, Map<String, Long> metrics) {
    Row row = RowFactory.create(command, java.sql.Date.valueOf(date),
        scala.jdk.javaapi.CollectionConverters.asScala(new TreeMap<>(metrics)),
        Timestamp.from(Instant.now()));
    Dataset<Row> df = spark.createDataFrame(List.of(row), Tables.OPS_RUNS.schema());
    upsert(Tables.OPS_RUNS, df, "true");
  }

  /**
   * When {@code command} first ran for {@code date}: the time recorded in {@code ops.first_runs},
   * recording {@code now} if there is none (an insert-only MERGE, so the first record stays). A lake
   * from before that table takes its {@code ops.runs} time of the date instead, the earliest it knows.
   */
  public Instant firstRun(String command, LocalDate date, Instant now) {
    java.util.Optional<Instant> known = recordedFirstRun(command, date);
    if (known.isPresent()) {
      return known.get();
    }
    Instant first = readIfExists(Tables.OPS_RUNS)
        .where(col("command").equalTo(command).and(col("date").equalTo(java.sql.Date.valueOf(date))))
        .select("finished_at").collectAsList().stream().map(r -> r.getTimestamp(0).toInstant())
        .filter(t -> t.isBefore(now)).findFirst().orElse(now);
    Row row = RowFactory.create(command, java.sql.Date.valueOf(date), Timestamp.from(first));
    upsert(Tables.OPS_FIRST_RUNS, spark.createDataFrame(List.of(row), Tables.OPS_FIRST_RUNS.schema()), null);
    return recordedFirstRun(command, date).orElse(first);
  }

  /** The recorded first run of {@code command} for {@code date}, if any (reads only). */
  public java.util.Optional<Instant> recordedFirstRun(String command, LocalDate date) {
    return readIfExists(Tables.OPS_FIRST_RUNS)
        .where(col("command").equalTo(command).and(col("date").equalTo(java.sql.Date.valueOf(date))))
        .select("first_run_at").collectAsList().stream().map(r -> r.getTimestamp(0).toInstant()).findFirst();
  }
}
