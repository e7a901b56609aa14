package io.distillwatch.features.templates;

import io.distillwatch.features.graph.ConnectedComponents;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Iterator;
import java.util.List;

import static org.apache.spark.sql.functions.aggregate;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.zip_with;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Prompt templates by banded MinHash: pure Dataset transformations, no I/O.
 *
 * <p>A bucket shared by chance must not merge two templates: a candidate pair becomes an edge
 * only if the two MinHash signatures agree on at least {@code minSimilarity} of their rows.
 *
 * <p>A prompt is normalised ({@link PromptNormalizer}) and identified by the 64-bit hash of its
 * normalised text; each distinct normalised prompt gets b band keys ({@link MinHashLsh}). Two
 * prompts that share a band key belong to one template. Rather than pairing the members of a
 * bucket (quadratic in a popular template), each member is linked to the bucket's smallest
 * hash (a star), and to the known template that owns the bucket in the band index of earlier
 * days; templates are the connected components of these edges ({@link ConnectedComponents}).
 * A component that reaches a known template takes the smallest such template id; a new one is
 * founded with the smallest prompt hash of its component. Ids therefore depend only on the
 * data and the index, never on partitioning or task order.
 */
public final class TemplateAssignment {
  private TemplateAssignment() {}

  /** Longest chain of star and index edges expected within one day; GraphX stops there. */
  public static final int MAX_ITERATIONS = 100;

  /** Estimated Jaccard similarity an LSH candidate must reach to become an edge (see docs/benchmarks.md). */
  public static final double DEFAULT_MIN_SIMILARITY = 0.7;

  public static final StructType SIGNED = new StructType()
      .add("norm_hash", DataTypes.LongType, false)
      .add("signature", DataTypes.createArrayType(DataTypes.LongType, false), false)
      .add("band_keys", DataTypes.createArrayType(DataTypes.LongType, false), false);

  private static final UserDefinedFunction NORMALIZE =
      udf((UDF1<String, String>) PromptNormalizer::normalize, DataTypes.StringType).asNonNullable();

  /** Adds {@code norm} (the normalised prompt) and {@code norm_hash} (its 64-bit hash) to rows holding {@code prompt}. */
  public static Dataset<Row> normalize(Dataset<Row> events) {
    return events.withColumn("norm", NORMALIZE.apply(col("prompt")))
        .withColumn("norm_hash", xxhash64(col("norm")));
  }

  /** (norm_hash, signature, band_keys) for rows holding norm_hash and norm, one per row in. */
  public static Dataset<Row> sign(Dataset<Row> prompts, MinHashLsh lsh) {
    MapPartitionsFunction<Row, Row> sign = rows -> new SignIterator(rows, lsh);
    return prompts.select("norm_hash", "norm").mapPartitions(sign, Encoders.row(SIGNED));
  }

  /** One row per (prompt, band): (norm_hash, band_key). */
  public static Dataset<Row> bands(Dataset<Row> signed) {
    return signed.select(col("norm_hash"), explode(col("band_keys")).as("band_key")).distinct();
  }

  /** The share of equal signature rows of two array columns: MinHash's estimate of their Jaccard similarity. */
  public static Column similarity(Column a, Column b) {
    return aggregate(zip_with(a, b, (x, y) -> when(x.equalTo(y), 1).otherwise(0)), lit(0), Column::plus)
        .divide(size(a));
  }

  /**
   * Assigns every prompt of {@code signed} to a template.
   *
   * @param signed today's prompts: (norm_hash, signature, band_keys)
   * @param index the band index as it stood before today: (band_key, template_id, signature)
   * @param minSimilarity a candidate pair (same bucket) becomes an edge only at this estimated
   *     Jaccard similarity or above, so one chance collision cannot merge two templates
   * @return (norm_hash, template_id), one row per distinct prompt
   */
  public static Dataset<Row> assign(SparkSession spark, Dataset<Row> signed, Dataset<Row> index, double minSimilarity) {
    Dataset<Row> bands = bands(signed);
    Dataset<Row> signatures = signed.select(col("norm_hash").as("v"), col("signature").as("sig"));
    Dataset<Row> toKnown = bands.join(index.select(col("band_key"), col("template_id"), col("signature").as("bucket_sig")), "band_key")
        .join(signatures, col("norm_hash").equalTo(col("v")))
        .where(similarity(col("sig"), col("bucket_sig")).geq(minSimilarity))
        .select(col("norm_hash").as("src"), col("template_id").as("dst"));
    Dataset<Row> stars = starCandidates(bands)
        .join(signatures.select(col("v").as("src"), col("sig").as("src_sig")), "src")
        .join(signatures.select(col("v").as("dst"), col("sig").as("dst_sig")), "dst")
        .where(similarity(col("src_sig"), col("dst_sig")).geq(minSimilarity))
        .select("src", "dst");
    Dataset<Row> prompts = signed.select("norm_hash").distinct();
    Dataset<Row> selfLoops = prompts.select(col("norm_hash").as("src"), col("norm_hash").as("dst"));
    Dataset<Row> edges = selfLoops.union(stars).union(toKnown).distinct();

    Dataset<Row> components = ConnectedComponents.of(spark, edges, MAX_ITERATIONS);
    Dataset<Row> knownInComponent = components
        .join(toKnown.select(col("dst").as("vertex")).distinct(), "vertex")
        .groupBy("component").agg(min("vertex").as("known_template"));
    return components.join(prompts.withColumnRenamed("norm_hash", "vertex"), "vertex")
        .join(knownInComponent, new String[] {"component"}, "left")
        .select(col("vertex").as("norm_hash"),
            coalesce(col("known_template"), col("component")).as("template_id"));
  }

  /**
   * The candidate pairs of a day's buckets: each prompt with its bucket's centre (the smallest
   * prompt hash), once per pair however many buckets they share: (src, dst).
   */
  public static Dataset<Row> starCandidates(Dataset<Row> bands) {
    Dataset<Row> centres = bands.groupBy("band_key").agg(min("norm_hash").as("centre"));
    return bands.join(centres, "band_key")
        .where(col("norm_hash").notEqual(col("centre")))
        .select(col("norm_hash").as("src"), col("centre").as("dst"))
        .distinct();
  }

  /**
   * Band-index entries founded today: the band keys of today's prompts of {@code indexable}
   * templates that the index does not hold yet, each with the signature of its bucket's
   * centre (the smallest prompt hash), which later prompts are compared with.
   *
   * @param assignment (norm_hash, template_id)
   * @param indexable (template_id) of the templates worth remembering (e.g. seen twice or more)
   * @return (band_key, template_id, signature)
   */
  public static Dataset<Row> newIndexEntries(Dataset<Row> signed, Dataset<Row> assignment, Dataset<Row> indexable,
                                             Dataset<Row> index) {
    return signed.select(col("norm_hash"), col("signature"), explode(col("band_keys")).as("band_key"))
        .join(assignment, "norm_hash")
        .join(indexable, "template_id")
        .join(index.select("band_key"), new String[] {"band_key"}, "left_anti")
        .groupBy("band_key")
        .agg(min_by(col("template_id"), col("norm_hash")).as("template_id"),
            min_by(col("signature"), col("norm_hash")).as("signature"));
  }

  /** Signs one partition's prompts lazily. */
  private static final class SignIterator implements Iterator<Row> {
    private final Iterator<Row> prompts;
    private final MinHashLsh lsh;

    SignIterator(Iterator<Row> prompts, MinHashLsh lsh) {
      this.prompts = prompts;
      this.lsh = lsh;
    }

    @Override
    public boolean hasNext() {
      return prompts.hasNext();
    }

    @Override
    public Row next() {
      Row p = prompts.next();
      long[] signature = lsh.signature(lsh.shingles(p.getString(1)));
      long[] keys = lsh.bandKeys(signature);
      return RowFactory.create(p.getLong(0), boxed(signature), boxed(keys));
    }

    /** Spark's Row encoder takes arrays as Scala sequences. */
    private static scala.collection.immutable.Seq<Object> boxed(long[] a) {
      return scala.collection.immutable.ArraySeq.unsafeWrapArray(a);
    }
  }
}
