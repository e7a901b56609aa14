package io.distillwatch.jobs.ingest;

import io.distillwatch.features.validate.EventValidator;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One landing day holding every kind of breakage of issue 7's corpus, through a real ingest:
 * truncated JSON, wrong types, a 10 MB prompt, invalid UTF-8, a raw and an escaped NUL,
 * timestamps in the future and in 1970, a repeated event_id with other content, an exact
 * repeat, unknown fields, an empty file, a corrupt and a truncated gzip, Parquet with an extra
 * column and Parquet whose column types drifted. Every bad record is a quarantine row with a
 * reason, every good one lands once, and the night goes on.
 */
class MalformedInputCorpusTest {
  private static final LocalDate DAY = LocalDate.parse("2026-10-05");
  private static final int GOOD = 200;

  @Test
  void everyBreakageIsQuarantinedWithAReasonAndTheNightGoesOn() throws Exception {
    SparkSession spark = SharedSpark.get();
    Path landing = Fixtures.tempDir("corpus-landing");
    Path day = landing.resolve("events/date=" + DAY);
    Files.createDirectories(day);

    List<String> good = new ArrayList<>();
    for (int i = 1; i <= GOOD; i++) {
      good.add(line("g" + i, "2026-10-05T10:00:00Z", "\"prompt\":\"question number " + i + "\""
          + (i % 10 == 0 ? ",\"field_from_the_future\":{\"x\":[1,2]}" : "")));
    }
    ByteArrayOutputStream main = new ByteArrayOutputStream();
    for (String g : good) {
      main.writeBytes((g + "\n").getBytes(StandardCharsets.UTF_8));
    }
    main.writeBytes((good.get(1) + "\n").getBytes(StandardCharsets.UTF_8)); // an exact repeat: counts once
    main.writeBytes("{\"event_id\":\"t1\",\"ts\":\"2026-10-05T10:00:00Z\",\"account_id\":\"a\",\"prompt\":\"cut off\n"
        .getBytes(StandardCharsets.UTF_8));
    main.writeBytes((line("w1", "2026-10-05T10:00:00Z", "\"prompt\":\"p\",\"asn\":\"AS13335\"") + "\n").getBytes(StandardCharsets.UTF_8));
    main.writeBytes((line("w2", "2026-10-05T10:00:00Z", "\"prompt\":42") + "\n").getBytes(StandardCharsets.UTF_8));
    main.writeBytes((line("n1", "2026-10-05T10:00:00Z", "\"prompt\":\"a\\u0000b\"") + "\n").getBytes(StandardCharsets.UTF_8));
    main.writeBytes((line("n2", "2026-10-05T10:00:00Z", "\"prompt\":\"a\u0000b\"") + "\n").getBytes(StandardCharsets.UTF_8));
    main.writeBytes((line("f1", "2027-10-05T10:00:00Z", "\"prompt\":\"p\"") + "\n").getBytes(StandardCharsets.UTF_8));
    main.writeBytes((line("z1", "1970-01-01T00:00:00Z", "\"prompt\":\"p\"") + "\n").getBytes(StandardCharsets.UTF_8));
    main.writeBytes((line("big", "2026-10-05T10:00:00Z", "\"prompt\":\"" + "x".repeat(10 << 20) + "\"") + "\n")
        .getBytes(StandardCharsets.UTF_8));
    byte[] badUtf8 = (line("u1", "2026-10-05T10:00:00Z", "\"prompt\":\"caf@\"") + "\n").getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < badUtf8.length; i++) {
      if (badUtf8[i] == '@') {
        badUtf8[i] = (byte) 0xC3; // a lead byte followed by an ASCII quote: not UTF-8
      }
    }
    main.writeBytes(badUtf8);
    Files.write(day.resolve("part-00000.jsonl"), main.toByteArray());
    // the same event_id later with other content
    Files.writeString(day.resolve("part-00001.jsonl"),
        line("g1", "2026-10-05T10:00:00Z", "\"prompt\":\"something else entirely\"") + "\n");
    Files.write(day.resolve("part-00002.jsonl"), new byte[0]);
    // a gzip header followed by garbage
    byte[] corrupt = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    Files.write(day.resolve("part-00003.jsonl.gz"), corrupt);
    // a good gzip cut in the middle: the lines before the cut land, then one error row
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(gz)) {
      for (int i = 1; i <= 400; i++) {
        out.write((line("c" + i, "2026-10-05T11:00:00Z", "\"prompt\":\"compressed " + i + " " + "y".repeat(i % 97) + "\"")
            + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    byte[] whole = gz.toByteArray();
    Files.write(day.resolve("part-00004.jsonl.gz"), java.util.Arrays.copyOf(whole, whole.length / 2));
    writeParquet(spark, day.resolve("part-00005.parquet"), false);
    writeParquet(spark, day.resolve("part-00006.parquet"), true);

    Lake lake = Lake.open(spark, Fixtures.tempDir("corpus-lake").toString());
    IngestJob.Result r = new IngestJob(lake, new IngestJob.Options(landing.toString(), DAY, EventValidator.defaults(), 0.5))
        .execute();

    // nothing lost: every record read is accepted or quarantined
    assertThat(r.accepted() + r.quarantined()).isEqualTo(r.read());
    List<Row> quarantine = lake.read(Tables.QUARANTINE_EVENTS).collectAsList();
    assertThat(quarantine).hasSize((int) r.quarantined());
    List<String> reasons = quarantine.stream().map(q -> (String) q.getAs("reason")).toList();
    assertThat(reasons).allSatisfy(reason -> assertThat(reason).isNotBlank().hasSizeLessThan(400)
        .doesNotContain("xxxxxxxx").doesNotContain("something else"));
    assertThat(reasons)
        .anyMatch(x -> x.startsWith("broken JSON"))                                       // truncated line, raw NUL
        .anyMatch(x -> x.contains("field 'asn' must be a 32-bit integer, got string"))    // wrong type (JSON and Parquet drift)
        .anyMatch(x -> x.contains("field 'prompt' must be a string"))
        .anyMatch(x -> x.contains("contains a NUL character"))
        .anyMatch(x -> x.contains("outside the accepted window"))
        .anyMatch(x -> x.contains("field 'prompt' is longer than"))
        .anyMatch(x -> x.equals("invalid UTF-8"))
        .anyMatch(x -> x.startsWith("duplicate event_id with different content"));
    List<Row> corruptGzip = fromFile(quarantine, "part-00003.jsonl.gz");
    assertThat(corruptGzip).hasSize(1);
    assertThat((String) corruptGzip.get(0).getAs("reason")).matches("(file unreadable after line 0|unreadable file): .*");
    List<Row> cutGzip = fromFile(quarantine, "part-00004.jsonl.gz");
    assertThat(cutGzip).hasSize(1);
    assertThat((String) cutGzip.get(0).getAs("reason")).startsWith("file unreadable after line ");
    assertThat(fromFile(quarantine, "part-00002.jsonl")).as("an empty file is no record").isEmpty();
    assertThat(reasons.stream().filter(x -> x.contains("outside the accepted window"))).hasSize(2);
    assertThat(fromFile(quarantine, "part-00006.parquet")).as("the drifted Parquet's rows").hasSize(3);
    assertThat(fromFile(quarantine, "part-00005.parquet")).as("an extra Parquet column is only ignored").isEmpty();

    // every good record landed once; the first delivery of g1 won; the truncated gzip's lines before the cut landed
    List<Row> events = lake.read(Tables.BRONZE_EVENTS).select("event_id", "prompt").collectAsList();
    Set<String> ids = new HashSet<>();
    events.forEach(e -> assertThat(ids.add(e.getString(0))).as("event_id %s once", e.getString(0)).isTrue());
    for (int i = 1; i <= GOOD; i++) {
      assertThat(ids).contains("g" + i);
    }
    assertThat(events.stream().filter(e -> e.getString(0).equals("g1")).findFirst().orElseThrow().getString(1))
        .isEqualTo("question number 1");
    long fromGzip = ids.stream().filter(id -> id.startsWith("c")).count();
    assertThat(fromGzip).isBetween(50L, 399L);
    assertThat(ids).contains("pq1", "pq2", "pq3").doesNotContain("t1", "w1", "w2", "n1", "n2", "f1", "z1", "big", "u1",
        "dq1", "dq2", "dq3");
    assertThat(r.accepted()).isEqualTo(GOOD + 1 + fromGzip + 3); // the exact repeat is read and accepted, stored once
    assertThat(lake.read(Tables.BRONZE_EVENTS).count()).isEqualTo(GOOD + fromGzip + 3);

    // the night goes on: a second ingest of the same day changes nothing
    IngestJob.Result again = new IngestJob(lake, new IngestJob.Options(landing.toString(), DAY, EventValidator.defaults(), 0.5))
        .execute();
    assertThat(again.inserted()).isZero();
    assertThat(lake.read(Tables.BRONZE_EVENTS).count()).isEqualTo(GOOD + fromGzip + 3);
    assertThat(lake.read(Tables.QUARANTINE_EVENTS).count()).isEqualTo(r.quarantined());
  }

  private static List<Row> fromFile(List<Row> quarantine, String name) {
    return quarantine.stream().filter(q -> ((String) q.getAs("source_file")).endsWith("/" + name)).toList();
  }

  private static String line(String id, String ts, String rest) {
    return "{\"event_id\":\"" + id + "\",\"ts\":\"" + ts + "\",\"account_id\":\"acct-" + id + "\",\"model\":\"atlas-3\","
        + rest + "}";
  }

  /** Three rows as Parquet: with an extra column, or (drifted) with asn as a string. */
  private static void writeParquet(SparkSession spark, Path file, boolean drifted) throws IOException {
    StructType schema = new StructType().add("event_id", DataTypes.StringType).add("ts", DataTypes.StringType)
        .add("account_id", DataTypes.StringType).add("model", DataTypes.StringType).add("prompt", DataTypes.StringType)
        .add("asn", drifted ? DataTypes.StringType : DataTypes.IntegerType)
        .add("added_by_upstream", DataTypes.StringType);
    List<Row> rows = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      rows.add(RowFactory.create((drifted ? "dq" : "pq") + i, "2026-10-05T12:00:00Z", "acct-p" + i, "atlas-3",
          "parquet prompt " + i, drifted ? "AS" + (13335 + i) : (Object) (13335 + i), "new"));
    }
    Path dir = Fixtures.tempDir("corpus-parquet");
    spark.createDataFrame(rows, schema).coalesce(1).write().mode(SaveMode.Overwrite).parquet(dir.toString());
    try (Stream<Path> files = Files.list(dir)) {
      Path part = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
      Files.move(part, file);
    }
  }
}
