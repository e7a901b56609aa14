package io.distillwatch.jobs.share;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillwatch.jobs.cli.Cli;
import io.distillwatch.jobs.evaluate.EvaluateJob;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.link.CampaignsJob;
import io.distillwatch.jobs.link.LinkJob;
import io.distillwatch.jobs.testing.CampaignLake;
import io.distillwatch.jobs.testing.CliRun;
import io.distillwatch.jobs.testing.Digest;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.jobs.testing.StixSchemas;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * share export and share match on the campaign lake (real Spark and Delta; the OASIS schemas, offline):
 * the bundle is valid STIX 2.1, object by object; no string of it holds an account id, an organisation,
 * a prompt, a response or a raw identity value of the lake; our own bundle matched against a copy of
 * the lake finds the flagged campaigns' accounts and no benign one, the next link joins the leads
 * (kind {@code peer_indicator}) and the campaigns stage raises {@code peer_lead} alerts without
 * costing the quality gates. The two-lab round trip is {@code SharingRoundTripTest} (reliability
 * suite). Run as {@code CampaignQualityTest.Sharing}.
 */
public abstract class ShareChecks {
  static final LocalDate NIGHT = CampaignLake.LAST;
  static final String KEY = "a-test-community-key-0123456789abcdef";

  /** A bundle written by {@code share export}, and what the export said of it. */
  private record Exported(Path bundle, ShareExport.Result result) {}

  private static Exported ownExport;

  /**
   * The last night's bundle of the shared lake, exported once for both tests (the match test's lake
   * is a copy of that lake, so its own export would be the same bytes).
   */
  private static synchronized Exported ownExport() {
    if (ownExport == null) {
      Path out = Fixtures.tempDir("share-export").resolve("bundle.json");
      ownExport = new Exported(out, new ShareExport(CampaignLake.get().lake, new ShareExport.Options(NIGHT, List.of(),
          null, ShareExport.DEFAULT_MIN_ACCOUNTS, "amber", "lab-a", out.toString(), CommunityKey.of(KEY))).execute());
    }
    return ownExport;
  }

  @Test
  public void theExportIsValidStixAndHoldsNothingThatNamesACustomer() throws Exception {
    Lake lake = CampaignLake.get().lake;
    ShareExport.Result r = ownExport().result();
    Path out = ownExport().bundle();
    System.out.println(r.summary());
    long flagged = lake.read(CampaignTables.NIGHTLY.campaigns()).where(col("date").equalTo(lit(Date.valueOf(NIGHT)))
        .and(col("flagged"))).count();
    assertThat(r.campaigns()).isEqualTo((int) flagged).isPositive();
    assertThat(r.indicatorsByKind()).containsKeys(Indicators.TEMPLATE, Indicators.HOUR_PROFILE);
    assertThat(r.identityShared()).isTrue();

    JsonNode bundle = Stix.JSON.readTree(Files.readString(out));
    assertThat(new StixSchemas().violations(bundle)).isEmpty();
    assertThat(bundle.path("objects")).anySatisfy(o -> assertThat(o.path("id").asText()).isEqualTo(Stix.TLP_IDS.get("amber")));
    assertThat(bundle.path("objects")).allSatisfy(o -> {
      if (!o.path("type").asText().equals("marking-definition")) {
        assertThat(o.path("object_marking_refs").get(0).asText()).isEqualTo(Stix.TLP_IDS.get("amber"));
      }
    });
    // every campaign has indicators, each tied to it
    Set<String> campaigns = new HashSet<>();
    Set<String> indicated = new HashSet<>();
    for (JsonNode o : bundle.path("objects")) {
      if (o.path("type").asText().equals("campaign")) {
        campaigns.add(o.path("id").asText());
      } else if (o.path("type").asText().equals("relationship")) {
        indicated.add(o.path("target_ref").asText());
      }
    }
    assertThat(indicated).containsExactlyInAnyOrderElementsOf(campaigns);

    List<String> leaks = leaks(bundle, lake);
    assertThat(leaks).as("customer data in the bundle").isEmpty();

    // the same night exported again is the same bundle, byte for byte
    Path again = out.resolveSibling("again.json");
    new ShareExport(lake, new ShareExport.Options(NIGHT, List.of(), null, ShareExport.DEFAULT_MIN_ACCOUNTS, "amber",
        "lab-a", again.toString(), CommunityKey.of(KEY))).execute();
    assertThat(Files.readString(again)).isEqualTo(Files.readString(out));
  }

  @Test
  public void matchingOurOwnBundleFindsTheCampaignsAndTheNextNightLinksTheLeads() throws Exception {
    Lake lake = CampaignLake.copy("share-match-lake");
    Path dir = Fixtures.tempDir("share-match");
    Path bundle = ownExport().bundle();
    ShareMatch.Result r = new ShareMatch(lake, new ShareMatch.Options(NIGHT, bundle.toString(), dir.resolve("out").toString(),
        CommunityKey.of(KEY))).execute();
    System.out.println(r.summary());
    assertThat(r.notEvaluated()).as("only the timing fingerprints are descriptive").isEqualTo(r.peerCampaigns());

    Dataset<Row> labels = SharedSpark.get().read().json(CampaignLake.get().labels()).select("account_id", "campaign", "profile");
    Dataset<Row> leads = lake.read(Tables.SHARE_PEER_MATCHES).where(col("lead")).select("account_id").distinct();
    Dataset<Row> flagged = lake.read(CampaignTables.NIGHTLY.members()).where(col("date").equalTo(lit(Date.valueOf(NIGHT)))
        .and(col("flagged"))).select("account_id").distinct();
    long flaggedCampaignAccounts = flagged.join(labels.where(col("campaign").isNotNull()), "account_id").count();
    long found = flagged.join(labels.where(col("campaign").isNotNull()), "account_id").join(leads, "account_id").count();
    long benign = labels.where(col("campaign").isNull()).join(lake.read(Tables.GOLD_ACCOUNT_DAILY)
        .where(col("date").equalTo(lit(Date.valueOf(NIGHT)))).select("account_id").distinct(), "account_id").count();
    long benignLeads = labels.where(col("campaign").isNull()).join(leads, "account_id").count();
    System.out.printf("self-match: %d of %d flagged campaign accounts are leads; %d of %d benign accounts%n",
        found, flaggedCampaignAccounts, benignLeads, benign);
    assertThat((double) found / flaggedCampaignAccounts).as("flagged campaign accounts found again").isGreaterThanOrEqualTo(0.9);
    assertThat((double) benignLeads / benign).as("benign accounts made leads").isLessThanOrEqualTo(0.003);
    assertThat(Files.readAllLines(dir.resolve("out/matches.csv")).get(0)).startsWith("peer_campaign_name,peer_campaign,account_id");
    assertThat(Files.readAllLines(dir.resolve("out/overlaps.csv")).size()).isGreaterThan(1);

    // idempotent: the same bundle matched again writes the same rows
    String first = Digest.of(lake.read(Tables.SHARE_PEER_MATCHES));
    new ShareMatch(lake, new ShareMatch.Options(NIGHT, bundle.toString(), dir.resolve("out").toString(), CommunityKey.of(KEY))).execute();
    assertThat(Digest.of(lake.read(Tables.SHARE_PEER_MATCHES))).isEqualTo(first);

    // the next link joins the leads; the campaigns stage says where a peer's lead landed, and the gates hold
    new LinkJob(lake, CampaignLake.night(CampaignLake.get().landing, NIGHT).link()).execute();
    long peerEdges = lake.read(CampaignTables.NIGHTLY.links()).where(col("date").equalTo(lit(Date.valueOf(NIGHT))))
        .where("contributions['peer_indicator'] > 0").count();
    assertThat(peerEdges).isPositive();
    new CampaignsJob(lake, CampaignLake.night(CampaignLake.get().landing, NIGHT).campaigns()).execute();
    List<Row> alerts = lake.read(CampaignTables.NIGHTLY.alerts()).where(col("date").equalTo(lit(Date.valueOf(NIGHT)))
        .and(col("alert").equalTo("peer_lead"))).collectAsList();
    assertThat(alerts).isNotEmpty().allSatisfy(a -> assertThat(a.getString(a.fieldIndex("evidence"))).contains("peer_indicator"));
    // the briefing counts the peer leads among the night's alerts and shows the edges in the evidence
    io.distillwatch.jobs.report.ReportJob.Result report = new io.distillwatch.jobs.report.ReportJob(lake,
        new io.distillwatch.jobs.report.ReportJob.Options(dir.resolve("report.html"), NIGHT,
            io.distillwatch.jobs.report.Pseudonyms.keyed("a-test-pseudonym-key-0123"), null, null)).execute();
    assertThat(report.data().headline().peerLeads()).isEqualTo(alerts.size());
    assertThat(Files.readString(report.html())).contains("peer leads (share match)").contains("peer_indicator");
    EvaluateJob.Result e = new EvaluateJob(lake, new EvaluateJob.Options(NIGHT, CampaignLake.get().labels(), 7,
        CampaignTables.NIGHTLY)).execute();
    assertThat(e.value("all", "account_precision")).isGreaterThanOrEqualTo(0.95);
    assertThat(e.value("all", "benign_fpr")).isLessThanOrEqualTo(0.003);
  }

  @Test
  public void theCommandLineSaysWhatIsWrongInOneLine() throws Exception {
    Path dir = Fixtures.tempDir("share-cli");
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"type\": \"bundle\", \"id\": \"bundle--nope\"}");
    CliRun.Outcome o = CliRun.run("share", "match", "--lake", CampaignLake.get().lake.root(), "--bundle", bad.toString(),
        "--out", dir.resolve("out").toString());
    assertThat(o.code()).isEqualTo(Cli.INVALID_INPUT);
    assertThat(o.err().strip()).doesNotContain("\n").contains("no valid id");
    CliRun.Outcome tlp = CliRun.run("share", "export", "--lake", CampaignLake.get().lake.root(), "--out",
        dir.resolve("b.json").toString(), "--tlp", "purple");
    assertThat(tlp.code()).isEqualTo(Cli.USAGE);
    assertThat(tlp.err()).contains("TLP");
  }

  /** Every string of the bundle (keys and values) that holds a customer's data of the lake. */
  static List<String> leaks(JsonNode bundle, Lake lake) {
    List<String> strings = new ArrayList<>();
    collect(bundle, strings);
    Set<String> secrets = new HashSet<>();
    for (Row r : lake.read(Tables.BRONZE_ACCOUNTS).select("account_id", "org_id", "payment_fingerprint", "email_domain")
        .collectAsList()) {
      for (int i = 0; i < r.length(); i++) {
        if (!r.isNullAt(i) && r.getString(i).length() >= 4) {
          secrets.add(r.getString(i));
        }
      }
    }
    for (Row r : lake.read(Tables.BRONZE_EVENTS).select("api_key_id", "prompt", "response").distinct().collectAsList()) {
      for (int i = 0; i < r.length(); i++) {
        if (!r.isNullAt(i) && r.getString(i).length() >= (i == 0 ? 4 : 16)) {
          secrets.add(r.getString(i));
        }
      }
    }
    Set<String> addresses = new HashSet<>();
    for (Row r : lake.read(Tables.BRONZE_EVENTS).select("ip").distinct().union(lake.read(Tables.BRONZE_ACCOUNTS).select("signup_ip"))
        .collectAsList()) {
      if (!r.isNullAt(0)) {
        addresses.add(r.getString(0));
      }
    }
    Pattern address = Pattern.compile("\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\b");
    List<String> found = new ArrayList<>();
    for (String s : strings) {
      for (String secret : secrets) {
        if (secret.length() <= s.length() && s.contains(secret)) {
          found.add("'" + s + "' holds '" + secret + "'");
        }
      }
      var m = address.matcher(s);
      while (m.find()) {
        if (addresses.contains(m.group())) {
          found.add("'" + s + "' holds the address " + m.group());
        }
      }
    }
    return found;
  }

  private static void collect(JsonNode n, List<String> out) {
    if (n.isTextual()) {
      out.add(n.asText());
    } else if (n.isObject()) {
      for (Map.Entry<String, JsonNode> e : (Iterable<Map.Entry<String, JsonNode>>) n::fields) {
        out.add(e.getKey());
        collect(e.getValue(), out);
      }
    } else if (n.isArray()) {
      n.forEach(c -> collect(c, out));
    }
  }
}
