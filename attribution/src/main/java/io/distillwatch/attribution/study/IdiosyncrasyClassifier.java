package io.distillwatch.attribution.study;

import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The idiosyncrasy classifier: an MLlib multinomial logistic regression learns to tell the
 * candidates (provider and references) apart from their answers to one half of the prompts and
 * is applied to the suspect's answers to the other half; then the halves swap (cross-fitting),
 * so no answer is scored by a model that saw its prompt. The suspect's log-probability of each
 * candidate, per prompt, is this method's similarity. Features: word and word-pair TF-IDF and
 * character 4-gram TF-IDF, hashed into {@value #HASHED} dimensions each. Sentence embeddings are
 * left out: with them MLlib's L-BFGS stopped at its first line search ("Line search zoom
 * failed") and returned the all-zero model (measured on AlpacaEval, 2026-11-23); standardising
 * the features made it fit but to near-zero training loss, which is overfitting at this size.
 */
final class IdiosyncrasyClassifier {
  private IdiosyncrasyClassifier() {}

  static final int HASHED = 1 << 14;
  /** L-BFGS iterations: each is a few Spark jobs; past 30 the held-out probabilities barely move (measured). */
  static final int MAX_ITERATIONS = 30;
  private static final StructType SCHEMA = new StructType()
      .add("label", DataTypes.DoubleType, false)
      .add("features", SQLDataTypes.VectorType(), false);

  /** One feature vector per answer: {@code features[model][prompt]}. */
  static Vector[][] features(String[][] texts) {
    int models = texts.length;
    int n = texts[0].length;
    List<String> flat = new ArrayList<>(models * n);
    for (String[] model : texts) {
      flat.addAll(List.of(model));
    }
    TextVectors.Sparse[] words = TextVectors.vectorize(Method.WORDS, flat);
    TextVectors.Sparse[] chars = TextVectors.vectorize(Method.CHARS, flat);
    int dim = 2 * HASHED;
    Vector[][] out = new Vector[models][n];
    for (int m = 0; m < models; m++) {
      for (int i = 0; i < n; i++) {
        TreeMap<Integer, Double> v = new TreeMap<>();
        add(v, words[m * n + i], 0);
        add(v, chars[m * n + i], HASHED);
        out[m][i] = Vectors.sparse(dim, v.keySet().stream().mapToInt(Integer::intValue).toArray(),
            v.values().stream().mapToDouble(Double::doubleValue).toArray());
      }
    }
    return out;
  }

  private static void add(TreeMap<Integer, Double> v, TextVectors.Sparse s, int offset) {
    for (int j = 0; j < s.ids().length; j++) {
      v.merge(offset + Math.floorMod(s.ids()[j] * 0x9E3779B1, HASHED), (double) s.weights()[j], Double::sum);
    }
  }

  /**
   * {@code lp[i][c]}: log-probability that candidate {@code candidates[c]} wrote the suspect's
   * answer to prompt i, from the classifier trained on the other half of the prompts.
   */
  static double[][] logProbabilities(SparkSession spark, Vector[][] features, int suspect, int[] candidates) {
    int n = features[0].length;
    double[][] lp = new double[n][candidates.length];
    // the two halves are independent fits: run them at once (a fit is many small Spark jobs, so
    // one fit alone leaves a core idle)
    java.util.stream.IntStream.range(0, 2).parallel().forEach(half -> {
      LogisticRegressionModel model = fit(spark, features, candidates, half);
      for (int i = half; i < n; i += 2) {
        Vector p = model.predictProbability(features[suspect][i]);
        for (int c = 0; c < candidates.length; c++) {
          lp[i][c] = Math.log(Math.max(p.apply(c), 1e-9));
        }
      }
    });
    return lp;
  }

  /** Trained on the candidates' answers to the prompts not in {@code half} (i % 2 != half). */
  private static LogisticRegressionModel fit(SparkSession spark, Vector[][] features, int[] candidates, int half) {
    List<Row> train = new ArrayList<>();
    for (int c = 0; c < candidates.length; c++) {
      for (int i = 0; i < features[0].length; i++) {
        if (i % 2 != half) {
          train.add(RowFactory.create((double) c, features[candidates[c]][i]));
        }
      }
    }
    // a local list becomes tasks that carry the data (megabytes, on every L-BFGS iteration);
    // behind a shuffle the tasks are light and LogisticRegression caches the rows once
    Dataset<Row> df = spark.createDataFrame(train, SCHEMA).repartition(2);
    return new LogisticRegression()
        .setFamily("multinomial")
        .setRegParam(1e-3)
        .setStandardization(false)
        .setMaxIter(MAX_ITERATIONS)
        .fit(df);
  }
}
