package io.distillwatch.jobs.lake;

import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * A table of the lake: its name ({@code layer.table}), its path under the lake root, its
 * schema, partition columns and natural key (the columns that identify a row; every write
 * replaces or merges on them, which is what makes a re-run idempotent).
 */
public record TableSpec(String name, StructType schema, List<String> partitionBy, List<String> naturalKey,
                        String description) {

  /** {@code bronze.events} lives at {@code <lake>/bronze/events}. */
  public String relativePath() {
    return name.replace('.', '/');
  }
}
