package io.distillwatch.jobs.nightly;

import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.spark.Faults;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.jobs.testing.SingleNight;
import io.distillwatch.testing.SharedSpark;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A night that dies at any of its fault points (every stage boundary, and between the commits
 * inside ingest, features, link and campaigns) is repaired by running the date again: every table
 * then equals that of an uninterrupted night, with nothing twice and nothing lost (content
 * digests). The crash is a {@link Faults.SimulatedCrash} thrown on the run's thread, which stops
 * it exactly where a killed JVM would have stopped committing (CrashRerunTest also kills a real
 * child JVM). Tagged {@code slow}: two nights per point; the reliability suite runs it.
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
}
