package io.distillwatch.jobs.ingest;

import io.distillwatch.jobs.failures.Causes;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.spark.Faults;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.testing.SharedSpark;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A run that dies between two commits is repaired by re-running its date. Two crashes, both
 * right after the bronze.events commit and before accounts and ops.runs:
 * <ul>
 *   <li>in this JVM, the ingest thread throws at the fault point (the CI suite's test);</li>
 *   <li>a child JVM running {@code distillwatch ingest} halts there as if killed (exit 137, no
 *       finally blocks): tagged {@code slow}, it runs in the reliability suite
 *       ({@code mvn verify -Preliability}), since a cold JVM costs CI minutes on a 2-core machine.</li>
 * </ul>
 * Either way, re-running the date must give exactly the lake of an uninterrupted run of it.
 */
@Order(3) // compares with the shared clean lake at its end
class CrashRerunTest {

  @Test
  void crashedIngestIsRepairedByRerunningTheDate() throws Exception {
    Lake lake = Lake.open(SharedSpark.get(), Fixtures.tempDir("crash-lake").toString());
    IngestJob.Options day1 = Fixtures.ingest(Fixtures.smallLanding(), Fixtures.FROM);
    try (AutoCloseable armed = Faults.arm("ingest:after-events")) {
      assertThatThrownBy(() -> new IngestJob(lake, day1).execute()).isInstanceOf(Faults.SimulatedCrash.class);
    }
    assertRepairedByRerun(lake, day1);
  }

  /** The ingest dies in the middle of its bronze.events MERGE: no commit, the table is as before. */
  @Test
  void ingestCrashedInTheMiddleOfAWriteIsRepairedByRerunningTheDate() throws Exception {
    Lake lake = Lake.open(SharedSpark.get(), Fixtures.tempDir("crash-mid-write-lake").toString());
    IngestJob.Options day1 = Fixtures.ingest(Fixtures.smallLanding(), Fixtures.FROM);
    try (AutoCloseable armed = Faults.arm("write:bronze.events")) {
      assertThatThrownBy(() -> new IngestJob(lake, day1).execute())
          .satisfies(e -> assertThat(Causes.first(e, c -> c instanceof Faults.SimulatedCrash)).isPresent());
    }
    assertThat(lake.exists(Tables.QUARANTINE_EVENTS)).as("the write before it committed").isTrue();
    assertThat(lake.exists(Tables.BRONZE_EVENTS)).as("created empty before the merge").isTrue();
    assertThat(lake.read(Tables.BRONZE_EVENTS).count()).as("the crashed merge committed nothing").isZero();
    IngestJob.Result r = new IngestJob(lake, day1).execute();
    assertThat(r.accepted() + r.quarantined()).isEqualTo(r.read());
    assertThat(r.inserted()).as("as many as an uninterrupted first ingest")
        .isEqualTo(Fixtures.cleanLake().results().get(0).inserted());
    assertThat(Fixtures.digests(lake)).isEqualTo(Fixtures.cleanLake().firstDayDigests());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ingest:after-events", "write:bronze.events"})
  @Tag("slow")
  void killedIngestIsRepairedByRerunningTheDate(String fault) throws Exception {
    Path landing = Fixtures.smallLanding();
    Path lakeDir = Fixtures.tempDir("killed-lake");
    Process child = childJvm(fault, "ingest", "--landing", landing.toString(),
        "--lake", lakeDir.toString(), "--date", Fixtures.FROM.toString());
    assertThat(child.waitFor(20, TimeUnit.MINUTES)).as("child finished").isTrue();
    String output = Files.readString(lakeDir.resolveSibling(lakeDir.getFileName() + ".child.log"));
    assertThat(child.exitValue()).as(output).isEqualTo(137);
    Lake lake = Lake.open(SharedSpark.get(), lakeDir.toString());
    if (fault.startsWith("write:")) {
      assertThat(lake.read(Tables.BRONZE_EVENTS).count()).as("killed mid-merge: nothing committed").isZero();
      IngestJob.Result r = new IngestJob(lake, Fixtures.ingest(landing, Fixtures.FROM)).execute();
      assertThat(r.inserted()).isEqualTo(Fixtures.cleanLake().results().get(0).inserted());
      assertThat(Fixtures.digests(lake)).isEqualTo(Fixtures.cleanLake().firstDayDigests());
    } else {
      assertRepairedByRerun(lake, Fixtures.ingest(landing, Fixtures.FROM));
    }
  }

  private static void assertRepairedByRerun(Lake lake, IngestJob.Options day1) {
    assertThat(lake.exists(Tables.BRONZE_EVENTS)).as("the crash came after the events commit").isTrue();
    assertThat(lake.exists(Tables.OPS_RUNS)).as("and before the run was recorded").isFalse();

    IngestJob.Result r = new IngestJob(lake, day1).execute();
    assertThat(r.accepted() + r.quarantined()).isEqualTo(r.read());
    assertThat(r.inserted()).as("the crashed run's events are not inserted twice").isZero();
    assertThat(Fixtures.digests(lake)).isEqualTo(Fixtures.cleanLake().firstDayDigests());
  }

  /** The CLI in a fresh JVM with the test class path and the project's JVM flags; output to a log file. */
  static Process childJvm(String fault, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx2g");
    String flags = System.getProperty("dw.test.jit", "") + " " + System.getProperty("dw.jvm.flags", "");
    for (String f : flags.trim().split("\\s+")) { // the test JVM's own flags, from the parent pom
      if (!f.isEmpty()) {
        cmd.add(f);
      }
    }
    cmd.add("-Ddw.fault=" + fault);
    cmd.add("-cp");
    cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    cmd.add("io.distillwatch.jobs.cli.Main");
    cmd.addAll(List.of(args));
    int lake = cmd.indexOf("--lake") + 1;
    File log = new File(cmd.get(lake) + ".child.log");
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
  }
}
