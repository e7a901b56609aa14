package io.distillwatch.jobs.export;

import io.distillwatch.features.linkage.LinkKind;
import io.distillwatch.jobs.evaluate.EvaluateJob;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.CsvFile;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.report.Pseudonyms;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;

/**
 * {@code export analyst --lake K --out DIR}: the CSV files the analyst notebooks read (a Python kernel
 * with pandas; no Java kernel or Parquet reader installs from the registries reachable here). One file per
 * view, each written by {@link CsvFile}; account ids are keyed pseudonyms unless internal.
 * Bounded like the report: all campaign nights (no account data), and account-level rows only for the
 * accounts the night's flagged campaigns hold.
 */
public final class AnalystExport {
  public static final int DAILY_DAYS = 30;

  private AnalystExport() {}

  public record Result(LocalDate date, Map<String, Long> rows) {}

  public static Result write(Lake lake, LocalDate date, Pseudonyms pseudonyms, Path out) throws IOException {
    CampaignTables t = CampaignTables.NIGHTLY;
    if (!lake.exists(t.campaigns())) {
      throw new InvalidInputException("lake " + lake.root() + " has no campaigns yet; run nightly (or link and campaigns) first");
    }
    LocalDate night = date != null ? date : EvaluateJob.latestDate(lake, t);
    Date day = Date.valueOf(night);
    UserDefinedFunction pseudonym = udf((String id) -> pseudonyms.of(id), DataTypes.StringType);
    Files.createDirectories(out);
    Map<String, Long> rows = new LinkedHashMap<>();

    rows.put("campaigns.csv", csv(atomicColumns(lake.read(t.campaigns()).where(col("date").leq(lit(day))))
        .orderBy("date", "campaign_id"), out.resolve("campaigns.csv")));
    Dataset<Row> members = lake.read(t.accountScores()).where(col("date").equalTo(lit(day)).and(col("flagged")))
        .select("campaign_id", "account_id", "score", "links", "link_weight");
    rows.put("members.csv", csv(members.withColumn("account", pseudonym.apply(col("account_id"))).drop("account_id")
        .orderBy("campaign_id", "account"), out.resolve("members.csv")));
    Dataset<Row> daily = atomicColumns(lake.readIfExists(Tables.GOLD_ACCOUNT_DAILY)
        .where(col("date").between(lit(Date.valueOf(night.minusDays(DAILY_DAYS - 1))), lit(day))))
        .join(members.select("account_id", "campaign_id"), "account_id");
    rows.put("account_daily.csv", csv(daily.withColumn("account", pseudonym.apply(col("account_id"))).drop("account_id")
        .orderBy("account", "date"), out.resolve("account_daily.csv")));
    Dataset<Row> ids = members.select("account_id");
    List<Column> linkColumns = new ArrayList<>(List.of(pseudonym.apply(col("src")).as("src"),
        pseudonym.apply(col("dst")).as("dst"), col("weight")));
    for (LinkKind k : LinkKind.defaults()) { // each kind's contribution to the weight, one column each
      linkColumns.add(coalesce(col("contributions").getItem(k.name()), lit(0.0)).as(k.name()));
    }
    Dataset<Row> links = lake.readIfExists(t.links()).where(col("date").equalTo(lit(day)))
        .join(ids.withColumnRenamed("account_id", "src"), "src").join(ids.withColumnRenamed("account_id", "dst"), "dst")
        .select(linkColumns.toArray(Column[]::new));
    rows.put("links.csv", csv(links.orderBy("src", "dst"), out.resolve("links.csv")));
    rows.put("alerts.csv", csv(lake.readIfExists(t.alerts()).where(col("date").leq(lit(day))).orderBy("date", "campaign_id"),
        out.resolve("alerts.csv")));
    rows.put("attribution.csv", csv(atomicColumns(lake.readIfExists(Tables.GOLD_ATTRIBUTION))
        .orderBy("study", "length_mode", "suspect", "method"), out.resolve("attribution.csv")));
    rows.put("evaluation.csv", csv(lake.readIfExists(EvaluateJob.EVALUATION).orderBy("date", "source", "scope", "metric"),
        out.resolve("evaluation.csv")));
    writeManifest(out, lake.root(), night, pseudonyms.isInternal(), rows);
    return new Result(night, rows);
  }

  /** The columns a CSV can hold (maps and arrays left out; the tables keep them). */
  static Dataset<Row> atomicColumns(Dataset<Row> d) {
    List<Column> keep = new ArrayList<>();
    for (StructField f : d.schema().fields()) {
      if (!(f.dataType() instanceof MapType || f.dataType() instanceof ArrayType || f.dataType() instanceof StructType)) {
        keep.add(col(f.name()));
      }
    }
    return d.select(keep.toArray(Column[]::new));
  }

  private static long csv(Dataset<Row> rows, Path target) throws IOException {
    return CsvFile.write(rows, target.toString());
  }

  private static void writeManifest(Path out, String lake, LocalDate night, boolean internal, Map<String, Long> rows)
      throws IOException {
    StringBuilder j = new StringBuilder("{\n  \"lake\": \"").append(lake.replace("\\", "\\\\").replace("\"", "\\\""))
        .append("\",\n  \"date\": \"").append(night).append("\",\n  \"internal\": ").append(internal)
        .append(",\n  \"files\": {");
    List<String> entries = new ArrayList<>();
    rows.forEach((k, v) -> entries.add("\n    \"" + k + "\": " + v));
    j.append(String.join(",", entries)).append("\n  }\n}\n");
    Path tmp = out.resolve(".manifest.json.tmp");
    Files.writeString(tmp, j.toString(), StandardCharsets.UTF_8);
    Files.move(tmp, out.resolve("manifest.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
