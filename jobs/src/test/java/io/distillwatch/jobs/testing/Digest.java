package io.distillwatch.jobs.testing;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.Arrays;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.xxhash64;

/** An order-independent digest of a table's content: row count and the sum of row hashes. */
public final class Digest {
  private Digest() {}

  public static String of(Dataset<Row> df, String... ignoredColumns) {
    Column[] cols = Arrays.stream(df.columns())
        .filter(c -> Arrays.stream(ignoredColumns).noneMatch(c::equals))
        .sorted()
        .map(c -> df.schema().apply(c).dataType() instanceof org.apache.spark.sql.types.MapType
            ? org.apache.spark.sql.functions.array_sort(org.apache.spark.sql.functions.map_entries(col("`" + c + "`")))
            : col("`" + c + "`")) // maps have no defined order, so hash their sorted entries
        .toArray(Column[]::new);
    Row r = df.select(xxhash64(cols).as("h")).agg(count(lit(1)), sum(col("h").cast("decimal(38,0)"))).first();
    return r.getLong(0) + ":" + r.get(1);
  }
}
