package io.distillwatch.jobs.lake;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.function.Function;

/**
 * A CSV file written from a Dataset for tools outside Spark: rows streamed to the driver partition by
 * partition ({@code toLocalIterator}, never the whole Dataset at once) into a temporary file beside the
 * target, then renamed, so a reader never sees half a file. Local paths or any Hadoop file system.
 */
public final class CsvFile {
  private CsvFile() {}

  /** Writes the header and one line per row as {@code line} formats it; returns the number of rows. */
  public static long write(Dataset<Row> rows, String target, String header, Function<Row, String> line) throws IOException {
    Configuration hadoop = rows.sparkSession().sparkContext().hadoopConfiguration();
    Path out = new Path(target);
    FileSystem fs = out.getFileSystem(hadoop);
    Path tmp = new Path(out.getParent(), "." + out.getName() + ".tmp");
    long n = 0;
    try (FSDataOutputStream s = fs.create(tmp, true);
         BufferedWriter w = new BufferedWriter(new OutputStreamWriter(s, StandardCharsets.UTF_8))) {
      w.write(header);
      w.write('\n');
      Iterator<Row> it = rows.toLocalIterator();
      while (it.hasNext()) {
        w.write(line.apply(it.next()));
        w.write('\n');
        n++;
      }
    }
    TextFile.moveIntoPlace(fs, tmp, out);
    return n;
  }

  /** Every column, header from the column names, values as text (null as empty). */
  public static long write(Dataset<Row> rows, String target) throws IOException {
    StringBuilder header = new StringBuilder();
    for (String c : rows.columns()) {
      header.append(header.length() == 0 ? "" : ",").append(quote(c));
    }
    return write(rows, target, header.toString(), CsvFile::line);
  }

  static String line(Row r) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < r.length(); i++) {
      if (i > 0) {
        b.append(',');
      }
      if (!r.isNullAt(i)) {
        b.append(quote(String.valueOf(r.get(i))));
      }
    }
    return b.toString();
  }

  /** RFC 4180 quoting where needed. */
  public static String quote(String v) {
    if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
      return "\"" + v.replace("\"", "\"\"") + "\"";
    }
    return v;
  }
}
