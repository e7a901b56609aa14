package io.distillwatch.features.campaigns;

import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The evidence weighing on a hand-built night whose benign population forms clusters: 2,000
 * background accounts (a fifth of them coders, so distillation-shaped work is common) and 60
 * benign clusters (families and teams sharing a card, courses that signed up together), beside
 * three probes: one cluster with a single rare signal, one with many common ones (under the old
 * rule count it met four rules to the first one's one), one that is only coordinated, at the
 * extreme of every coordination signal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EvidenceWeightsTest {
  private final SparkSession spark = SharedSpark.get();
  private Map<String, Row> probes;
  private List<Row> benign;
  private EvidenceWeights.References references;

  private static final StructType ACCOUNTS = new StructType()
      .add("account_id", DataTypes.StringType).add("cot_share", DataTypes.DoubleType)
      .add("cap_agentic_coding_share", DataTypes.DoubleType).add("cap_tool_use_share", DataTypes.DoubleType)
      .add("cap_reasoning_share", DataTypes.DoubleType).add("cap_rubric_grading_share", DataTypes.DoubleType)
      .add("new_model_share", DataTypes.DoubleType).add("age_days", DataTypes.IntegerType)
      .add("in_cluster", DataTypes.BooleanType).add("requests", DataTypes.LongType).add("active_days", DataTypes.LongType);

  private static final StructType CLUSTERS = new StructType()
      .add("cluster_key", DataTypes.StringType).add("cluster_size", DataTypes.LongType)
      .add("cot_share", DataTypes.DoubleType).add("private_cot_share", DataTypes.DoubleType)
      .add("distill_capability_share", DataTypes.DoubleType).add("private_distill_share", DataTypes.DoubleType)
      .add("new_model_share", DataTypes.DoubleType).add("median_age_days", DataTypes.DoubleType)
      .add("template_concentration", DataTypes.DoubleType).add("private_template_share", DataTypes.DoubleType)
      .add("sync_score", DataTypes.DoubleType).add("payment_sharing", DataTypes.DoubleType)
      .add("signup_spread_days", DataTypes.DoubleType).add("orgs_per_account", DataTypes.DoubleType)
      .add("prefixes_per_account", DataTypes.DoubleType).add("requests_per_account_day", DataTypes.DoubleType);

  @BeforeAll
  void weighTheNight() {
    SplittableRandom rng = new SplittableRandom(11);
    List<Row> accounts = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      boolean coder = rng.nextDouble() < 0.2;
      double coding = coder ? 0.6 + 0.4 * rng.nextDouble() : 0.2 * rng.nextDouble();
      accounts.add(RowFactory.create("a" + i, 0.15 * rng.nextDouble() * rng.nextDouble(), coding, 0.0,
          0.1 * rng.nextDouble(), 0.0, 0.0, 2 + rng.nextInt(900), false, 7L * (1 + rng.nextInt(80)), 7L));
    }
    List<Row> clusters = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      boolean course = i % 3 == 0; // signed up together, homework on a shared template
      long size = course ? 20 + rng.nextInt(20) : 2 + rng.nextInt(4);
      clusters.add(RowFactory.create("benign-" + i, size, 0.1 * rng.nextDouble(), 0.0, 0.3 + 0.6 * rng.nextDouble(), 0.0, 0.0,
          course ? 10.0 + rng.nextInt(200) : 30.0 + rng.nextInt(900), 0.3 + 0.5 * rng.nextDouble(),
          course ? 0.3 * rng.nextDouble() : 0.0, 0.4 * rng.nextDouble(), course ? 0.0 : 0.3 + 0.4 * rng.nextDouble(),
          course ? 0.5 + 3 * rng.nextDouble() : 100 + 300 * rng.nextDouble(), course ? 1.0 : 0.5, course ? 0.3 : 1.0,
          3.0 + 10 * rng.nextDouble()));
    }
    // one rare signal: chain-of-thought in most prompts, far above every background account; the rest ordinary
    clusters.add(RowFactory.create("one-rare", 12L, 0.85, 0.0, 0.5, 0.0, 0.0, 400.0, 0.5, 0.0, 0.2, 0.1, 200.0, 1.0, 1.0, 20.0));
    // many common signals, each inside the benign range: under the old count, young_accounts, template_concentration,
    // distillation_capabilities and shared_payment (4 of 11 rules) to one-rare's one
    clusters.add(RowFactory.create("many-common", 12L, 0.05, 0.0, 0.7, 0.0, 0.0, 40.0, 0.6, 0.1, 0.2, 0.5, 150.0, 0.5, 1.0, 20.0));
    // only coordinated, at the extreme of every coordination signal, with ordinary traffic
    clusters.add(RowFactory.create("only-coordinated", 80L, 0.05, 0.0, 0.3, 0.0, 0.0, 1.0, 0.5, 0.0, 0.2, 0.95, 0.1, 1.0, 0.02, 10.0));
    // a course: its shared assignments are all of its private part, and ask for reasoning and code (private shares
    // 0.30 and 0.71), but it is 18 students at 5.5 requests a day: its private part is about one request a day each,
    // 18 a day together, under the floor (three accounts at the disclosed 26 a day)
    clusters.add(RowFactory.create("course", 18L, 0.08, 0.30, 0.35, 0.71, 0.0, 19.0, 0.45, 0.25, 0.3, 0.0, 0.5, 1.0, 0.3, 5.5));
    // a reseller: its customers' chat is most of its traffic, a tenth of it is a harvest of 108 requests a day per account
    // (6,480 for its 60 accounts) on templates nobody else sends, more than any single background account sends of such work
    clusters.add(RowFactory.create("reseller", 60L, 0.09, 0.30, 0.35, 0.90, 0.0, 400.0, 0.3, 0.30, 0.1, 0.0, 200.0, 1.0, 1.0,
        400.0));
    Dataset<Row> clusterRows = spark.createDataFrame(clusters, CLUSTERS);
    references = EvidenceWeights.references(clusterRows, spark.createDataFrame(accounts, ACCOUNTS));
    List<Row> weighed = EvidenceWeights.weigh(clusterRows, references).collectAsList();
    probes = new HashMap<>();
    benign = new ArrayList<>();
    for (Row r : weighed) {
      String key = r.getString(r.fieldIndex("cluster_key"));
      if (key.startsWith("benign-")) {
        benign.add(r);
      } else {
        probes.put(key, r);
      }
    }
  }

  private static double score(Row r) {
    return r.getDouble(r.fieldIndex("evidence_score"));
  }

  @Test
  void oneRareSignalCarriesAClusterAndSaysSo() {
    Row r = probes.get("one-rare");
    assertThat(score(r)).isGreaterThanOrEqualTo(0.5);
    Map<String, Double> rarity = r.getJavaMap(r.fieldIndex("signal_rarity"));
    assertThat(rarity.get("chain_of_thought")).isCloseTo(1.0 / 2_001, within(1e-12)); // above all 2,000 background accounts
    assertThat(r.getString(r.fieldIndex("evidence_carried_by"))).startsWith("chain_of_thought 0.85 (1 in 2001 accounts, +2.30)");
  }

  @Test
  void manyCommonSignalsWeighNothing() {
    Row r = probes.get("many-common");
    assertThat(r.getDouble(r.fieldIndex("evidence_weight"))).isLessThan(0.5);
    assertThat(score(r)).isLessThan(0.2);
  }

  @Test
  void coordinationAloneStopsShortOfACampaign() {
    Row r = probes.get("only-coordinated");
    Map<String, Double> weights = r.getJavaMap(r.fieldIndex("evidence_weights"));
    double coordination = EvidenceWeights.SIGNALS.stream().filter(s -> s.group().equals(EvidenceWeights.COORDINATION))
        .mapToDouble(s -> weights.get(s.name())).sum();
    assertThat(coordination).as("rare on every coordination signal").isGreaterThan(EvidenceWeights.COORDINATION_CAP);
    double harvesting = EvidenceWeights.SIGNALS.stream().filter(s -> s.group().equals(EvidenceWeights.HARVESTING))
        .mapToDouble(s -> weights.get(s.name())).sum();
    // it corroborates the traffic's own evidence, at most doubling it: nothing rare in the traffic, nothing at all
    assertThat(r.getDouble(r.fieldIndex("evidence_weight")))
        .isEqualTo(harvesting + Math.min(EvidenceWeights.COORDINATION_CAP, harvesting), within(1e-9));
    assertThat(score(r)).isLessThan(0.5);
  }

  @Test
  void benignClustersStayBelowTheLine() {
    assertThat(benign).hasSize(60).allSatisfy(r -> assertThat(score(r)).as(r.getString(0)).isLessThan(0.5));
    // and the coordination signals do fire on them (courses sign up together): weighed, not ignored
    assertThat(benign.stream().filter(r -> r.<String, Double>getJavaMap(r.fieldIndex("evidence_weights")).get("signup_burst") > 0))
        .isNotEmpty();
  }

  @Test
  void aPrivatePartIsWeighedByItsVolumeNotByItsShare() {
    Row course = probes.get("course");
    Map<String, Double> weights = course.getJavaMap(course.fieldIndex("evidence_weights"));
    assertThat(weights.get("chain_of_thought")).isZero();
    assertThat(weights.get("distillation_capabilities")).isZero();
    assertThat(weights.get("private_harvest")).isZero();
    assertThat(score(course)).as(course.getString(course.fieldIndex("evidence_carried_by"))).isLessThan(0.5);

    Row reseller = probes.get("reseller");
    Map<String, Double> rarity = reseller.getJavaMap(reseller.fieldIndex("signal_rarity"));
    assertThat(rarity.get("private_harvest")).isCloseTo(1.0 / 2_001, within(1e-12)); // above all 2,000 accounts
    assertThat(score(reseller)).isGreaterThanOrEqualTo(0.5);
    assertThat(reseller.getString(reseller.fieldIndex("evidence_carried_by")))
        .startsWith("private_harvest 6480 a day (108.0 per account) (1 in 2001 accounts, +2.30)");
  }

  @Test
  void clusterRaritiesLeaveTheClusterItselfOut() {
    EvidenceWeights.Signal sync = EvidenceWeights.SIGNALS.stream().filter(s -> s.name().equals("synchronised")).findFirst()
        .orElseThrow();
    // 65 clusters; the largest value is at least as extreme only as itself: (1 + 0) / (1 + 64)
    assertThat(references.rarity(sync, 1.0)).isCloseTo(1.0 / 65, within(1e-12));
    assertThat(references.rarity(sync, 0.0)).isEqualTo(1.0);
    assertThat(references.accountReference()).startsWith("background accounts");
  }

  @Test
  void tooFewBackgroundAccountsFallBackToEveryActiveAccount() {
    List<Row> accounts = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      accounts.add(RowFactory.create("a" + i, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 100, i >= 50, 70L, 7L));
    }
    Dataset<Row> clusterRows = spark.createDataFrame(List.of(
        RowFactory.create("c", 5L, 0.9, 0.0, 0.0, 0.0, 0.0, 100.0, 0.0, 0.0, 0.0, 0.0, 100.0, 1.0, 1.0, 10.0)), CLUSTERS);
    EvidenceWeights.References refs = EvidenceWeights.references(clusterRows, spark.createDataFrame(accounts, ACCOUNTS));
    assertThat(refs.accountReference()).startsWith("all active accounts");
    assertThat(refs.sizes().get("chain_of_thought")).isEqualTo(150L);
    // above all 150: 1 in 151, which is as rare as 150 accounts can show (weight log10(151) - 1)
    assertThat(EvidenceWeights.weigh(clusterRows, refs).select(col("evidence_weight")).first().getDouble(0))
        .isCloseTo(Math.log10(151) - 1, within(1e-9));
  }

  @Test
  void anOperatorsHarvestIsItsAccountsTogetherAboveAFloorOfThreeDisclosedAccounts() {
    // 2,000 background accounts sending 5 coding requests a day each: every cluster below is above all of them
    List<Row> accounts = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      accounts.add(RowFactory.create("a" + i, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 400, false, 35L, 7L));
    }
    // all their traffic harvest-shaped on private templates: 20 accounts at 3.5 a day (70 a day together,
    // under the floor of 3 x 26 = 78), at 4 a day (80, over it), and a 3-account cluster at 30 a day each (90)
    Dataset<Row> clusterRows = spark.createDataFrame(List.of(
        RowFactory.create("course-like", 20L, 0.0, 0.0, 0.0, 1.0, 0.0, 400.0, 0.5, 1.0, 0.0, 0.0, 400.0, 1.0, 1.0, 3.5),
        RowFactory.create("just-over", 20L, 0.0, 0.0, 0.0, 1.0, 0.0, 400.0, 0.5, 1.0, 0.0, 0.0, 400.0, 1.0, 1.0, 4.0),
        RowFactory.create("three-heavy", 3L, 0.0, 0.0, 0.0, 1.0, 0.0, 400.0, 0.5, 1.0, 0.0, 0.0, 400.0, 1.0, 1.0, 30.0)),
        CLUSTERS);
    EvidenceWeights.References refs = EvidenceWeights.references(clusterRows, spark.createDataFrame(accounts, ACCOUNTS));
    Map<String, Double> weight = new HashMap<>();
    for (Row r : EvidenceWeights.weigh(clusterRows, refs).collectAsList()) {
      weight.put(r.getString(r.fieldIndex("cluster_key")), r.<String, Double>getJavaMap(r.fieldIndex("evidence_weights")).get("private_harvest"));
    }
    // per account each is ordinary or below (5 a day is every background account's); together they are not
    assertThat(weight.get("course-like")).as("70 a day together: under the floor").isZero();
    assertThat(weight.get("just-over")).as("80 a day together").isCloseTo(Math.log10(2_001) - 1, within(1e-9));
    assertThat(weight.get("three-heavy")).as("90 a day together").isCloseTo(Math.log10(2_001) - 1, within(1e-9));
  }
}
