package io.distillwatch.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillwatch.jobs.testing.CliRun;
import io.distillwatch.jobs.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Airflow DAGs (airflow/dags): their Python tests run against a stand-in of the operator API
 * (Airflow itself cannot be installed here), and every task's rendered application_args are then
 * accepted by the real command line of the jar, through --dry-run.
 */
class AirflowDagsTest {
  static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent(); // surefire runs in jobs/

  @Test
  void dagsParseAndEveryTaskArgumentListIsAcceptedByTheCli() throws Exception {
    Path argsFile = Fixtures.tempDir("dag-args").resolve("args.json");
    ProcessBuilder pb = new ProcessBuilder("python3", ROOT.resolve("airflow/tests/test_dags.py").toString())
        .redirectErrorStream(true);
    pb.environment().put("DW_DAG_ARGS_OUT", argsFile.toString());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output).contains("OK");

    JsonNode dags = new ObjectMapper().readTree(argsFile.toFile());
    assertThat(dags.fieldNames()).toIterable().contains("distillwatch_nightly", "distillwatch_attribution_study", "distillwatch_discovery");
    int tasks = 0;
    for (Map.Entry<String, JsonNode> dag : iterable(dags)) {
      for (Map.Entry<String, JsonNode> task : iterable(dag.getValue())) {
        List<String> argv = new ArrayList<>();
        task.getValue().forEach(a -> argv.add(a.asText()));
        argv.add("--dry-run");
        CliRun.Outcome o = CliRun.run(argv.toArray(String[]::new));
        assertThat(o.code()).as(dag.getKey() + "." + task.getKey() + " " + argv + ": " + o.err()).isZero();
        assertThat(o.out()).contains("ok: " + argv.get(0));
        tasks++;
      }
    }
    assertThat(tasks).isEqualTo(8); // nightly: 5 stages and the sharing export; attribution: 1; discovery: 1
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
    return node::fields;
  }
}
