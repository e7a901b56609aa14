package io.distillwatch.jobs.bench;

import io.distillwatch.features.accounts.AccountDaily;
import io.distillwatch.features.templates.MinHashLsh;
import io.distillwatch.features.templates.TemplateAssignment;
import io.distillwatch.features.templates.TemplateTags;
import io.distillwatch.features.validate.EventValidator;
import io.distillwatch.features.validate.Validation;
import io.distillwatch.jobs.features.FeaturesJob;
import io.distillwatch.jobs.ingest.IngestJob;
import io.distillwatch.jobs.ingest.LandingReader;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LocalFiles;
import io.distillwatch.jobs.lake.TableSpec;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.simulate.SimConfig;
import io.distillwatch.jobs.simulate.Simulator;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.feature.MinHashLSH;
import org.apache.spark.ml.feature.MinHashLSHModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.xxhash64;
import static org.apache.spark.ml.functions.vector_to_array;

/**
 * {@code bench features}: three side-by-side measurements of the features stage, each a ratio
 * taken in one run (the machine is noisy):
 * <ol>
 *   <li>{@code aggregate}: {@link AccountDaily#compute} on Spark against the same aggregation
 *       written in DuckDB SQL, both reading one simulated day's tagged requests from one Parquet
 *       file and writing Parquet; the two outputs are compared column by column.</li>
 *   <li>{@code lsh}: our banded MinHash ({@link TemplateAssignment}: signatures, band buckets,
 *       star edges, connected components) against MLlib's {@code MinHashLSH} with
 *       {@code approxSimilarityJoin}, on the day's distinct normalised prompts: time, candidate
 *       pairs and recall of the pairs whose exact Jaccard similarity is at least 0.8, with MLlib's
 *       number of hash tables raised until it reaches our recall.</li>
 *   <li>{@code history}: one night's {@code features} on a lake with 7 days of history against
 *       the same lake with 90 days (the 83 older days are the 7 real ones repeated at earlier
 *       dates, in every table {@code features} reads back; see {@link #extend} for the band index).</li>
 * </ol>
 */
public final class FeaturesBench {
  /** Pairs at or above this exact Jaccard similarity are the ones both LSH methods must find. */
  public static final double TRUE_PAIR_JACCARD = 0.8;

  private static final List<String> REQUEST_FIELDS = FeaturesJob.REQUEST_FIELDS;
  private static final int MLLIB_DIMENSION = 1 << 24;

  public record Options(Path work, LocalDate day, double scale, int lshPrompts, double historyScale, long seed,
                        Set<String> parts, int repeats) {}

  private final SparkSession spark;
  private final Options options;
  private final Consumer<String> progress;

  public FeaturesBench(SparkSession spark, Options options, Consumer<String> progress) {
    this.spark = spark;
    this.options = options;
    this.progress = progress;
  }

  /** Runs the chosen parts; returns their tables as Markdown. */
  public String run() throws IOException, SQLException {
    StringBuilder md = new StringBuilder();
    if (options.parts().contains("aggregate") || options.parts().contains("lsh")) {
      prepareDay();
    }
    if (options.parts().contains("aggregate")) {
      md.append(aggregate()).append('\n');
    }
    if (options.parts().contains("lsh")) {
      md.append(lsh()).append('\n');
    }
    if (options.parts().contains("history")) {
      md.append(history()).append('\n');
    }
    return md.toString();
  }

  // ---------------------------------------------------------------- the day's data

  private Path dayDir() {
    return options.work().resolve("day");
  }

  /**
   * One simulated day, validated as ingest does, prompts normalised and tagged as features does;
   * the template key is the normalised prompt's hash (the aggregation does not care how
   * templates were found). Written once per work folder and scale.
   */
  private void prepareDay() throws IOException {
    Path dir = dayDir();
    Path marker = dir.resolve("_PREPARED");
    String stamp = options.day() + " scale=" + options.scale() + " seed=" + options.seed();
    if (Files.exists(marker) && Files.readString(marker).strip().equals(stamp)) {
      progress.accept("bench features: reusing the prepared day in " + dir);
      return;
    }
    LocalFiles.deleteTree(dir);
    String landing = dir.resolve("landing").toString();
    progress.accept("bench features: simulating " + options.day() + " at scale " + options.scale());
    new Simulator(SimConfig.of(options.day(), options.day(), options.seed(), options.scale()), landing, new Configuration())
        .run(d -> { });
    LandingReader.Listing listing = LandingReader.list(spark.sparkContext().hadoopConfiguration(),
        landing + "/events/date=" + options.day(), true);
    Dataset<Row> valid = Validation.events(LandingReader.read(spark, listing), options.day(), EventValidator.defaults())
        .where(col("reason").isNull())
        .select(REQUEST_FIELDS.stream().map(c -> col(c)).toArray(Column[]::new))
        .dropDuplicates("event_id");
    Dataset<Row> tagged = TemplateAssignment.normalize(valid).drop("prompt")
        .withColumn("template_id", col("norm_hash"))
        .withColumn("capability", TemplateTags.capability(col("norm")))
        .withColumn("cot", TemplateTags.chainOfThought(col("norm")))
        .withColumn("script", TemplateTags.script(col("norm")));
    tagged.drop("norm", "norm_hash").coalesce(1).write().mode(SaveMode.Overwrite).parquet(dir.resolve("requests").toString());
    tagged.select("norm_hash", "norm").distinct().coalesce(1).write().mode(SaveMode.Overwrite)
        .parquet(dir.resolve("prompts").toString());
    // one model counts as newly released, so that the aggregation's join has work to do
    spark.read().parquet(dir.resolve("requests").toString()).select("model").distinct().orderBy(col("model").desc()).limit(1)
        .coalesce(1).write().mode(SaveMode.Overwrite).parquet(dir.resolve("new_models").toString());
    Files.writeString(marker, stamp + "\n");
  }

  // ---------------------------------------------------------------- aggregate: Spark against DuckDB

  private String aggregate() throws SQLException, IOException {
    Path dir = dayDir();
    String requests = dir.resolve("requests").toString();
    String newModels = dir.resolve("new_models").toString();
    Path sparkOut = options.work().resolve("aggregate/spark");
    Path duckOut = options.work().resolve("aggregate/duckdb.parquet");
    Files.createDirectories(duckOut.getParent());
    long rows = spark.read().parquet(requests).count();
    long bytes;
    try (Stream<Path> files = Files.walk(Path.of(requests))) {
      bytes = files.filter(p -> p.toString().endsWith(".parquet")).mapToLong(p -> p.toFile().length()).sum();
    }
    String sql = DuckDbAccountDaily.sql(options.day(), requests + "/*.parquet", newModels + "/*.parquet");
    List<Double> sparkTimes = new ArrayList<>();
    List<Double> duckTimes = new ArrayList<>();
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement()) {
      st.execute("SET threads = " + Runtime.getRuntime().availableProcessors());
      // one untimed run of each: class loading and JIT for Spark, extension loading for DuckDB
      for (int i = 0; i <= options.repeats(); i++) {
        long t0 = System.nanoTime();
        AccountDaily.compute(options.day(), spark.read().parquet(requests), spark.read().parquet(newModels))
            .write().mode(SaveMode.Overwrite).parquet(sparkOut.toString());
        double sparkSeconds = (System.nanoTime() - t0) / 1e9;
        Files.deleteIfExists(duckOut);
        t0 = System.nanoTime();
        st.execute("COPY (" + sql + ") TO '" + duckOut + "' (FORMAT parquet)");
        double duckSeconds = (System.nanoTime() - t0) / 1e9;
        progress.accept(String.format("bench features: aggregate run %d: Spark %.2f s, DuckDB %.2f s%s", i, sparkSeconds,
            duckSeconds, i == 0 ? " (warm-up, not counted)" : ""));
        if (i > 0) {
          sparkTimes.add(sparkSeconds);
          duckTimes.add(duckSeconds);
        }
      }
      Agreement agreement = compare(st, sparkOut + "/*.parquet", duckOut.toString());
      double s = median(sparkTimes);
      double d = median(duckTimes);
      StringBuilder md = new StringBuilder();
      md.append(String.format("### Account-day aggregation: Spark against DuckDB%n%n"));
      md.append(String.format("One simulated day (scale %s, seed %d): %,d requests, %,d accounts, Parquet input %.1f MB; "
          + "median of %d runs after one warm-up each, alternating.%n%n", options.scale(), options.seed(), rows,
          agreement.rows(), bytes / 1e6, options.repeats()));
      md.append("| engine | median s | runs (s) |\n|---|---:|---|\n");
      md.append(String.format("| Spark (`AccountDaily.compute`, local[%d]) | %.2f | %s |%n",
          Runtime.getRuntime().availableProcessors(), s, join(sparkTimes)));
      md.append(String.format("| DuckDB %s (same aggregation in SQL, %d threads) | %.2f | %s |%n", duckVersion(st),
          Runtime.getRuntime().availableProcessors(), d, join(duckTimes)));
      md.append(String.format("%nSpark / DuckDB = **%.1f×** (target ≤ 3×). Outputs: %s.%n", s / d, agreement.describe()));
      return md.toString();
    }
  }

  private static String duckVersion(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT version()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  /** How far the two engines' account_daily rows are apart, column by column. */
  record Agreement(long rows, long unmatched, Map<String, Double> maxDifference, Map<String, Long> nullMismatches) {
    boolean agrees() {
      return unmatched == 0 && maxDifference.values().stream().allMatch(v -> v <= 1e-9)
          && nullMismatches.values().stream().allMatch(v -> v == 0);
    }

    String describe() {
      if (agrees()) {
        return String.format("identical on all %,d accounts and %d columns (largest difference %.1e)", rows,
            maxDifference.size(), maxDifference.values().stream().mapToDouble(Double::doubleValue).max().orElse(0));
      }
      return String.format("DIFFER: %d unmatched accounts, columns %s, null mismatches %s", unmatched, maxDifference,
          nullMismatches);
    }
  }

  private static Agreement compare(Statement st, String sparkGlob, String duckFile) throws SQLException {
    List<String> columns = new ArrayList<>();
    for (StructField f : AccountDaily.SCHEMA.fields()) {
      if (!f.name().equals("account_id") && !f.name().equals("date")) {
        columns.add(f.name());
      }
    }
    StringBuilder q = new StringBuilder("SELECT count(*), count(*) FILTER (WHERE a.account_id IS NULL OR b.account_id IS NULL)");
    for (String c : columns) {
      q.append(String.format(", coalesce(max(abs(a.%1$s::DOUBLE - b.%1$s::DOUBLE)), 0)"
          + ", count(*) FILTER (WHERE (a.%1$s IS NULL) <> (b.%1$s IS NULL))", c));
    }
    q.append(String.format(" FROM read_parquet('%s') a FULL JOIN read_parquet('%s') b ON a.account_id = b.account_id",
        sparkGlob, duckFile));
    try (ResultSet rs = st.executeQuery(q.toString())) {
      rs.next();
      Map<String, Double> diff = new HashMap<>();
      Map<String, Long> nulls = new HashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        diff.put(columns.get(i), rs.getDouble(3 + 2 * i));
        nulls.put(columns.get(i), rs.getLong(4 + 2 * i));
      }
      return new Agreement(rs.getLong(1), rs.getLong(2), diff, nulls);
    }
  }

  // ---------------------------------------------------------------- lsh: ours against MLlib's MinHashLSH

  private String lsh() {
    Path sample = options.work().resolve("lsh/prompts");
    spark.read().parquet(dayDir().resolve("prompts").toString()).orderBy("norm_hash").limit(options.lshPrompts())
        .coalesce(1).write().mode(SaveMode.Overwrite).parquet(sample.toString());
    List<Row> prompts = spark.read().parquet(sample.toString()).collectAsList();
    MinHashLsh ours = FeaturesJob.Options.defaults(options.day()).lsh();
    progress.accept(String.format("bench features: lsh on %,d distinct prompts; exact pairs at Jaccard >= %.1f",
        prompts.size(), TRUE_PAIR_JACCARD));
    long[] ids = new long[prompts.size()];
    long[][] shingles = new long[prompts.size()][];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = prompts.get(i).getLong(0);
      shingles[i] = ours.shingles(prompts.get(i).getString(1));
      Arrays.sort(shingles[i]);
    }
    List<long[]> truth = truePairs(ids, shingles, TRUE_PAIR_JACCARD);
    progress.accept(String.format("bench features: %,d true pairs", truth.size()));

    // ours: the same calls as features (empty index: the first day of a lake)
    Dataset<Row> emptyIndex = spark.createDataFrame(List.of(), new StructType()
        .add("band_key", DataTypes.LongType).add("template_id", DataTypes.LongType)
        .add("signature", DataTypes.createArrayType(DataTypes.LongType)));
    double minSimilarity = TemplateAssignment.DEFAULT_MIN_SIMILARITY;
    Map<Long, Long> templateOf = new HashMap<>();
    Runnable runOurs = () -> {
      templateOf.clear();
      Dataset<Row> signed = TemplateAssignment.sign(spark.read().parquet(sample.toString()), ours);
      for (Row r : TemplateAssignment.assign(spark, signed, emptyIndex, minSimilarity).collectAsList()) {
        templateOf.put(r.getLong(0), r.getLong(1));
      }
    };
    double oursWarm = seconds(runOurs);
    double oursRecall = truth.stream().filter(p -> templateOf.get(p[0]).equals(templateOf.get(p[1]))).count()
        / (double) Math.max(1, truth.size());
    long oursCandidates = ourCandidates(sample.toString(), ours);
    progress.accept(String.format("bench features: ours %.1f s (warm-up), recall %.4f, %,d candidate pairs", oursWarm,
        oursRecall, oursCandidates));

    // MLlib: OR-amplification only; more tables until it reaches our recall
    List<String> sweep = new ArrayList<>();
    int tables = 0;
    double mllibRecall = 0;
    long mllibCandidateCount = 0;
    for (int h : new int[] {1, 2, 3, 4, 6, 8, 12}) {
      Set<Long>[] found = new Set[1];
      double t = seconds(() -> found[0] = mllibPairs(sample.toString(), ours, h));
      double recall = truth.stream().filter(p -> found[0].contains(pairKey(p[0], p[1]))).count()
          / (double) Math.max(1, truth.size());
      long candidates = mllibCandidates(sample.toString(), ours, h);
      sweep.add(String.format("| %d | %.1f | %,d | %,d | %.4f |", h, t, candidates, found[0].size(), recall));
      progress.accept(String.format("bench features: MLlib %d tables: %.1f s, recall %.4f, %,d candidate pairs", h, t,
          recall, candidates));
      tables = h;
      mllibRecall = recall;
      mllibCandidateCount = candidates;
      if (recall >= oursRecall - 0.001) {
        break;
      }
    }

    List<Double> oursTimes = new ArrayList<>();
    List<Double> mllibTimes = new ArrayList<>();
    int h = tables;
    for (int i = 0; i < options.repeats(); i++) {
      oursTimes.add(seconds(runOurs));
      mllibTimes.add(seconds(() -> mllibPairs(sample.toString(), ours, h)));
      progress.accept(String.format("bench features: lsh run %d: ours %.1f s, MLlib (%d tables) %.1f s", i + 1,
          oursTimes.get(i), h, mllibTimes.get(i)));
    }
    double o = median(oursTimes);
    double m = median(mllibTimes);
    StringBuilder md = new StringBuilder();
    md.append(String.format("### Template LSH: ours against MLlib `MinHashLSH`%n%n"));
    md.append(String.format("%,d distinct normalised prompts of the same day (the first %,d by hash); %,d pairs with exact "
        + "Jaccard ≥ %.1f on word %d-shingles (brute force). Ours: b = %d, r = %d, signature check %.1f, star edges and "
        + "connected components, as `features` runs it. MLlib: `MinHashLSH` on the same shingle hashes (sparse "
        + "vectors of dimension 2^24), `approxSimilarityJoin` at distance ≤ %.1f.%n%n", prompts.size(), options.lshPrompts(),
        truth.size(), TRUE_PAIR_JACCARD, ours.shingleSize(), ours.bands(), ours.rows(), minSimilarity, 1 - TRUE_PAIR_JACCARD));
    md.append("MLlib's sweep (one run each; stops at our recall):\n\n");
    md.append("| hash tables | s | candidate pairs | pairs returned | recall |\n|---:|---:|---:|---:|---:|\n");
    sweep.forEach(line -> md.append(line).append('\n'));
    md.append(String.format("%nSide by side (median of %d, alternating):%n%n", options.repeats()));
    md.append("| method | median s | runs (s) | candidate pairs | recall (J ≥ 0.8) |\n|---|---:|---|---:|---:|\n");
    md.append(String.format("| ours (b %d × r %d) | %.1f | %s | %,d | %.4f |%n", ours.bands(), ours.rows(), o,
        join(oursTimes), oursCandidates, oursRecall));
    md.append(String.format("| MLlib MinHashLSH (%d tables) | %.1f | %s | %,d | %.4f |%n", h, m, join(mllibTimes),
        mllibCandidateCount, mllibRecall));
    md.append(String.format("%nMLlib / ours = **%.1f×** (target ≥ 10×)%s.%n", m / o,
        mllibRecall + 0.001 < oursRecall ? "; MLlib did not reach our recall within the sweep" : ""));
    return md.toString();
  }

  /** Pairs (i < j) with exact Jaccard ≥ threshold; sizes filter most pairs out (|A|/|B| ≥ threshold is necessary). */
  static List<long[]> truePairs(long[] ids, long[][] shingles, double threshold) {
    Integer[] bySize = IntStream.range(0, ids.length).boxed().toArray(Integer[]::new);
    Arrays.sort(bySize, (a, b) -> Integer.compare(shingles[a].length, shingles[b].length));
    return IntStream.range(0, bySize.length).parallel().boxed().flatMap(x -> {
      List<long[]> out = new ArrayList<>();
      int i = bySize[x];
      for (int y = x + 1; y < bySize.length; y++) {
        int j = bySize[y];
        if (shingles[i].length < threshold * shingles[j].length) {
          break;
        }
        if (jaccard(shingles[i], shingles[j]) >= threshold) {
          out.add(new long[] {ids[i], ids[j]});
        }
      }
      return out.stream();
    }).toList();
  }

  static double jaccard(long[] a, long[] b) {
    int i = 0;
    int j = 0;
    int common = 0;
    while (i < a.length && j < b.length) {
      if (a[i] == b[j]) {
        common++;
        i++;
        j++;
      } else if (a[i] < b[j]) {
        i++;
      } else {
        j++;
      }
    }
    return common / (double) (a.length + b.length - common);
  }

  private static long pairKey(long a, long b) {
    return Math.min(a, b) * 0x9E3779B97F4A7C15L + Math.max(a, b);
  }

  /** Our candidate pairs: the (prompt, bucket centre) pairs whose signatures features compares. */
  private long ourCandidates(String sample, MinHashLsh lsh) {
    return TemplateAssignment.starCandidates(TemplateAssignment.bands(TemplateAssignment.sign(spark.read().parquet(sample), lsh)))
        .count();
  }

  private Dataset<Row> vectors(String sample, MinHashLsh lsh) {
    UserDefinedFunction toVector = udf((UDF1<String, Vector>) norm -> {
      long[] hashes = lsh.shingles(norm);
      int[] idx = Arrays.stream(hashes).mapToInt(h -> (int) Long.remainderUnsigned(h, MLLIB_DIMENSION)).distinct().sorted()
          .toArray();
      double[] ones = new double[idx.length];
      Arrays.fill(ones, 1.0);
      return Vectors.sparse(MLLIB_DIMENSION, idx, ones);
    }, SQLDataTypes.VectorType());
    return spark.read().parquet(sample).select(col("norm_hash"), toVector.apply(col("norm")).as("features"));
  }

  private MinHashLSHModel mllibModel(Dataset<Row> vectors, int tables) {
    return new MinHashLSH().setNumHashTables(tables).setSeed(options.seed()).setInputCol("features").setOutputCol("hashes")
        .fit(vectors);
  }

  /** MLlib's join as a user would run it; the pairs found, as keys. */
  private Set<Long> mllibPairs(String sample, MinHashLsh lsh, int tables) {
    Dataset<Row> v = vectors(sample, lsh);
    MinHashLSHModel model = mllibModel(v, tables);
    List<Row> pairs = model.approxSimilarityJoin(v, v, 1 - TRUE_PAIR_JACCARD + 1e-9, "distance")
        .select(col("datasetA.norm_hash").as("a"), col("datasetB.norm_hash").as("b"))
        .where(col("a").lt(col("b"))).collectAsList();
    Set<Long> keys = new java.util.HashSet<>();
    for (Row r : pairs) {
      keys.add(pairKey(r.getLong(0), r.getLong(1)));
    }
    return keys;
  }

  /** MLlib's candidate pairs: two prompts with an equal hash in some table (what its join compares). */
  private long mllibCandidates(String sample, MinHashLsh lsh, int tables) {
    Dataset<Row> v = vectors(sample, lsh);
    Dataset<Row> hashed = mllibModel(v, tables).transform(v)
        .select(col("norm_hash"), posexplode(col("hashes")).as(new String[] {"table", "vec"}))
        .select(col("norm_hash"), col("table"), vector_to_array(col("vec"), "float64").getItem(0).as("value"));
    Dataset<Row> other = hashed.select(col("norm_hash").as("other"), col("table"), col("value"));
    return hashed.join(other, new String[] {"table", "value"}).where(col("norm_hash").lt(col("other")))
        .select("norm_hash", "other").distinct().count();
  }

  // ---------------------------------------------------------------- history: 7 against 90 days

  /** Tables {@code features} reads back from earlier days, with their date column. */
  private static final List<Object[]> HISTORY_TABLES = List.of(
      new Object[] {Tables.SILVER_TEMPLATE_DAILY, "date"},
      new Object[] {Tables.SILVER_TEMPLATE_BANDS, "first_seen"},
      new Object[] {Tables.SILVER_REQUEST_TEMPLATES, "event_date"},
      new Object[] {Tables.GOLD_ACCOUNT_DAILY, "date"},
      new Object[] {Tables.GOLD_ACCOUNT_WINDOWS, "date"});

  private String history() throws IOException {
    Path dir = options.work().resolve("history");
    LocalDate first = options.day().minusDays(7);
    LocalDate night = options.day();
    String landing = dir.resolve("landing").toString();
    Path lake7Dir = dir.resolve("lake7");
    Path lake90Dir = dir.resolve("lake90");
    Path marker = dir.resolve("_BUILT");
    String stamp = first + " " + night + " scale=" + options.historyScale() + " seed=" + options.seed();
    if (!(Files.exists(marker) && Files.readString(marker).strip().equals(stamp))) {
      LocalFiles.deleteTree(dir);
      progress.accept("bench features: simulating " + first + " .. " + night + " at scale " + options.historyScale());
      new Simulator(SimConfig.of(first, night, options.seed(), options.historyScale()), landing, new Configuration())
          .run(d -> { });
      Lake lake7 = Lake.open(spark, lake7Dir.toString());
      for (LocalDate d = first; d.isBefore(night); d = d.plusDays(1)) {
        long t0 = System.nanoTime();
        new IngestJob(lake7, new IngestJob.Options(landing, d, EventValidator.defaults(), 0.1)).execute();
        new FeaturesJob(lake7, FeaturesJob.Options.defaults(d)).execute();
        progress.accept(String.format("bench features: history night %s built in %.0f s", d, (System.nanoTime() - t0) / 1e9));
      }
      new IngestJob(lake7, new IngestJob.Options(landing, night, EventValidator.defaults(), 0.1)).execute();
      Files.writeString(marker, stamp + "\n");
    }
    Path extended = dir.resolve("_EXTENDED");
    if (!(Files.exists(extended) && Files.readString(extended).strip().equals(stamp + " " + EXTENSION))) {
      LocalFiles.deleteTree(lake90Dir);
      LocalFiles.copyTree(lake7Dir, lake90Dir);
      extend(Lake.open(spark, lake90Dir.toString()), first, night.minusDays(90));
      Files.writeString(extended, stamp + " " + EXTENSION + "\n");
    }
    Lake lake7 = Lake.open(spark, lake7Dir.toString());
    Lake lake90 = Lake.open(spark, lake90Dir.toString());
    Map<String, String> sizes = new HashMap<>();
    for (Lake lake : List.of(lake7, lake90)) {
      sizes.put(lake.root(), String.format("%,d account-days, %,d band-index rows, %,d template-days",
          lake.read(Tables.GOLD_ACCOUNT_DAILY).count(), lake.read(Tables.SILVER_TEMPLATE_BANDS).count(),
          lake.read(Tables.SILVER_TEMPLATE_DAILY).count()));
    }
    List<Double> t7 = new ArrayList<>();
    List<Double> t90 = new ArrayList<>();
    for (int i = 0; i <= options.repeats(); i++) {
      double a = seconds(() -> new FeaturesJob(lake7, FeaturesJob.Options.defaults(night)).execute());
      double b = seconds(() -> new FeaturesJob(lake90, FeaturesJob.Options.defaults(night)).execute());
      progress.accept(String.format("bench features: features %s: 7 days of history %.0f s, 90 days %.0f s%s", night, a, b,
          i == 0 ? " (warm-up, not counted)" : ""));
      if (i > 0) {
        t7.add(a);
        t90.add(b);
      }
    }
    StringBuilder md = new StringBuilder();
    md.append(String.format("### One night's `features` with 7 and with 90 days of history%n%n"));
    md.append(String.format("Night %s at scale %s (seed %d), defaults (embedding classifier on). The 7-day lake is 7 real "
        + "nights (ingest + features); the 90-day lake is a copy whose 83 older days repeat those 7 at earlier dates in "
        + "every table features reads back (template_daily, request_templates, account_daily, account_windows; the "
        + "band index gains the entries founded on the real days after the first, under fresh keys, since a real index "
        + "never holds a key twice). Median of %d runs after one warm-up each, alternating.%n%n", night, options.historyScale(),
        options.seed(), options.repeats()));
    md.append("| history | lake (after the runs) | median s | runs (s) |\n|---|---|---:|---|\n");
    md.append(String.format("| 7 days | %s | %.0f | %s |%n", sizes.get(lake7.root()), median(t7), join(t7)));
    md.append(String.format("| 90 days | %s | %.0f | %s |%n", sizes.get(lake90.root()), median(t90), join(t90)));
    md.append(String.format("%n90 days / 7 days = **%.2f×** (target ≤ 1.3×).%n", median(t90) / median(t7)));
    return md.toString();
  }

  /** How the 90-day lake's older days are made; a change rebuilds it. */
  private static final String EXTENSION = "weeks-repeated, index-salted-v2";

  /**
   * Repeats the lake's real week at earlier dates back to {@code oldest} in every table features
   * reads back. The band index is the exception that keeps it honest: features adds only band keys
   * it does not hold, so a real index never holds a key twice and grows only with the templates
   * founded each day. Older weeks therefore add the entries founded on the real days after the
   * first (a steady founding rate, without the first day's burst), under fresh band keys and
   * template ids: templates of the past that today's prompts do not meet.
   */
  private void extend(Lake lake, LocalDate first, LocalDate oldest) {
    for (Object[] t : HISTORY_TABLES) {
      TableSpec table = (TableSpec) t[0];
      String date = (String) t[1];
      Dataset<Row> week = lake.read(table);
      Dataset<Row> older = null;
      for (int k = 1; first.minusDays(7L * k).isAfter(oldest.minusDays(7)); k++) {
        Dataset<Row> shifted = week;
        if (table == Tables.SILVER_TEMPLATE_BANDS) {
          shifted = week.where(col(date).gt(lit(java.sql.Date.valueOf(first))))
              .withColumn("band_key", xxhash64(col("band_key"), lit(k)))
              .withColumn("template_id", xxhash64(col("template_id"), lit(k)));
        }
        shifted = shifted.withColumn(date, date_sub(col(date), 7 * k))
            .where(col(date).geq(lit(java.sql.Date.valueOf(oldest))));
        older = older == null ? shifted : older.unionByName(shifted);
      }
      older.write().format("delta").mode(SaveMode.Append).save(lake.path(table));
    }
  }

  // ---------------------------------------------------------------- helpers

  private static double seconds(Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  static double median(List<Double> xs) {
    double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static String join(List<Double> xs) {
    return String.join(", ", xs.stream().map(x -> String.format("%.2f", x)).toList());
  }

}
