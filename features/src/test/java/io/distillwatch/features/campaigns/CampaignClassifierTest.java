package io.distillwatch.features.campaigns;

import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The supervised classifier on labelled clusters whose classes overlap in every single feature
 * (so no one threshold separates them) but much less in combination: held-out AUC near the best
 * achievable and above every single feature's, the minimum of verdicts per class, and that the
 * same verdicts give the same model.
 */
class CampaignClassifierTest {
  private final SparkSession spark = SharedSpark.get();

  static final List<String> SIGNALS = List.of("log_median_age", "payment_sharing", "cot_share", "signup_spread_days");
  static final double SHIFT = 1.5;

  /**
   * Clusters with every feature standard normal noise, except that campaigns are shifted by
   * {@link #SHIFT} standard deviations on four features (younger, more payment sharing, more
   * chain-of-thought, tighter sign-ups). One feature alone then ranks a campaign above a benign
   * cluster with probability Phi(1.5 / sqrt 2) = 0.86, the four together (the best linear rule)
   * with Phi(1.5 x sqrt 2) = 0.983.
   */
  private Dataset<Row> clusters(int n, long seed, boolean withLabel) {
    SplittableRandom rng = new SplittableRandom(seed);
    StructType schema = new StructType().add("id", DataTypes.IntegerType);
    for (String f : CampaignScoring.ANOMALY_FEATURES) {
      schema = schema.add(f, DataTypes.DoubleType);
    }
    schema = schema.add("label", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean campaign = rng.nextDouble() < 0.4;
      Object[] v = new Object[CampaignScoring.ANOMALY_FEATURES.size() + 2];
      v[0] = i;
      for (int f = 0; f < CampaignScoring.ANOMALY_FEATURES.size(); f++) {
        String name = CampaignScoring.ANOMALY_FEATURES.get(f);
        double sign = name.equals("payment_sharing") || name.equals("cot_share") ? 1 : -1;
        v[f + 1] = gaussian(rng) + (campaign && SIGNALS.contains(name) ? sign * SHIFT : 0);
      }
      v[v.length - 1] = campaign ? 1.0 : 0.0;
      rows.add(RowFactory.create(v));
    }
    Dataset<Row> df = spark.createDataFrame(rows, schema);
    return withLabel ? df : df.drop("label");
  }

  @Test
  void separatesHeldOutClustersItWasNotTrainedOn() {
    CampaignClassifier c = CampaignClassifier.fit(spark, clusters(120, 1, true)).orElseThrow();
    Dataset<Row> test = clusters(400, 2, true);
    List<Row> scored = c.score(test).select("label", "supervised").collectAsList();
    double auc = auc(scored);
    assertThat(auc).as("held-out AUC (the best linear rule: 0.983)").isGreaterThan(0.95);
    for (String f : SIGNALS) { // better than any one of the features it combines
      double sign = f.equals("payment_sharing") || f.equals("cot_share") ? 1 : -1;
      double single = auc(test.select(col("label"), col(f).multiply(sign)).collectAsList());
      assertThat(single).as(f + " alone (about 0.86)").isBetween(0.78, 0.92);
      assertThat(auc).as("combined against " + f + " alone").isGreaterThan(single + 0.05);
    }
    assertThat(scored).allSatisfy(r -> assertThat(r.getDouble(1)).isBetween(0.0, 1.0));
    assertThat(c.campaignVerdicts() + c.benignVerdicts()).isEqualTo(120);
  }

  @Test
  void needsVerdictsOfBothKinds() {
    Dataset<Row> all = clusters(60, 3, true);
    assertThat(CampaignClassifier.fit(spark, all.where(col("label").equalTo(1.0)))).isEmpty();
    Dataset<Row> twoBenign = all.where(col("label").equalTo(1.0)).unionByName(all.where(col("label").equalTo(0.0)).limit(2));
    assertThat(CampaignClassifier.fit(spark, twoBenign)).isEmpty();
    Dataset<Row> threeBenign = all.where(col("label").equalTo(1.0)).unionByName(all.where(col("label").equalTo(0.0)).limit(3));
    assertThat(CampaignClassifier.fit(spark, threeBenign)).isPresent();
  }

  @Test
  void theSameVerdictsInAnotherOrderGiveTheSameModel() {
    Dataset<Row> train = clusters(80, 4, true);
    CampaignClassifier a = CampaignClassifier.fit(spark, train).orElseThrow();
    CampaignClassifier b = CampaignClassifier.fit(spark, train.orderBy(col("id").desc()).repartition(3)).orElseThrow();
    assertThat(b.coefficients()).containsExactly(a.coefficients());
    Dataset<Row> test = clusters(50, 5, false);
    assertThat(b.score(test).orderBy("id").select("supervised").collectAsList())
        .isEqualTo(a.score(test).orderBy("id").select("supervised").collectAsList());
  }

  private static double gaussian(SplittableRandom rng) { // Box-Muller
    return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
  }

  /** Area under the ROC curve: the share of (campaign, benign) pairs ranked right (ties half). */
  private static double auc(List<Row> rows) {
    double right = 0;
    long pairs = 0;
    for (Row p : rows) {
      if (p.getDouble(0) != 1.0) {
        continue;
      }
      for (Row q : rows) {
        if (q.getDouble(0) != 0.0) {
          continue;
        }
        pairs++;
        right += p.getDouble(1) > q.getDouble(1) ? 1 : p.getDouble(1) == q.getDouble(1) ? 0.5 : 0;
      }
    }
    return right / pairs;
  }
}
