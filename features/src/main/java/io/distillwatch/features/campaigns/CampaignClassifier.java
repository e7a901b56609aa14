package io.distillwatch.features.campaigns;

import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The cluster-level supervised classifier, for lakes with labelled history: analysts' verdicts
 * on earlier campaigns ("campaign" or "benign", each about a campaign as it stood on a night)
 * train an MLlib logistic regression on the same cluster features the anomaly score reads
 * ({@link CampaignScoring#ANOMALY_FEATURES}); its probability that a cluster is a campaign joins
 * the score ({@link CampaignScoring#score}). With fewer than {@link #MIN_PER_CLASS} verdicts of
 * either kind there is no classifier and the score is the unsupervised one.
 *
 * <p>The training rows are few (one per verdict) and are fitted in one partition in a fixed
 * order, so the same verdicts give the same coefficients and a re-run the same scores.
 */
public final class CampaignClassifier {
  public static final int MIN_PER_CLASS = 3;
  public static final double REG_PARAM = 0.01;

  private final LogisticRegressionModel model;
  private final long campaigns;
  private final long benign;

  private CampaignClassifier(LogisticRegressionModel model, long campaigns, long benign) {
    this.model = model;
    this.campaigns = campaigns;
    this.benign = benign;
  }

  /**
   * @param labelled rows with the columns of {@link CampaignScoring#ANOMALY_FEATURES} and
   *     {@code label} (1.0 campaign, 0.0 benign), at most a few thousand (collected)
   * @return empty when either class has fewer than {@link #MIN_PER_CLASS} rows
   */
  public static Optional<CampaignClassifier> fit(SparkSession spark, Dataset<Row> labelled) {
    List<Column> columns = new ArrayList<>(Arrays.asList(features()));
    columns.add(col("label").cast("double").as("label"));
    Dataset<Row> rows = labelled.select(columns.toArray(Column[]::new));
    List<Row> sorted = rows.orderBy(Arrays.stream(rows.columns()).map(c -> col(c)).toArray(Column[]::new)).collectAsList();
    long positives = sorted.stream().filter(r -> r.getDouble(r.fieldIndex("label")) == 1.0).count();
    long negatives = sorted.size() - positives;
    if (positives < MIN_PER_CLASS || negatives < MIN_PER_CLASS) {
      return Optional.empty();
    }
    Dataset<Row> local = assemble(spark.createDataFrame(sorted, rows.schema()).coalesce(1));
    LogisticRegressionModel model = new LogisticRegression().setRegParam(REG_PARAM).setMaxIter(200)
        .setStandardization(true).setFeaturesCol("_features").setLabelCol("label").fit(local);
    return Optional.of(new CampaignClassifier(model, positives, negatives));
  }

  /** Adds {@code supervised}: the probability that each cluster is a campaign. */
  public Dataset<Row> score(Dataset<Row> clusters) {
    Dataset<Row> scored = model.setProbabilityCol("_probability").setPredictionCol("_prediction")
        .setRawPredictionCol("_raw").transform(assemble(clusters));
    return scored.withColumn("supervised", vector_to_array(col("_probability"), "float64").getItem(1))
        .drop("_features", "_probability", "_prediction", "_raw");
  }

  /** Verdicts the classifier was trained on: campaigns, benign. */
  public long campaignVerdicts() {
    return campaigns;
  }

  public long benignVerdicts() {
    return benign;
  }

  /** The fitted weights by feature (on standardised features), for the documentation of a run. */
  public double[] coefficients() {
    return model.coefficients().toArray();
  }

  private static Column[] features() {
    return CampaignScoring.ANOMALY_FEATURES.stream().map(c -> coalesce(col(c).cast("double"), lit(0.0)).as(c))
        .toArray(Column[]::new);
  }

  private static Dataset<Row> assemble(Dataset<Row> rows) {
    Dataset<Row> filled = rows;
    for (String c : CampaignScoring.ANOMALY_FEATURES) {
      filled = filled.withColumn("_f_" + c, coalesce(col(c).cast("double"), lit(0.0)));
    }
    String[] in = CampaignScoring.ANOMALY_FEATURES.stream().map(c -> "_f_" + c).toArray(String[]::new);
    Dataset<Row> out = new VectorAssembler().setInputCols(in).setOutputCol("_features").transform(filled);
    return out.drop(in);
  }
}
