package io.distillwatch.features.linkage;

import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AccountLinksTest {
  private final SparkSession spark = SharedSpark.get();

  private static Row m(String account, String org, String kind, String key) {
    return RowFactory.create(account, org, kind, key);
  }

  private AccountLinks.Links links(List<Row> memberships, List<LinkKind> kinds, int starAbove) {
    // checkpointed: a plan holding tens of thousands of local rows is slow to optimise, and edges reads it several times
    Dataset<Row> df = spark.createDataFrame(memberships, AccountLinks.MEMBERSHIP).localCheckpoint();
    return AccountLinks.edges(spark, df, null, kinds, 20_000, starAbove, 1.0);
  }

  @Test
  void hubGuardDropsANatAddressOf10000AccountsAndABenchmarkTemplateOf5000() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) { // one NAT address, every account its own organisation
      rows.add(m(String.format("nat%05d", i), "org-nat" + i, LinkKind.IP, "203.0.113.7"));
      rows.add(m(String.format("nat%05d", i), "org-nat" + i, LinkKind.IP_PREFIX, "203.0.113"));
    }
    for (int i = 0; i < 5_000; i++) { // a public benchmark: the same templates in the same hours
      for (int t = 0; t < 6; t++) {
        rows.add(m(String.format("eval%04d", i), "org-eval" + i, LinkKind.TEMPLATE, "bench" + t));
        rows.add(m(String.format("eval%04d", i), "org-eval" + i, LinkKind.SYNC, "bench" + t + "|2026-10-01 10:00"));
      }
    }
    AccountLinks.Links links = links(rows, LinkKind.defaults(), 64);

    assertThat(links.edges().count()).isZero();
    Map<String, Long> dropped = links.hubs().collectAsList().stream()
        .collect(Collectors.toMap(r -> r.getString(r.fieldIndex("kind")), r -> r.getLong(r.fieldIndex("dropped_memberships"))));
    assertThat(dropped).containsEntry(LinkKind.IP, 10_000L).containsEntry(LinkKind.IP_PREFIX, 10_000L)
        .containsEntry(LinkKind.TEMPLATE, 30_000L).containsEntry(LinkKind.SYNC, 30_000L);
  }

  @Test
  void sharedPaymentAcrossOrganisationsLinksButNotWithinOne() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rows.add(m("camp" + i, "org-c" + i, LinkKind.PAYMENT, "pm_card1"));
      rows.add(m("corp" + i, "org-corp", LinkKind.PAYMENT, "pm_corp")); // one company's card
    }
    List<Row> edges = links(rows, LinkKind.defaults(), 64).edges().collectAsList();
    assertThat(edges).hasSize(10); // the 5-clique of the campaign, nothing for the company
    assertThat(edges).allSatisfy(e -> {
      assertThat(e.getString(0)).startsWith("camp");
      assertThat(e.getDouble(2)).isCloseTo(1.0, within(1e-9));
      assertThat(e.<String, Long>getJavaMap(4)).containsEntry(LinkKind.PAYMENT, 1L);
    });
  }

  @Test
  void largeGroupsBecomeStarsWithExactWeights() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      rows.add(m(String.format("a%02d", i), "o" + i, LinkKind.PAYMENT, "pm_shared"));
    }
    List<LinkKind> kinds = LinkKind.defaults();
    assertThat(links(rows, kinds, 64).edges().count()).isEqualTo(40 * 39 / 2);
    List<Row> star = links(rows, kinds, 10).edges().collectAsList();
    assertThat(star).hasSize(39).allSatisfy(e -> assertThat(e.getString(0)).isEqualTo("a00"));
  }

  @Test
  void contentAndTimingAloneNeverLinkAndWeakKindsNeedSeveralSharedAttributes() {
    List<Row> rows = new ArrayList<>();
    for (String a : List.of("x", "y")) {
      for (int t = 0; t < 20; t++) { // heavy overlap in content and timing only
        rows.add(m(a, "org-" + a, LinkKind.TEMPLATE, "t" + t));
        rows.add(m(a, "org-" + a, LinkKind.SYNC, "t" + t + "|h" + t));
        rows.add(m(a, "org-" + a, LinkKind.ASN_UA_HOUR, "16509|httpx|h" + t));
      }
    }
    assertThat(links(rows, LinkKind.defaults(), 64).edges().count()).isZero();

    // two shared addresses (fewer than the 3 an IP link needs) add nothing; a third turns it on
    List<Row> withIps = new ArrayList<>(rows);
    for (String a : List.of("x", "y")) {
      withIps.add(m(a, "org-" + a, LinkKind.IP, "198.51.100.1"));
      withIps.add(m(a, "org-" + a, LinkKind.IP, "198.51.100.2"));
    }
    assertThat(links(withIps, LinkKind.defaults(), 64).edges().count()).isZero();
    withIps.add(m("x", "org-x", LinkKind.IP, "198.51.100.3"));
    withIps.add(m("y", "org-y", LinkKind.IP, "198.51.100.3"));
    List<Row> edges = links(withIps, LinkKind.defaults(), 64).edges().collectAsList();
    assertThat(edges).hasSize(1);
    Map<String, Double> contributions = edges.get(0).getJavaMap(3);
    assertThat(contributions).containsKeys(LinkKind.IP, LinkKind.TEMPLATE, LinkKind.SYNC);
    assertThat(contributions.get(LinkKind.IP)).isCloseTo(0.15, within(1e-9));
    assertThat(edges.get(0).getDouble(2)).isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void registryMembershipsFindSignupBurstsAcrossBucketBoundaries() {
    List<Row> accounts = new ArrayList<>();
    // three sign-ups 5 minutes apart straddling a 30-minute boundary (10:25, 10:30, 10:35 UTC)
    for (int i = 0; i < 3; i++) {
      accounts.add(RowFactory.create("b" + i, "ob" + i, java.sql.Timestamp.valueOf("2026-10-01 10:25:00").toInstant()
          .plusSeconds(300L * i), "mail123.xyz", null, null, null));
    }
    Dataset<Row> df = spark.createDataFrame(accounts, new org.apache.spark.sql.types.StructType()
        .add("account_id", "string").add("org_id", "string").add("created_at", "timestamp").add("email_domain", "string")
        .add("payment_fingerprint", "string").add("signup_ip", "string").add("program", "string"));
    Dataset<Row> memberships = AccountLinks.registryMemberships(df);
    List<Row> edges = AccountLinks.edges(spark, memberships, null, LinkKind.defaults(), 1000, 64, 1.0).edges()
        .where(col("src").equalTo("b0")).collectAsList();
    assertThat(edges).extracting(r -> r.getString(1)).containsExactlyInAnyOrder("b1", "b2");
  }

  @Test
  void behaviourIsMeasuredExactlyOnCandidatePairsOnly() {
    java.util.Random rng = new java.util.Random(3);
    List<String> features = List.of("f1", "f2", "f3");
    List<Row> accounts = new ArrayList<>();
    double[][] x = new double[60][3];
    for (int i = 0; i < 60; i++) {
      for (int f = 0; f < 3; f++) {
        x[i][f] = (i < 30 ? 0 : 5) + rng.nextGaussian() * 0.3; // two crowds of look-alikes
      }
      accounts.add(RowFactory.create(String.format("a%02d", i), x[i][0], x[i][1], x[i][2]));
    }
    Dataset<Row> behaviour = spark.createDataFrame(accounts, new StructType().add("account_id", "string")
        .add("f1", "double").add("f2", "double").add("f3", "double"));
    // candidates: every pair (i, i + k) for k in 1..4, i.e. some near pairs, some far ones
    List<Row> cand = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      for (int k = 1; k <= 4 && i + k < 60; k++) {
        cand.add(RowFactory.create(String.format("a%02d", i), String.format("a%02d", i + k)));
      }
    }
    Dataset<Row> candidates = spark.createDataFrame(cand, new StructType().add("src", "string").add("dst", "string"));

    // the expectation, computed here: features standardised by mean and sample deviation over all 60
    double[] mean = new double[3];
    double[] sd = new double[3];
    for (int f = 0; f < 3; f++) {
      for (double[] r : x) {
        mean[f] += r[f] / 60;
      }
      for (double[] r : x) {
        sd[f] += (r[f] - mean[f]) * (r[f] - mean[f]) / 59;
      }
      sd[f] = Math.sqrt(sd[f]);
    }
    double maxDistance = 0.25;
    java.util.Set<String> expected = new java.util.TreeSet<>();
    for (Row c : cand) {
      int a = Integer.parseInt(c.getString(0).substring(1));
      int b = Integer.parseInt(c.getString(1).substring(1));
      double d2 = 0;
      for (int f = 0; f < 3; f++) {
        double diff = (x[a][f] - x[b][f]) / sd[f];
        d2 += diff * diff;
      }
      if (Math.sqrt(d2) <= maxDistance) {
        expected.add(c.getString(0) + "-" + c.getString(1));
      }
    }
    assertThat(expected).as("the data has near pairs and far ones").hasSizeBetween(10, cand.size() - 40);

    List<Row> all = AccountLinks.behaviourPairs(behaviour, features, candidates, maxDistance, 100, 0.25).collectAsList();
    java.util.Set<String> found = new java.util.TreeSet<>();
    all.forEach(r -> found.add(r.getString(0) + "-" + r.getString(1)));
    assertThat(found).isEqualTo(expected);
    assertThat(all).allSatisfy(r -> {
      assertThat(r.getString(2)).isEqualTo(LinkKind.BEHAVIOUR);
      assertThat(r.getDouble(4)).isEqualTo(0.25);
    });

    // at most one neighbour per account on each side of the pair
    List<Row> one = AccountLinks.behaviourPairs(behaviour, features, candidates, maxDistance, 1, 0.25).collectAsList();
    assertThat(one).isNotEmpty();
    assertThat(one.stream().collect(Collectors.groupingBy(r -> r.getString(0), Collectors.counting())).values()).allMatch(n -> n == 1);
    assertThat(one.stream().collect(Collectors.groupingBy(r -> r.getString(1), Collectors.counting())).values()).allMatch(n -> n == 1);
  }

  @Test
  void contentEvidenceCountsOnlyForPairsWithIdentityEvidenceAndStarsAmongThem() {
    List<Row> rows = new ArrayList<>();
    // 300 accounts share 5 rare-ish templates; only a10..a13 also share a card
    for (int i = 0; i < 300; i++) {
      for (int t = 0; t < 5; t++) {
        rows.add(m(String.format("a%03d", i), "o" + i, LinkKind.TEMPLATE, "t" + t));
      }
    }
    for (int i = 10; i < 14; i++) {
      rows.add(m(String.format("a%03d", i), "o" + i, LinkKind.PAYMENT, "pm_shared"));
    }
    // the four linked accounts are below the star limit among themselves, so all 6 of their pairs get
    // the template evidence (with a star over all 300 holders only pairs with a000 would)
    List<Row> edges = links(rows, LinkKind.defaults(), 64).edges().collectAsList();
    assertThat(edges).hasSize(6).allSatisfy(e -> {
      assertThat(e.getString(0)).isBetween("a010", "a013");
      Map<String, Double> c = e.getJavaMap(3);
      assertThat(c).containsOnlyKeys(LinkKind.PAYMENT, LinkKind.TEMPLATE);
      assertThat(e.<String, Long>getJavaMap(4)).containsEntry(LinkKind.TEMPLATE, 5L);
    });
  }
}
