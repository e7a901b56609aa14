package io.distillwatch.jobs.simulate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillwatch.jobs.testing.Fixtures;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulator without Spark: determinism by seed, and the shape of the traffic against its plan. */
class SimulatorTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final LocalDate FROM = LocalDate.parse("2026-10-01");
  static SimConfig cfg;
  static Path landing;
  static Simulator.Result result;
  static Map<String, JsonNode> labels;
  /** requests per (account, day) for accounts of every population */
  static Map<String, Map<String, Integer>> perAccountDay;

  @BeforeAll
  static void simulateSixDays() throws IOException {
    cfg = SimConfig.of(FROM, FROM.plusDays(5), 11, 0.1);
    landing = Fixtures.tempDir("sim");
    result = new Simulator(cfg, landing.toString(), new Configuration()).run(d -> { });
    labels = new HashMap<>();
    for (String line : Files.readAllLines(landing.resolve("labels/labels.jsonl"))) {
      JsonNode n = JSON.readTree(line);
      labels.put(n.get("account_id").asText(), n);
    }
    perAccountDay = new HashMap<>();
    Set<String> seen = new HashSet<>(); // repeated deliveries are one request
    try (Stream<Path> files = Files.walk(landing.resolve("events"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        for (String line : lines(f)) {
          JsonNode n;
          try {
            n = JSON.readTree(line);
          } catch (IOException malformed) {
            continue; // the simulator's deliberate broken lines
          }
          if (n == null || !n.hasNonNull("account_id") || n.path("event_id").asText().startsWith("evt_bad_") || !n.hasNonNull("ts") || !seen.add(n.get("event_id").asText())) {
            continue;
          }
          perAccountDay.computeIfAbsent(n.get("account_id").asText(), k -> new HashMap<>())
              .merge(n.get("ts").asText().substring(0, 10), 1, Integer::sum);
        }
      }
    }
  }

  static List<String> lines(Path f) throws IOException {
    try (InputStream raw = Files.newInputStream(f);
         InputStream in = f.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
         BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return r.lines().toList();
    }
  }

  static Map<String, String> digestTree(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        out.put(root.relativize(f).toString(), HexFormat.of().formatHex(md.digest(Files.readAllBytes(f))));
      }
    }
    return out;
  }

  @Test
  void sameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws Exception {
    SimConfig small = SimConfig.of(FROM, FROM.plusDays(1), 5, 0.02);
    Path a = Fixtures.tempDir("sim-a");
    Path b = Fixtures.tempDir("sim-b");
    Path c = Fixtures.tempDir("sim-c");
    new Simulator(small, a.toString(), new Configuration()).run(d -> { });
    new Simulator(small, b.toString(), new Configuration()).run(d -> { });
    new Simulator(SimConfig.of(FROM, FROM.plusDays(1), 6, 0.02), c.toString(), new Configuration()).run(d -> { });
    Map<String, String> da = digestTree(a);
    assertThat(da.keySet()).anyMatch(k -> k.endsWith(".jsonl.gz")).anyMatch(k -> k.endsWith("labels.jsonl"));
    assertThat(digestTree(b)).isEqualTo(da);
    assertThat(digestTree(c)).isNotEqualTo(da);
  }

  @Test
  void landingLayoutFollowsTheContract() {
    for (int d = 0; d < cfg.days(); d++) {
      assertThat(landing.resolve("events/date=" + FROM.plusDays(d))).isDirectory();
    }
    assertThat(landing.resolve("accounts/date=" + FROM)).isDirectory();
    assertThat(result.malformed()).isEqualTo((long) cfg.malformedPerDay() * cfg.days());
    assertThat(result.events()).isPositive();
  }

  @Test
  void accountMixIsAsPlanned() {
    List<Simulator.GroupPlan> plan = new Simulator(cfg, landing.toString(), new Configuration()).plan();
    long planned = plan.stream().mapToLong(Simulator.GroupPlan::accounts).sum();
    long plannedCampaign = plan.stream().filter(g -> g.campaign() != null).mapToLong(Simulator.GroupPlan::accounts).sum();
    assertThat(labels).hasSize((int) planned);
    assertThat(labels.values().stream().filter(n -> !n.get("campaign").isNull()).count()).isEqualTo(plannedCampaign);
    Set<String> tactics = labels.values().stream().filter(n -> !n.get("tactic").isNull())
        .map(n -> n.get("tactic").asText()).collect(Collectors.toSet());
    assertThat(tactics).hasSizeGreaterThanOrEqualTo(6);
    Set<String> profiles = new HashSet<>();
    labels.values().forEach(n -> profiles.add(n.get("profile").asText()));
    assertThat(profiles).contains("hobbyist", "chat_app", "coding_power_user", "eval_harness", "batch_synthetic");
    assertThat(profiles).anyMatch(p -> p.startsWith("enterprise"));
    // campaigns are a minority of accounts, as in the real disclosures
    assertThat((double) plannedCampaign / planned).isBetween(0.05, 0.3);
  }

  @Test
  void campaignAccountsStayUnderThirtyRequestsADay() {
    int checked = 0;
    int max = 0;
    for (Map.Entry<String, Map<String, Integer>> e : perAccountDay.entrySet()) {
      JsonNode label = labels.get(e.getKey());
      assertThat(label).as("every account with traffic has a label").isNotNull();
      if (label.get("campaign").isNull() || label.get("tactic").asText().equals("proxy_mix")) {
        continue;
      }
      for (int n : e.getValue().values()) {
        max = Math.max(max, n);
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(100);
    assertThat(max).as("largest requests of one campaign account in one day").isLessThanOrEqualTo(30);
  }

  @Test
  void proxyAccountsCarryMoreThanThirtyADay() {
    double mean = perAccountDay.entrySet().stream()
        .filter(e -> "proxy_mix".equals(labels.get(e.getKey()).get("tactic").asText()))
        .flatMap(e -> e.getValue().values().stream()).mapToInt(Integer::intValue).average().orElse(0);
    assertThat(mean).as("proxies mix distillation into their customers' volume").isGreaterThan(30);
  }
}
