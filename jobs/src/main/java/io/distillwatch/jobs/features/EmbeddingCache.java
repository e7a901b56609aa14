package io.distillwatch.jobs.features;

import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.models.Embeddings;
import io.distillwatch.models.ModelSource;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * {@code silver.embeddings}: sentence embeddings keyed by model fingerprint and SHA-256 of the
 * normalised text, shared by every stage that embeds prompts (the features job's template
 * representatives, the drift job's windows), so a text is embedded once whatever stage or night
 * first needs it.
 */
public final class EmbeddingCache {
  private final Lake lake;
  private final ModelSource model;
  private final String device;
  private final String modelId;

  public EmbeddingCache(Lake lake, ModelSource model, String device) {
    this.lake = lake;
    this.model = model;
    this.device = device;
    this.modelId = model.fingerprint();
  }

  /**
   * Embeds the texts of {@code texts} (columns text_hash, text) that the table does not hold for
   * this model, on the executors, and adds them (an insert-only MERGE: a re-run adds nothing).
   *
   * @return how many texts were embedded now
   */
  public long embedMissing(Dataset<Row> texts) {
    Dataset<Row> cached = lake.readIfExists(Tables.SILVER_EMBEDDINGS).where(col("model").equalTo(modelId));
    Dataset<Row> missing = texts.select("text_hash", "text").dropDuplicates("text_hash")
        .join(cached.select("text_hash"), new String[] {"text_hash"}, "left_anti");
    // computed once (the MERGE below reads its source more than once)
    Dataset<Row> fresh = Embeddings.withEmbedding(missing, "text", "embedding", model, device, Embeddings.DEFAULT_BATCH)
        .select(lit(modelId).as("model"), col("text_hash"), col("embedding")).localCheckpoint(true);
    long embedded = fresh.count();
    if (embedded > 0) {
      lake.upsert(Tables.SILVER_EMBEDDINGS, fresh, null);
    }
    return embedded;
  }

  /** text_hash, embedding of every text embedded with this model. */
  public Dataset<Row> vectors() {
    return lake.read(Tables.SILVER_EMBEDDINGS).where(col("model").equalTo(modelId)).select("text_hash", "embedding");
  }
}
