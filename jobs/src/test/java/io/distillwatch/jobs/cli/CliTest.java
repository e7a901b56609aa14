package io.distillwatch.jobs.cli;

import io.distillwatch.jobs.testing.CliRun;
import io.distillwatch.jobs.testing.CliRun.Outcome;
import io.distillwatch.jobs.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command-line contract of DESIGN.md: exit codes, one-line errors, --help, --dry-run,
 * --conf and --config. None of these cases starts Spark (user mistakes are caught first).
 */
class CliTest {
  static Outcome run(String... argv) {
    return CliRun.run(argv);
  }

  static Outcome ingest(Path landing, Path lake) {
    return run("ingest", "--landing", landing.toString(), "--lake", lake.toString(), "--date", "2026-10-01");
  }

  static void assertOneLineError(Outcome o, int code, String contains) {
    assertThat(o.code()).as(o.err()).isEqualTo(code);
    assertThat(o.err().strip().lines()).hasSize(1);
    assertThat(o.err()).contains(contains).doesNotContain("Exception\n\tat ");
  }

  @Test
  void unknownCommandIsAUsageError() {
    assertOneLineError(run("ingets"), Cli.USAGE, "unknown command 'ingets'");
    assertThat(run().code()).isEqualTo(Cli.USAGE);
    // commands sharing a name are told apart by their subcommand
    assertOneLineError(run("bench", "speed"), Cli.USAGE, "expected one of lsh, features, attribution, embed");
    assertThat(run("bench", "embed", "--help").out()).contains("usage: distillwatch bench embed");
    assertThat(run("bench", "--help").out()).contains("bench lsh", "bench features", "bench attribution", "bench embed", "bench drift");
  }

  @Test
  void outputsInsideALakeTableAreRefused() throws Exception {
    Path lake = io.distillwatch.jobs.testing.Fixtures.tempDir("cli-lake");
    java.nio.file.Files.createDirectories(lake.resolve("gold/campaigns"));
    String inTable = lake.resolve("gold/campaigns/flagged.csv").toString();
    assertOneLineError(run("export", "campaigns", "--lake", lake.toString(), "--out", inTable), Cli.INVALID_INPUT,
        "inside the folder of the lake's table gold.campaigns");
    assertOneLineError(run("export", "analyst", "--lake", lake.toString(), "--out", lake.resolve("bronze/events/x").toString(),
        "--internal"), Cli.INVALID_INPUT, "table bronze.events");
    assertOneLineError(run("report", "--lake", lake.toString(), "--out", lake.resolve("discovery/campaigns/r.html").toString(),
        "--internal"), Cli.INVALID_INPUT, "table discovery.campaigns");
    assertOneLineError(run("attribute", "--from-lake", lake.toString(), "--campaign", "c1",
        "--out", lake.resolve("ops/runs").toString()), Cli.INVALID_INPUT, "table ops.runs");
    assertOneLineError(run("export", "campaigns", "--lake", "s3a://bucket/lake", "--out", "s3a://bucket/lake/gold/alerts/a.csv"),
        Cli.INVALID_INPUT, "table gold.alerts");
  }

  @Test
  void everyCommandHasHelp() {
    assertThat(run("--help").out()).contains("ingest", "simulate", "nightly", "demo");
    for (Command c : Main.commands()) {
      List<String> argv = new ArrayList<>(List.of(c.name()));
      argv.addAll(c.positionals()); // bench lsh, bench attribution, ...
      argv.add("--help");
      Outcome o = run(argv.toArray(String[]::new));
      assertThat(o.code()).isZero();
      assertThat(o.out()).contains("usage: distillwatch " + c.name()).contains("--dry-run");
      c.options().forEach(opt -> assertThat(o.out()).contains("--" + opt.name()));
    }
  }

  @Test
  void badDatesAndOptionsAreUsageErrors() {
    assertOneLineError(run("ingest", "--landing", "l", "--lake", "k", "--date", "2026-13-01"), Cli.USAGE, "--date");
    assertOneLineError(run("ingest", "--landing", "l", "--lake", "k"), Cli.USAGE, "missing --date");
    assertOneLineError(run("ingest", "--landing", "l", "--lake", "k", "--date", "2026-10-01", "--colour", "x"),
        Cli.USAGE, "unknown option --colour");
    assertOneLineError(run("ingest", "--landing", "l", "--lake", "k", "--date", "2026-10-01", "--max-quarantine-ratio", "2"),
        Cli.USAGE, "--max-quarantine-ratio must be in [0, 1]");
    assertOneLineError(run("simulate", "--landing", "l", "--from", "2026-10-05", "--to", "2026-10-01"), Cli.USAGE, "--to");
    assertOneLineError(run("ingest", "--conf", "novalue", "--landing", "l", "--lake", "k", "--date", "2026-10-01"),
        Cli.USAGE, "--conf takes key=value");
  }

  @Test
  void dryRunValidatesArgumentsOnly() {
    Outcome o = run("nightly", "--landing", "s3a://logs/landing", "--lake", "s3a://lake/dw", "--date", "2026-10-01",
        "--conf", "spark.sql.shuffle.partitions=8", "--dry-run");
    assertThat(o.code()).as(o.err()).isZero();
    assertThat(o.out()).contains("ok: nightly");
  }

  @Test
  void missingLandingFolderIsInvalidInput() {
    Path landing = Fixtures.tempDir("empty-landing");
    assertOneLineError(ingest(landing, Fixtures.tempDir("lake")), Cli.INVALID_INPUT, "no landing folder");
  }

  @Test
  void unusableLakeIsInvalidInput() throws Exception {
    Path landing = Fixtures.tempDir("landing");
    Files.createDirectories(landing.resolve("events/date=2026-10-01"));
    Path file = Files.writeString(Fixtures.tempDir("x").resolve("not-a-dir"), "x");
    assertOneLineError(ingest(landing, file.resolve("lake")), Cli.INVALID_INPUT, "is not a directory");
  }

  @Test
  void configFileGivesDefaultsAndRejectsUnknownKeys() throws Exception {
    Path dir = Fixtures.tempDir("config");
    Path good = Files.writeString(dir.resolve("good.properties"),
        "lake=/tmp/nowhere\nlanding=/tmp/nowhere\nspark.sql.shuffle.partitions=3\n");
    Outcome ok = run("ingest", "--config", good.toString(), "--date", "2026-10-01", "--dry-run");
    assertThat(ok.code()).as(ok.err()).isZero();
    Path bad = Files.writeString(dir.resolve("bad.properties"), "lakee=/tmp/x\n");
    assertOneLineError(run("ingest", "--config", bad.toString(), "--lake", "k", "--landing", "l", "--date", "2026-10-01"),
        Cli.USAGE, "unknown key 'lakee'");
    assertOneLineError(run("ingest", "--config", dir.resolve("absent.properties").toString(), "--lake", "k",
        "--landing", "l", "--date", "2026-10-01"), Cli.INVALID_INPUT, "cannot read config file");
  }

  @Test
  void argsExposeConfs() {
    Args a = new Cli(Main.commands(), System.out, System.err).parse(Main.commands().get(2),
        java.util.List.of("--landing", "l", "--lake", "k", "--date", "2026-10-01", "--conf", "spark.hadoop.fs.s3a.endpoint=http://127.0.0.1:1"));
    assertThat(a.sparkConf()).containsEntry("spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:1");
  }
}
