package io.distillwatch.jobs.cli;

import io.distillwatch.features.validate.EventValidator;
import io.distillwatch.jobs.failures.InvalidInputException;
import org.apache.hadoop.conf.Configuration;

import java.util.Map;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DATE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.DOUBLE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.INT;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;

/** Options shared by several commands, spelled once. */
public final class CommonOptions {
  private CommonOptions() {}

  public static final OptionSpec LAKE = OptionSpec.required("lake", TEXT, "lake root: a local path or s3a://bucket/prefix");
  public static final OptionSpec LANDING = OptionSpec.required("landing", TEXT, "landing zone root (events/, accounts/, labels/)");
  public static final OptionSpec DATE_REQUIRED = OptionSpec.required("date", DATE, "the day to process (UTC)");
  public static final OptionSpec MAX_LATENESS = OptionSpec.optional("max-lateness-days", INT, "7",
      "events older than this many days before the landing date are quarantined");
  public static final OptionSpec MAX_PROMPT = OptionSpec.optional("max-prompt-chars", INT, "1000000",
      "longer prompts are quarantined");
  public static final OptionSpec MAX_QUARANTINE = OptionSpec.optional("max-quarantine-ratio", DOUBLE, "0.1",
      "fail, writing nothing, if a larger share of the day's lines is invalid");

  /** The window of traffic link and campaigns cover (and evaluate reads), shared by their commands. */
  public static final OptionSpec WINDOW_DAYS = OptionSpec.optional("window-days", INT,
      String.valueOf(io.distillwatch.jobs.link.LinkJob.Options.DEFAULT_WINDOW), "days of traffic the link graph covers, ending at the date");
  public static final OptionSpec MIN_WEIGHT = OptionSpec.optional("min-weight", DOUBLE,
      String.valueOf(io.distillwatch.jobs.link.LinkJob.Options.DEFAULT_MIN_WEIGHT),
      "total evidence weight a pair of accounts needs to be linked");

  public static int windowDays(Args args) {
    long w = args.integer("window-days");
    if (w < 1 || w > 90) {
      throw new UsageException("--window-days must be in [1, 90]");
    }
    return (int) w;
  }

  public static EventValidator.Limits limits(Args args) {
    EventValidator.Limits d = EventValidator.defaults();
    long lateness = args.integer("max-lateness-days");
    long prompt = args.integer("max-prompt-chars");
    if (lateness < 0 || lateness > 365) {
      throw new UsageException("--max-lateness-days must be in [0, 365]");
    }
    if (prompt < 1 || prompt > Integer.MAX_VALUE - 8) {
      throw new UsageException("--max-prompt-chars must be positive");
    }
    return new EventValidator.Limits((int) lateness, d.maxFutureHours(), (int) prompt, d.maxIdChars());
  }

  public static double ratio(Args args, String name) {
    double r = args.number(name);
    if (r < 0 || r > 1) {
      throw new UsageException("--" + name + " must be in [0, 1]");
    }
    return r;
  }

  /** Hadoop configuration for commands that run without Spark: {@code --conf spark.hadoop.x=y} sets {@code x}. */
  public static Configuration hadoop(Args args) {
    Configuration conf = new Configuration();
    for (Map.Entry<String, String> e : args.sparkConf().entrySet()) {
      if (e.getKey().startsWith("spark.hadoop.")) {
        conf.set(e.getKey().substring("spark.hadoop.".length()), e.getValue());
      }
    }
    return conf;
  }

  /** Fails fast when a local landing folder for the date is missing (remote ones are checked by the job). */
  public static void requireLocalLanding(String landing, java.time.LocalDate date) {
    java.nio.file.Path dir = localPath(landing);
    if (dir != null && !java.nio.file.Files.isDirectory(dir.resolve("events").resolve("date=" + date))) {
      throw new InvalidInputException("no landing folder " + dir.resolve("events").resolve("date=" + date)
          + (java.nio.file.Files.isDirectory(dir) ? "" : " (the landing zone " + dir + " does not exist)"));
    }
  }

  /** Fails fast when a local lake cannot be created or written. */
  public static void requireWritableLocalLake(String lake) {
    java.nio.file.Path dir = localPath(lake);
    if (dir == null) {
      return;
    }
    java.nio.file.Path existing = dir;
    while (existing != null && !java.nio.file.Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !java.nio.file.Files.isDirectory(existing)) {
      throw new InvalidInputException("lake " + lake + " is not a directory");
    }
    if (!java.nio.file.Files.isWritable(existing)) {
      throw new InvalidInputException("lake " + lake + " is not writable (" + existing + ")");
    }
  }

  /**
   * Refuses an output path inside one of the lake's table folders: a Delta table's folder holds
   * only its own files (a stray file there is deleted by the next VACUUM, or read as a table file
   * by tools that list folders).
   */
  public static void requireOutsideTables(String out, String lake) {
    java.util.List<io.distillwatch.jobs.lake.TableSpec> tables = new java.util.ArrayList<>(io.distillwatch.jobs.lake.Tables.ALL);
    tables.addAll(io.distillwatch.jobs.lake.CampaignTables.NIGHTLY.all());
    tables.addAll(io.distillwatch.jobs.lake.CampaignTables.DISCOVERY.all());
    java.nio.file.Path localOut = localPath(out);
    java.nio.file.Path localLake = localPath(lake);
    for (io.distillwatch.jobs.lake.TableSpec t : tables) {
      boolean inside;
      if (localOut != null && localLake != null) {
        inside = localOut.startsWith(localLake.resolve(t.relativePath()));
      } else {
        String table = new org.apache.hadoop.fs.Path(lake, t.relativePath()).toString();
        String o = new org.apache.hadoop.fs.Path(out).toString();
        inside = o.equals(table) || o.startsWith(table + "/");
      }
      if (inside) {
        throw new InvalidInputException("--out " + out + " is inside the folder of the lake's table " + t.name()
            + " (a Delta table's folder holds only its own files); write it elsewhere");
      }
    }
  }

  /** The local path of a location without a scheme or with file:, else null. */
  public static java.nio.file.Path localPath(String location) {
    java.net.URI uri = new org.apache.hadoop.fs.Path(location).toUri();
    if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
      return null;
    }
    return java.nio.file.Path.of(uri.getPath()).toAbsolutePath().normalize();
  }
}
