package io.distillwatch.jobs.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillwatch.jobs.report.Pseudonyms;
import io.distillwatch.jobs.testing.Fixtures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole demo (two simulated days at scale 0.05: every stage, discover, evaluate, export, report) in a
 * child JVM run like the launcher runs it (its log configuration, fake S3 credentials in the
 * environment and as {@code --conf}, a pseudonym key in the environment). Its output, the whole log,
 * must hold no account id, no prompt or response text of the landing zone, no credential and no key
 * (pseudonym and community keys); nor may the report or the peer bundle ({@code share export}).
 * Reliability suite: a few minutes.
 */
@Tag("slow")
class DemoLogPrivacyTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aDemoRunLogsNoAccountIdTextCredentialOrKey() throws Exception {
    Path dir = Fixtures.tempDir("privacy-demo");
    String secretConf = "fake-conf-secret-Wq7Z3kP9";
    String secretEnv = "fake-env-secret-Lm4X8rT2";
    String accessKey = "AKIAFAKEACCESS1234567";
    String pseudonymKey = "fake-pseudonym-key-0123456789";
    String communityKey = "fake-community-key-0123456789abcdefghij";

    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx3g");
    for (String f : (System.getProperty("dw.test.jit", "") + " " + System.getProperty("dw.jvm.flags", "")).trim().split("\\s+")) {
      if (!f.isEmpty()) {
        cmd.add(f);
      }
    }
    cmd.add("-Dlog4j2.configurationFile=log4j2-distillwatch.properties"); // what bin/distillwatch uses
    cmd.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        "io.distillwatch.jobs.cli.Main", "demo", "--dir", dir.toString(), "--days", "2", "--scale", "0.05",
        "--conf", "spark.hadoop.fs.s3a.secret.key=" + secretConf, "--conf", "spark.hadoop.fs.s3a.access.key=" + accessKey));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("AWS_SECRET_ACCESS_KEY", secretEnv);
    pb.environment().put("AWS_ACCESS_KEY_ID", accessKey);
    pb.environment().put(Pseudonyms.KEY_VARIABLE, pseudonymKey);
    pb.environment().put(io.distillwatch.jobs.share.CommunityKey.VARIABLE, communityKey);
    Path logFile = dir.resolveSibling(dir.getFileName() + ".log");
    Process p = pb.redirectOutput(logFile.toFile()).start();
    assertThat(p.waitFor(40, TimeUnit.MINUTES)).as("the demo finished").isTrue();
    String log = Files.readString(logFile, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(log.lines().reduce((a, b) -> b).orElse("")).isZero();
    assertThat(log).contains("demo summary").contains("report ").contains("account ids pseudonymised");

    Set<String> accounts = new LinkedHashSet<>();
    for (String line : Files.readAllLines(dir.resolve("landing/labels/labels.jsonl"))) {
      accounts.add(JSON.readTree(line).get("account_id").asText());
    }
    List<String> texts = landingTexts(dir.resolve("landing/events"), 3_000);
    assertThat(accounts).hasSizeGreaterThan(100);
    assertThat(texts).hasSizeGreaterThan(1_000);

    String report = Files.readString(dir.resolve("report.html"), StandardCharsets.UTF_8);
    String bundle = Files.readString(dir.resolve("share-bundle.json"), StandardCharsets.UTF_8);
    assertThat(bundle).contains("\"type\" : \"bundle\"");
    for (String where : List.of("log", "report", "peer bundle")) {
      String s = where.equals("log") ? log : where.equals("report") ? report : bundle;
      assertThat(accounts).as("account ids in the " + where).noneMatch(s::contains);
      assertThat(texts).as("prompt or response text in the " + where).noneMatch(s::contains);
      assertThat(List.of(secretConf, secretEnv, accessKey, pseudonymKey, communityKey)).as("credentials in the " + where)
          .noneMatch(s::contains);
    }
  }

  /** The first 40 characters of prompts and responses (at least 40 long) of the landing zone's JSON lines. */
  private static List<String> landingTexts(Path events, int max) throws IOException {
    List<String> out = new ArrayList<>();
    List<Path> files;
    try (var walk = Files.walk(events)) {
      files = walk.filter(f -> f.toString().endsWith(".jsonl") || f.toString().endsWith(".jsonl.gz")).sorted().toList();
    }
    for (Path f : files) {
      var in = f.toString().endsWith(".gz") ? new GZIPInputStream(Files.newInputStream(f)) : Files.newInputStream(f);
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null && out.size() < max) {
          JsonNode e;
          try {
            e = JSON.readTree(line);
          } catch (IOException malformed) { // the simulator's malformed lines on purpose
            continue;
          }
          for (String field : List.of("prompt", "response")) {
            String t = e.path(field).asText("");
            if (t.length() >= 40) {
              out.add(t.substring(0, 40));
            }
          }
        }
      }
    }
    return out;
  }
}
