package io.distillwatch.jobs.nightly;

import io.distillwatch.jobs.failures.Causes;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.spark.Faults;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.jobs.testing.SingleNight;
import io.distillwatch.testing.SharedSpark;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A night that dies at any of its fault points (every stage boundary, and between the commits
 * inside ingest, features, link and campaigns) is repaired by running the date again: every table
 * then equals that of an uninterrupted night, with nothing twice and nothing lost (content
 * digests). The crash is a {@link Faults.SimulatedCrash} thrown on the run's thread, which stops
 * it exactly where a killed JVM would have stopped committing (CrashRerunTest also kills a real
 * child JVM). A second test crashes the night in the middle of each of its table writes in turn.
 * Tagged {@code slow}: two nights per point; the reliability suite runs it.
 */
@Tag("slow")
class NightlyCrashTest {

  @ParameterizedTest
  @ValueSource(strings = {"ingest:after-quarantine", "ingest:after-events", "ingest:after-accounts",
      "nightly:after-ingest", "features:after-template-daily", "features:after-template-bands",
      "features:after-account-daily", "nightly:after-features", "link:after-links", "nightly:after-link",
      "campaigns:after-campaigns"})
  void aNightCrashedAtAnyPointIsRepairedByRunningItAgain(String point) throws Exception {
    Lake lake = Lake.open(SharedSpark.get(), Fixtures.tempDir("crashed-night").toString());
    try (AutoCloseable armed = Faults.arm(point)) {
      assertThatThrownBy(() -> new NightlyJob(lake, SingleNight.options()).execute(line -> { }))
          .isInstanceOf(Faults.SimulatedCrash.class).hasMessageContaining(point);
    }
    new NightlyJob(lake, SingleNight.options()).execute(line -> { });
    assertThat(SingleNight.digests(lake)).as("after a crash at " + point).isEqualTo(SingleNight.referenceDigests());
  }

  /**
   * The night dies in the middle of its first table write, is run again and dies in the middle of
   * its second, and so on through every write it makes (found by counting, not listed by hand, so a
   * new write is covered without editing this test); the run after the last crash completes, and
   * the lake then equals an uninterrupted night's. The crashed writes leave data files in the
   * table folders that no Delta commit refers to, which readers and the re-run must ignore.
   */
  @Test
  void aNightCrashedInTheMiddleOfEachOfItsWritesInTurnIsRepairedByRunningItAgain() throws Exception {
    Lake lake = Lake.open(SharedSpark.get(), Fixtures.tempDir("crashed-writes").toString());
    Path root = Path.of(URI.create(lake.root()));
    Pattern table = Pattern.compile("write:([a-z_]+\\.[a-z_]+)");
    List<String> crashed = new ArrayList<>();
    int orphans = 0;
    int k = 1;
    while (true) {
      Set<Path> before = dataFiles(root);
      try (AutoCloseable armed = Faults.arm("write#" + k)) {
        new NightlyJob(lake, SingleNight.options()).execute(line -> { });
        break; // the night has no k-th write: it completed
      } catch (Exception | Faults.SimulatedCrash e) {
        Throwable crash = Causes.first(e, c -> c instanceof Faults.SimulatedCrash)
            .orElseThrow(() -> new AssertionError("not the simulated crash", e));
        assertThat(crash.getMessage()).contains("(write#" + k + ")").contains("in the middle of the write");
        Matcher m = table.matcher(crash.getMessage());
        assertThat(m.find()).as(crash.getMessage()).isTrue();
        crashed.add(m.group(1));
        Path folder = root.resolve(m.group(1).replace('.', '/'));
        Set<Path> referenced = Stream.of(SharedSpark.get().read().format("delta").load(folder.toString()).inputFiles())
            .map(f -> Path.of(URI.create(f))).collect(Collectors.toSet());
        orphans += (int) dataFiles(folder).stream().filter(f -> !before.contains(f) && !referenced.contains(f)).count();
      }
      k++;
      assertThat(k).as("a night makes a bounded number of writes").isLessThan(80);
    }
    assertThat(crashed).as("writes crashed, in order").hasSizeGreaterThanOrEqualTo(18)
        .contains("quarantine.events", "bronze.events", "bronze.accounts", "silver.template_daily",
            "silver.request_templates", "silver.template_bands", "silver.templates", "gold.account_daily",
            "gold.account_windows", "gold.account_links", "gold.link_hubs", "gold.campaigns", "gold.campaign_members",
            "gold.account_scores", "gold.alerts", "ops.runs");
    assertThat(orphans).as("data files left by crashed writes, referenced by no commit").isPositive();
    assertThat(SingleNight.digests(lake)).as("after crashes in " + crashed).isEqualTo(SingleNight.referenceDigests());
  }

  private static Set<Path> dataFiles(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return Set.of();
    }
    try (Stream<Path> files = Files.walk(folder)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".parquet") && !f.toString().contains("_delta_log"))
          .collect(Collectors.toCollection(HashSet::new));
    }
  }
}
