package io.distillwatch.jobs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillwatch.jobs.attribute.AttributeCommandTest;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.testing.CliRun;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.jobs.testing.SingleNight;
import io.distillwatch.jobs.testing.StandaloneCluster;
import io.distillwatch.testing.SharedSpark;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The cluster path, really exercised (issue 29): a Spark standalone master and two one-core workers as
 * separate JVMs on 127.0.0.1, started from the Maven jars ({@link StandaloneCluster}), the
 * {@code -spark.jar} submitted with {@code SparkSubmit} as README's cluster section says:
 * <ul>
 *   <li>{@code nightly} for two days with every stage at its defaults: the features' embedding tagger and
 *       the drift stage embed with the bundled model inside executor JVMs, so the model is loaded from the
 *       jar on the executors, not only on the driver; the lake's content digests equal those of the same
 *       two nights run in local mode (the HLL sketches compared by estimate: their bytes depend on merge
 *       order, {@link SingleNight#digestsAcrossPlans});</li>
 *   <li>an attribution study with the MLlib idiosyncrasy classifier, which trains and scores on the
 *       executors; its {@code attribution.json} equals a local run's, numbers to 1e-9 relative. (The
 *       study's sentence embeddings are computed on the driver, in both modes: that is where
 *       {@code AttributeJob} computes them.)</li>
 * </ul>
 * In one JVM a closure that cannot be serialised, a model loaded only on the driver or a static cache
 * executors never see all pass unnoticed; here they fail. Needs the packaged distribution: {@code mvn -B -ntp
 * verify -Preliability} runs it after {@code package}; alone, {@code mvn -B -ntp install -DskipTests} first, then
 * {@code mvn -B -ntp test -pl jobs -Dtest=StandaloneClusterTest -Ddw.test.excludedGroups=none}.
 */
@Tag("slow")
@Tag("cluster") // runs after package under -Preliability (jobs/pom.xml): it needs the -spark.jar
class StandaloneClusterTest {
  static final Path TARGET = Path.of("target");

  @Test
  void nightsAndAStudyOnAStandaloneClusterEqualLocalRuns() throws Exception {
    Path sparkJar = sparkJar();
    Path landing = Fixtures.smallLanding();
    Path clusterLake = Fixtures.tempDir("cluster-lake");
    Path localLake = Fixtures.tempDir("local-lake");
    assertThat(AttributeCommandTest.ALPACA).as("AlpacaEval outputs (../shared/data)").isDirectory();
    // AttributeCommandTest's study: claude-2, a known student of it, an unrelated model, eight references
    Path study = AttributeCommandTest.study(AttributeCommandTest.CLAUDE_STUDY, AttributeCommandTest.CLAUDE_MODELS);
    Path clusterOut = Fixtures.tempDir("cluster-study");
    Path localOut = Fixtures.tempDir("local-study");
    String[] studyArgs = {"attribute", "--study", study.toString(), "--length", "given", "--embedding-model", "none",
        "--classifier", "on", "--permutations", "2000"};

    try (StandaloneCluster cluster = StandaloneCluster.start(TARGET.resolve("dist"), sparkJar, 2, "3g")) {
      for (LocalDate d = Fixtures.FROM; !d.isAfter(Fixtures.FROM.plusDays(1)); d = d.plusDays(1)) {
        StandaloneCluster.Submission s = cluster.submit(sparkJar, "2g", "nightly", "--landing", landing.toString(),
            "--lake", clusterLake.toString(), "--date", d.toString());
        assertThat(s.code()).as("nightly %s on %s:%n%s", d, cluster.master(), s.tail()).isZero();
        assertThat(s.output()).contains("nightly " + d + " campaigns");
      }
      StandaloneCluster.Submission s = cluster.submit(sparkJar, "2g", concat(studyArgs, "--out", clusterOut.toString()));
      assertThat(s.code()).as("attribute on %s:%n%s", cluster.master(), s.tail()).isZero();
      assertThat(s.output()).contains("claude2-alpaca-13b ATTRIBUTED to claude-2").contains("guanaco-65b not attributed");
    }

    for (LocalDate d = Fixtures.FROM; !d.isAfter(Fixtures.FROM.plusDays(1)); d = d.plusDays(1)) {
      CliRun.Outcome o = CliRun.run("nightly", "--landing", landing.toString(), "--lake", localLake.toString(),
          "--date", d.toString());
      assertThat(o.code()).as(o.err()).isZero();
    }
    Map<String, String> onCluster = SingleNight.digestsAcrossPlans(Lake.open(SharedSpark.get(), clusterLake.toString()));
    Map<String, String> local = SingleNight.digestsAcrossPlans(Lake.open(SharedSpark.get(), localLake.toString()));
    assertThat(onCluster).as("tables written on the cluster").hasSizeGreaterThanOrEqualTo(15).isEqualTo(local);

    CliRun.Outcome o = CliRun.run(concat(studyArgs, "--out", localOut.toString()));
    assertThat(o.code()).as(o.err()).isZero();
    ObjectMapper json = new ObjectMapper();
    assertSameNumbers("attribution.json", json.readTree(clusterOut.resolve("attribution.json").toFile()),
        json.readTree(localOut.resolve("attribution.json").toFile()));
  }

  private static Path sparkJar() throws IOException {
    try (Stream<Path> files = Files.list(TARGET)) {
      return files.filter(p -> p.getFileName().toString().matches("distillwatch-jobs-.*-spark\\.jar")).findFirst()
          .orElseThrow(() -> new IllegalStateException(
              "no target/distillwatch-jobs-*-spark.jar: run mvn -B -ntp install -DskipTests before this test"));
    }
  }

  private static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(String[]::new);
  }

  /** The same tree: equal text and booleans, numbers equal to 1e-9 relative (sums over other partitions). */
  private static void assertSameNumbers(String path, JsonNode cluster, JsonNode local) {
    if (cluster.isNumber() && local.isNumber()) {
      double a = cluster.asDouble();
      double b = local.asDouble();
      if (Math.abs(a - b) > 1e-9 * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)))) {
        fail("%s: %s on the cluster, %s locally", path, a, b);
      }
      return;
    }
    assertThat(cluster.getNodeType()).as(path).isEqualTo(local.getNodeType());
    if (cluster.isObject()) {
      List<String> names = new ArrayList<>();
      cluster.fieldNames().forEachRemaining(names::add);
      List<String> localNames = new ArrayList<>();
      local.fieldNames().forEachRemaining(localNames::add);
      assertThat(names).as(path).isEqualTo(localNames);
      for (String n : names) {
        assertSameNumbers(path + "." + n, cluster.get(n), local.get(n));
      }
    } else if (cluster.isArray()) {
      assertThat(cluster.size()).as(path).isEqualTo(local.size());
      Iterator<JsonNode> l = local.elements();
      int i = 0;
      for (JsonNode c : cluster) {
        assertSameNumbers(path + "[" + i++ + "]", c, l.next());
      }
    } else {
      assertThat(cluster.asText()).as(path).isEqualTo(local.asText());
    }
  }
}
