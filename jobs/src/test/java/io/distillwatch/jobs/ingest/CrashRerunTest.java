package io.distillwatch.jobs.ingest;

import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real crash: a child JVM runs {@code distillwatch ingest} and halts (as if killed, exit 137)
 * right after the bronze.events commit, before accounts and ops.runs. Re-running the date in
 * this JVM must give exactly the lake of an uninterrupted run.
 */
class CrashRerunTest {

  @Test
  void killedIngestIsRepairedByRerunningTheDate() throws Exception {
    SparkSession spark = SharedSpark.get();
    Path landing = Fixtures.smallLanding();
    Path lakeDir = Fixtures.tempDir("crash-lake");

    Process child = childJvm("ingest:after-events", "ingest", "--landing", landing.toString(),
        "--lake", lakeDir.toString(), "--date", Fixtures.FROM.toString());
    assertThat(child.waitFor(20, TimeUnit.MINUTES)).as("child finished").isTrue();
    String output = Files.readString(lakeDir.resolveSibling(lakeDir.getFileName() + ".child.log"));
    assertThat(child.exitValue()).as(output).isEqualTo(137);

    Lake lake = Lake.open(spark, lakeDir.toString());
    assertThat(lake.exists(Tables.BRONZE_EVENTS)).as("the crash came after the events commit").isTrue();
    assertThat(lake.exists(Tables.OPS_RUNS)).as("and before the run was recorded").isFalse();

    for (int d = 0; d < 2; d++) {
      IngestJob.Result r = new IngestJob(lake, Fixtures.ingest(landing, Fixtures.FROM.plusDays(d))).execute();
      assertThat(r.accepted() + r.quarantined()).isEqualTo(r.read());
    }
    assertThat(Fixtures.digests(lake)).isEqualTo(Fixtures.cleanLake().digests());
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
