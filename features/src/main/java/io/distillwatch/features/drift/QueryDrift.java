package io.distillwatch.features.drift;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * The query-drift test's Spark transformations (no I/O): each account's window of requests, and
 * the MMD statistic of every window against the benign reference of its stratum.
 *
 * <p>A window is a fixed number of the account's requests of the last days, chosen by a hash of
 * the event id: the choice is deterministic (a re-run scores the same window) and a request, once
 * in an account's window, stays there on the next nights until it ages out or a newer request with
 * a smaller hash displaces it, so only about one request in {@code days} is new each night (and most
 * embeddings come from the cache). An account's window has one of two sizes (heavy accounts get the
 * larger), and the accounts of one size are tested against each other's null; an account with fewer
 * requests than the smaller size is not scored.
 */
public final class QueryDrift {
  private QueryDrift() {}

  /** Each account belongs to one half of the pool by this hash: its reference comes from the other half. */
  public static Column half(Column accountId) {
    return pmod(xxhash64(accountId, lit("drift-half")), lit(2L)).cast("int");
  }

  /**
   * The window rows of accounts whose window size is chosen per account: {@code requests} with a
   * {@code window_size} column (the same on all rows of an account), cut to that many requests of
   * smallest hash. The first {@code n} requests of a larger window are the window of size {@code n}.
   */
  public static Dataset<Row> windows(Dataset<Row> requests) {
    return requests
        .withColumn("_h", xxhash64(col("event_id")))
        .withColumn("_rank", row_number().over(Window.partitionBy("account_id").orderBy(col("_h"), col("event_id"))))
        .where(col("_rank").leq(col("window_size")))
        .drop("_h", "_rank");
  }

  /** What {@link #score} returns per account. */
  public static final StructType SCORED = new StructType()
      .add("account_id", DataTypes.StringType, false)
      .add("reference", DataTypes.StringType, false)
      .add("mmd2", DataTypes.DoubleType, false)
      .add("contrast", DataTypes.DoubleType, true)
      .add("window_templates", DataTypes.IntegerType, false)
      .add("drift_templates", DataTypes.createArrayType(DataTypes.LongType, false), false);

  /** How many templates the evidence names: those with the largest witness in the window. */
  public static final int EVIDENCE_TEMPLATES = 3;

  /**
   * Per account, the unbiased MMD^2 of its window against {@code references.get(reference)}, the
   * templates that carry it (largest witness), and, when {@code knownHarvest} is not null, the
   * window's {@link Mmd#contrast} towards it against the same benign reference. {@code windowRows}:
   * account_id, reference (a key of {@code references}), template_id, embedding, text_hash (the
   * embedded text's hash: one vector per hash, whichever window it is in). Computed per
   * partition on the executors; the references (a few thousand vectors) travel with the task.
   */
  public static Dataset<Row> score(Dataset<Row> windowRows, Map<String, Mmd.Reference> references,
                                   float[][] knownHarvest) {
    Dataset<Row> grouped = windowRows
        .groupBy("account_id", "reference")
        .agg(collect_list(struct(col("template_id"), col("embedding"), col("text_hash"))).as("window"));
    MapPartitionsFunction<Row, Row> f = rows -> new Iterator<>() {
      // a text's vector is the same in every window of the night: its mean kernels to the reference and to
      // the known harvesting (the costly part, a thousand kernels each) are computed once per partition
      private final Map<String, Map<String, double[]>> terms = new java.util.HashMap<>();

      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        Row r = rows.next();
        Mmd.Reference ref = references.get(r.getString(1));
        if (ref == null) {
          throw new IllegalStateException("no reference " + r.getString(1));
        }
        List<Row> window = r.getList(2);
        // a stable order (collect_list's is not): the statistic does not depend on it, the evidence's ties do
        List<Row> sorted = new ArrayList<>(window);
        sorted.sort(Comparator.comparingLong((Row w) -> w.getLong(0)));
        float[][] x = new float[sorted.size()][];
        long[] templates = new long[sorted.size()];
        double[] cross = new double[x.length];
        double[] towards = new double[x.length];
        Map<String, double[]> cache = terms.computeIfAbsent(r.getString(1), k -> new java.util.HashMap<>());
        for (int i = 0; i < x.length; i++) {
          templates[i] = sorted.get(i).getLong(0);
          List<Float> v = sorted.get(i).getList(1);
          x[i] = new float[v.size()];
          for (int k = 0; k < x[i].length; k++) {
            x[i][k] = v.get(k);
          }
          float[] point = x[i];
          double[] t = cache.computeIfAbsent(sorted.get(i).getString(2), hash -> new double[] {
              Mmd.meanKernel(point, ref.vectors(), ref.sigma()),
              knownHarvest == null ? 0 : Mmd.meanKernel(point, knownHarvest, ref.sigma())});
          cross[i] = t[0];
          towards[i] = t[1];
        }
        Mmd.WindowTest test = Mmd.of(x, ref, cross);
        double[] witness = test.witness();
        Set<Long> top = new LinkedHashSet<>();
        IntStream.range(0, x.length).boxed()
            .sorted(Comparator.comparingDouble((Integer i) -> -witness[i]).thenComparingLong(i -> templates[i]))
            .forEach(i -> {
              if (top.size() < EVIDENCE_TEMPLATES) {
                top.add(templates[i]);
              }
            });
        int distinct = (int) java.util.Arrays.stream(templates).distinct().count();
        Double contrast = knownHarvest == null ? null : Mmd.contrast(towards, cross);
        return RowFactory.create(r.getString(0), r.getString(1), test.squared(), contrast, distinct,
            scala.jdk.javaapi.CollectionConverters.asScala(new ArrayList<>(top)).toSeq());
      }
    };
    return grouped.mapPartitions(f, Encoders.row(SCORED));
  }
}
