package io.distillwatch.jobs.ingest;

import io.distillwatch.jobs.failures.InvalidInputException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

/**
 * Reads the landing files of one date into raw lines with their provenance: {@code source_file},
 * {@code line_number} (1-based), {@code raw_line} and {@code read_error} (set when a line or the
 * rest of a file cannot be read: invalid UTF-8, a corrupt gzip, an over-long line).
 *
 * <p>JSON Lines files are read by tasks, one file at a time, streaming: a file is never held in
 * memory and a broken file costs one quarantine row, not the night. Parquet files are read by
 * Spark, each row rendered as a JSON object so that the same validator applies to both formats.
 */
public final class LandingReader {
  /** Lines longer than this are quarantined with their first {@link #KEPT_OF_LONG_LINE} bytes. */
  static final int MAX_LINE_BYTES = 64 << 20;
  static final int KEPT_OF_LONG_LINE = 1 << 20;

  public static final StructType RAW = new StructType()
      .add("source_file", DataTypes.StringType, false)
      .add("line_number", DataTypes.LongType, false)
      .add("raw_line", DataTypes.StringType)
      .add("read_error", DataTypes.StringType);

  /** The files found for one date, by kind; {@code ignored} are files of no accepted kind. */
  public record Listing(List<String> json, List<String> parquet, List<String> ignored) {
    public int files() {
      return json.size() + parquet.size();
    }
  }

  private LandingReader() {}

  /** Lists {@code dir}; a missing folder is an {@link InvalidInputException} when {@code required}. */
  public static Listing list(Configuration hadoop, String dir, boolean required) {
    Path path = new Path(dir);
    List<String> json = new ArrayList<>();
    List<String> parquet = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      if (!fs.exists(path)) {
        if (required) {
          throw new InvalidInputException("no landing folder " + dir);
        }
        return new Listing(json, parquet, ignored);
      }
      for (FileStatus st : fs.listStatus(path)) {
        String name = st.getPath().getName();
        if (!st.isFile() || name.startsWith("_") || name.startsWith(".")) {
          continue;
        }
        String p = st.getPath().toString();
        if (name.endsWith(".jsonl") || name.endsWith(".jsonl.gz")) {
          json.add(p);
        } else if (name.endsWith(".parquet")) {
          parquet.add(p);
        } else {
          ignored.add(p);
        }
      }
    } catch (IOException e) {
      throw new InvalidInputException("cannot list landing folder " + dir + ": " + e.getMessage(), e);
    }
    Collections.sort(json);
    Collections.sort(parquet);
    Collections.sort(ignored);
    return new Listing(json, parquet, ignored);
  }

  /** All lines of the listed files as a Dataset of {@link #RAW}. */
  public static Dataset<Row> read(SparkSession spark, Listing listing) {
    SerializableConf conf = new SerializableConf(spark.sparkContext().hadoopConfiguration());
    Dataset<Row> lines = spark.createDataset(listing.json(), Encoders.STRING())
        .repartition(Math.max(1, listing.json().size()))
        .flatMap((FlatMapFunction<String, Row>) file -> new LineIterator(conf.get(), file), Encoders.row(RAW));
    for (String file : listing.parquet()) {
      lines = lines.unionByName(readParquet(spark, file));
    }
    return lines;
  }

  private static Dataset<Row> readParquet(SparkSession spark, String file) {
    Dataset<Row> df;
    try {
      df = spark.read().parquet(file);
      df.schema(); // reads the footer now, so a corrupt file is caught here
    } catch (Exception e) {
      Row broken = RowFactory.create(file, 1L, null, "unreadable Parquet file: " + firstLine(e.getMessage()));
      return spark.createDataFrame(List.of(broken), RAW);
    }
    Dataset<Row> json = df.select(to_json(struct(col("*"))).as("raw_line"));
    var indexed = json.javaRDD().zipWithIndex()
        .map(t -> RowFactory.create(file, t._2() + 1, t._1().getString(0), null));
    return spark.createDataFrame(indexed, RAW);
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    String first = s.lines().findFirst().orElse("");
    return first.length() > 200 ? first.substring(0, 200) + "..." : first;
  }

  /** Streams the lines of one (possibly compressed) file; a read failure ends the file with one error row. */
  static final class LineIterator implements Iterator<Row> {
    private final String file;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream(4096);
    private final byte[] chunk = new byte[1 << 16];
    private int pos;
    private int limit;
    private InputStream in;
    private long lineNumber;
    private Row next;
    private boolean done;

    LineIterator(Configuration conf, String file) {
      this.file = file;
      try {
        Path p = new Path(file);
        FileSystem fs = p.getFileSystem(conf);
        InputStream raw = fs.open(p);
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(p);
        in = codec == null ? raw : codec.createInputStream(raw);
      } catch (IOException | RuntimeException e) {
        next = RowFactory.create(file, 1L, null, "unreadable file: " + describe(e));
        done = true;
      }
    }

    @Override
    public boolean hasNext() {
      if (next == null && !done) {
        next = advance();
      }
      return next != null;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Row r = next;
      next = null;
      return r;
    }

    private Row advance() {
      try {
        while (true) {
          buf.reset();
          boolean tooLong = false;
          boolean sawNewline = false;
          while (!sawNewline) {
            if (pos == limit) {
              limit = in.read(chunk, 0, chunk.length);
              pos = 0;
              if (limit <= 0) {
                limit = 0;
                break;
              }
            }
            int start = pos;
            while (pos < limit && chunk[pos] != '\n') {
              pos++;
            }
            int n = pos - start;
            if (buf.size() + n <= MAX_LINE_BYTES) {
              buf.write(chunk, start, n);
            } else {
              buf.write(chunk, start, Math.max(0, MAX_LINE_BYTES - buf.size()));
              tooLong = true;
            }
            if (pos < limit) {
              pos++; // the newline
              sawNewline = true;
            }
          }
          if (!sawNewline && buf.size() == 0) {
            close();
            return null;
          }
          lineNumber++;
          byte[] bytes = buf.toByteArray();
          int len = bytes.length;
          if (len > 0 && bytes[len - 1] == '\r') {
            len--;
          }
          if (!tooLong && isBlank(bytes, len)) {
            continue; // blank lines carry no record
          }
          if (tooLong) {
            String head = new String(bytes, 0, Math.min(len, KEPT_OF_LONG_LINE), StandardCharsets.UTF_8);
            return RowFactory.create(file, lineNumber, head, "line longer than " + MAX_LINE_BYTES + " bytes (first "
                + KEPT_OF_LONG_LINE + " kept)");
          }
          try {
            String line = utf8.decode(ByteBuffer.wrap(bytes, 0, len)).toString();
            return RowFactory.create(file, lineNumber, line, null);
          } catch (CharacterCodingException e) {
            String lossy = new String(bytes, 0, len, StandardCharsets.UTF_8);
            return RowFactory.create(file, lineNumber, lossy, "invalid UTF-8");
          }
        }
      } catch (IOException | RuntimeException e) {
        close();
        return RowFactory.create(file, lineNumber + 1, null,
            "file unreadable after line " + lineNumber + ": " + describe(e));
      }
    }

    private static boolean isBlank(byte[] bytes, int len) {
      for (int i = 0; i < len; i++) {
        if (bytes[i] != ' ' && bytes[i] != '\t') {
          return false;
        }
      }
      return true;
    }

    private void close() {
      done = true;
      try {
        if (in != null) {
          in.close();
        }
      } catch (IOException ignored) {
        // nothing more to read either way
      }
    }

    private static String describe(Exception e) {
      return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + firstLine(e.getMessage()));
    }
  }
}
