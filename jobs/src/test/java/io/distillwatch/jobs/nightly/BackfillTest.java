package io.distillwatch.jobs.nightly;

import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.LocalFiles;
import io.distillwatch.jobs.simulate.Simulator;
import io.distillwatch.jobs.testing.CampaignLake;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.jobs.testing.SingleNight;
import io.distillwatch.testing.SharedSpark;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reruns and backfills of issue 7 over a month: thirty nightly runs in order, then the whole
 * month backfilled (every night again, in order), then two nights again out of order (a late one,
 * then an early one). Every table's content digest must equal the one after the thirty nightly
 * runs (ops.runs holds wall-clock times and is left out). The digests are also compared after the
 * first backfill nights, so a night that does not rewrite its own content is named early.
 *
 * <p>The traffic is CampaignLake's (every tactic, seed 7, the proxy reseller at 10 accounts) at
 * scale 0.1 instead of 0.2: a night's cost is mostly Spark's fixed cost per stage. The whole test is
 * about three hours on a 2-core machine, so it can be run in two halves: with
 * {@code -Ddw.backfill.keep=DIR} the month's landing, lake and digests are kept in DIR once its thirty
 * nights pass the preconditions, and a later run of the same build (the same class and resource bytes
 * of this project's code and test helpers on the test class path) starts from a copy of that lake at the backfill. Any other
 * build rebuilds the month. The quality gates over thirty nights are ThirtyNightsTest's. Tagged
 * {@code slow} (docs/operations.md, "Test suites").
 */
@Tag("slow")
class BackfillTest {
  /** 30, the month; {@code -Ddw.backfill.days=N} runs a shorter month (no preconditions) to try a fix quickly. */
  static final int DAYS = Integer.getInteger("dw.backfill.days", 30);
  static final LocalDate FROM = Fixtures.FROM;
  static final LocalDate LAST = FROM.plusDays(DAYS - 1);

  @Test
  void aMonthBackfilledAndNightsAgainOutOfOrderGiveTheLakeOfTheNightlyRuns() {
    String keep = System.getProperty("dw.backfill.keep", "");
    KeptMonth month = keep.isBlank() ? KeptMonth.build(Fixtures.tempDir("backfill-month"))
        : KeptMonth.keptOrBuilt(Path.of(keep));
    Path copy = Fixtures.tempDir("backfill");
    copyTree(month.lake(), copy);
    Lake lake = Lake.open(SharedSpark.get(), copy.toString());
    assertThat(SingleNight.digests(lake)).as("the month's lake, copied").isEqualTo(month.digests());

    for (LocalDate d = FROM; !d.isAfter(LAST); d = d.plusDays(1)) {
      night(lake, month.landing(), d, "backfill");
      if (d.equals(FROM) || d.equals(FROM.plusDays(2)) || d.equals(FROM.plusDays(14))) {
        assertThat(SingleNight.digests(lake)).as("after backfilling up to " + d).isEqualTo(month.digests());
        System.out.println("backfill: digests after " + d + " equal the month's");
      }
    }
    assertThat(SingleNight.digests(lake)).as("after the " + DAYS + "-night backfill").isEqualTo(month.digests());

    LocalDate late = FROM.plusDays(Math.min(19, DAYS - 1));
    LocalDate early = FROM.plusDays(Math.min(9, DAYS / 2));
    night(lake, month.landing(), late, "again");
    night(lake, month.landing(), early, "again");
    assertThat(SingleNight.digests(lake)).as("after night " + late + ", then night " + early + ", again after the backfill")
        .isEqualTo(month.digests());
  }

  private static void night(Lake lake, Path landing, LocalDate d, String pass) {
    new NightlyJob(lake, CampaignLake.night(landing, d)).execute(line -> System.out.println(pass + ": " + line));
  }

  /** The month of nightly runs a backfill starts from: its landing, its lake and that lake's digests. */
  record KeptMonth(Path landing, Path lake, Map<String, String> digests) {
    private static final String MARKER = "month.properties";

    /** The month kept in {@code dir} by this build, or a new one built there (replacing what was kept). */
    static KeptMonth keptOrBuilt(Path dir) {
      String build = buildFingerprint() + "/" + DAYS + "-nights"; // a month of another length is another month
      Path marker = dir.resolve(MARKER);
      if (Files.isRegularFile(marker)) {
        Properties p = load(marker);
        if (build.equals(p.getProperty("build"))) {
          System.out.println("backfill: starting from the month kept in " + dir + " (same build " + build.substring(0, 12) + ")");
          Map<String, String> digests = new TreeMap<>();
          p.stringPropertyNames().stream().filter(k -> k.startsWith("digest.")).forEach(k -> digests.put(k.substring(7), p.getProperty(k)));
          return new KeptMonth(dir.resolve("landing"), dir.resolve("lake"), digests);
        }
        System.out.println("backfill: the month kept in " + dir + " is of another build; building it again");
      }
      deleteTree(dir);
      KeptMonth month = build(dir);
      Properties p = new Properties();
      p.setProperty("build", build);
      month.digests().forEach((t, d) -> p.setProperty("digest." + t, d));
      store(p, marker); // last: a month cut short leaves no marker and is built again
      return month;
    }

    /** Thirty nightly runs in order into {@code dir}, checked for what makes reruns hard. */
    static KeptMonth build(Path dir) {
      Path landing = dir.resolve("landing");
      new Simulator(CampaignLake.config(DAYS, 0.1), landing.toString(), new Configuration()).run(d -> { });
      Lake lake = Lake.open(SharedSpark.get(), dir.resolve("lake").toString());
      for (LocalDate d = FROM; !d.isAfter(LAST); d = d.plusDays(1)) {
        night(lake, landing, d, "nightly");
      }
      if (DAYS < 30) {
        System.out.println("backfill: a " + DAYS + "-night month, without the month's preconditions");
        return new KeptMonth(landing, dir.resolve("lake"), SingleNight.digests(lake));
      }
      // the month must hold what makes reruns hard: flagged campaigns whose ids carry from night to night
      Dataset<Row> flagged = lake.read(CampaignTables.NIGHTLY.members()).where(col("flagged"));
      Dataset<Row> lastNight = flagged.where(col("date").equalTo(LAST)).select("campaign_id").distinct();
      long campaigns = lastNight.count();
      long idsFromEarlierNights = flagged.where(col("date").lt(LAST.minusDays(7))).select("campaign_id").distinct()
          .join(lastNight, "campaign_id").count();
      assertThat(campaigns).as("campaigns flagged on the last night").isGreaterThanOrEqualTo(4);
      assertThat(idsFromEarlierNights).as("of them, ids already flagged more than a week earlier").isGreaterThanOrEqualTo(3);
      System.out.println("backfill: the month flags " + campaigns + " campaigns on its last night, "
          + idsFromEarlierNights + " of them with ids flagged more than a week earlier");
      return new KeptMonth(landing, dir.resolve("lake"), SingleNight.digests(lake));
    }
  }

  /**
   * SHA-256 over the names and bytes of this project's classes and resources on the test class
   * path (its output directories and its jars in the local repository; of the jobs tests, the
   * {@code testing} helpers only), in a fixed order. Jar timestamps and manifests are left out, so
   * a rebuild of the same code keeps the fingerprint.
   */
  static String buildFingerprint() {
    String root = Path.of(System.getProperty("dw.project.root", ".")).toAbsolutePath().normalize().toString();
    String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      int hashed = 0;
      for (String entry : classPath.split(File.pathSeparator)) {
        Path p = Path.of(entry).toAbsolutePath().normalize();
        if (p.toString().startsWith(root) && Files.isDirectory(p)) {
          try (Stream<Path> files = Files.walk(p)) {
            // of a test output directory, only the helpers that make the month (traffic, night options, digests)
            boolean tests = p.endsWith("test-classes");
            for (Path f : files.filter(Files::isRegularFile).sorted()
                .filter(f -> !tests || p.relativize(f).startsWith(Path.of("io", "distillwatch", "jobs", "testing")))
                .toList()) {
              sha.update(p.relativize(f).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
              sha.update(Files.readAllBytes(f));
            }
          }
          hashed++;
        } else if (p.toString().contains(File.separator + "io" + File.separator + "distillwatch" + File.separator)
            && p.toString().endsWith(".jar")) {
          try (JarFile jar = new JarFile(p.toFile())) {
            List<JarEntry> entries = jar.stream().filter(e -> !e.isDirectory() && !e.getName().startsWith("META-INF/"))
                .sorted(Comparator.comparing(JarEntry::getName)).toList();
            for (JarEntry e : entries) {
              sha.update(e.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
              try (InputStream in = jar.getInputStream(e)) {
                sha.update(in.readAllBytes());
              }
            }
          }
          hashed++;
        }
      }
      if (hashed == 0) { // a fingerprint of nothing would let any build resume any month
        throw new IllegalStateException("no class path entry of this project found under " + root + " in " + classPath);
      }
      System.out.println("backfill: build fingerprint over " + hashed + " class path entries");
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Properties load(Path file) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      p.load(in);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void store(Properties p, Path file) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      p.store(out, "BackfillTest's month: the build that made it and its table digests");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copyTree(Path from, Path to) {
    try {
      LocalFiles.copyTree(from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
