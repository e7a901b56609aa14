package io.distillwatch.models;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * An embedding column for a Dataset of texts, computed on the executors with {@link
 * SentenceEmbedder} ({@code mapPartitions}, batches of {@code batchSize}; each executor JVM
 * loads the model once). The model must be readable at the same path on every executor: the
 * bundled model unpacks itself there from the class path.
 */
public final class Embeddings {
  private Embeddings() {}

  public static final int DEFAULT_BATCH = 32;

  /** {@code df} plus {@code outColumn}: the unit-length embedding (array of float) of {@code textColumn}. */
  public static Dataset<Row> withEmbedding(Dataset<Row> df, String textColumn, String outColumn, ModelSource model,
                                           String device, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be positive");
    }
    StructType schema = df.schema().add(outColumn, DataTypes.createArrayType(DataTypes.FloatType, false), false);
    int textIndex = df.schema().fieldIndex(textColumn);
    boolean bundled = model.name().equals(ModelSource.BUNDLED);
    MapPartitionsFunction<Row, Row> embed = rows -> {
      ModelSource here = bundled ? ModelSource.bundled() : model;
      SentenceEmbedder embedder = SentenceEmbedder.shared(here, SentenceEmbedder.parseDevice(device));
      return new BatchIterator(rows, embedder, textIndex, batchSize);
    };
    return df.mapPartitions(embed, Encoders.row(schema));
  }

  private static final class BatchIterator implements Iterator<Row> {
    private final Iterator<Row> rows;
    private final SentenceEmbedder embedder;
    private final int textIndex;
    private final int batchSize;
    private final List<Row> out = new ArrayList<>();
    private int next;

    BatchIterator(Iterator<Row> rows, SentenceEmbedder embedder, int textIndex, int batchSize) {
      this.rows = rows;
      this.embedder = embedder;
      this.textIndex = textIndex;
      this.batchSize = batchSize;
    }

    @Override
    public boolean hasNext() {
      if (next < out.size()) {
        return true;
      }
      out.clear();
      next = 0;
      List<Row> batch = new ArrayList<>(batchSize);
      List<String> texts = new ArrayList<>(batchSize);
      while (batch.size() < batchSize && rows.hasNext()) {
        Row r = rows.next();
        batch.add(r);
        texts.add(r.isNullAt(textIndex) ? "" : r.getString(textIndex));
      }
      if (batch.isEmpty()) {
        return false;
      }
      float[][] vectors = embedder.embed(texts);
      for (int i = 0; i < batch.size(); i++) {
        Object[] values = new Object[batch.get(i).size() + 1];
        for (int c = 0; c < values.length - 1; c++) {
          values[c] = batch.get(i).get(c);
        }
        values[values.length - 1] = scala.collection.immutable.ArraySeq.unsafeWrapArray(vectors[i]); // Row arrays are Scala sequences
        out.add(RowFactory.create(values));
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return out.get(next++);
    }
  }
}
