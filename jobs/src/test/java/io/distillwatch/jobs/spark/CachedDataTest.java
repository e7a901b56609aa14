package io.distillwatch.jobs.spark;

import static org.apache.spark.sql.functions.broadcast;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.RDDBlockId;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;

/**
 * What a night leaves behind without anyone holding it (an RDD a library persisted and never
 * unpersisted, as GraphX's Pregel does; a broadcast join's table) is freed between nights; what is
 * still referenced stays. It runs in a child JVM with the product's session ({@link SparkSessions}):
 * the test suite's shared session turns Spark's context cleaner off, and that cleaner is what frees.
 */
class CachedDataTest {

  @Test
  void whatNothingRefersToIsFreedAndWhatIsReferencedStays() throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    for (String f : System.getProperty("dw.jvm.flags", "").trim().split("\\s+")) { // --add-opens for Spark
      if (!f.isEmpty()) {
        cmd.add(f);
      }
    }
    cmd.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        Probe.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("abandoned blocks before: true")
        .contains("abandoned blocks after: false")
        .contains("kept blocks after: true")
        .containsPattern("storage memory in use \\d+ MB -> \\d+ MB after a GC");
  }

  /** The child JVM: persists two RDDs, forgets one, joins with a broadcast, frees, reports. */
  public static final class Probe {
    public static void main(String[] args) {
      SparkSession spark = SparkSessions.getOrCreate(Map.of("spark.master", "local[2]"));
      JavaRDD<Long> kept = spark.range(200_000).toJavaRDD().map(r -> r * 2).persist(StorageLevel.MEMORY_ONLY());
      kept.count();
      List<JavaRDD<Long>> holder = new ArrayList<>(List.of(persistedAndFilled(spark)));
      int abandonedId = holder.get(0).id();
      Dataset<Row> small = spark.range(1_000).toDF("id");
      spark.range(100_000).toDF("id").join(broadcast(small), "id").count();
      System.out.println("abandoned blocks before: " + stored(abandonedId));
      holder.clear(); // abandoned now: nothing refers to it, nobody unpersisted it

      CachedData.Freed freed = CachedData.freeUnreferenced(spark);

      System.out.println("abandoned blocks after: " + stored(abandonedId));
      System.out.println("kept blocks after: " + stored(kept.id()));
      System.out.println(freed.describe());
      spark.stop();
    }

    private static boolean stored(int rddId) {
      return SparkEnv.get().blockManager().getStatus(new RDDBlockId(rddId, 0)).isDefined();
    }

    private static JavaRDD<Long> persistedAndFilled(SparkSession spark) {
      JavaRDD<Long> rdd = spark.range(200_000).toJavaRDD().map(r -> r + 1).persist(StorageLevel.MEMORY_ONLY());
      rdd.count();
      return rdd;
    }
  }
}
