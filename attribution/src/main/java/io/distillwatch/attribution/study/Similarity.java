package io.distillwatch.attribution.study;

import java.util.ArrayList;
import java.util.List;

/** One method's view of every answer of a study, and the similarity of two models' answers to a prompt. */
abstract class Similarity {
  /** sim[i][c]: the suspect's answer to prompt suspectRows[i] against candidate c's answer to prompt rows[i]. */
  double[][] matrix(int suspect, int[] suspectRows, int[] candidates, int[] rows) {
    double[][] sim = new double[rows.length][candidates.length];
    for (int i = 0; i < rows.length; i++) {
      for (int c = 0; c < candidates.length; c++) {
        sim[i][c] = between(suspect, suspectRows[i], candidates[c], rows[i]);
      }
    }
    return sim;
  }

  /** Model a's answer to prompt i against model b's answer to prompt j. */
  abstract double between(int a, int i, int b, int j);

  /** texts[model][prompt]. */
  /** Every answer's embedding, {@code [model][prompt]}, in batches of 32. */
  static float[][][] embed(String[][] texts, AttributionStudy.Embedder embedder) {
    float[][][] vectors = new float[texts.length][][];
    for (int m = 0; m < texts.length; m++) {
      int n = texts[m].length;
      vectors[m] = new float[n][];
      for (int from = 0; from < n; from += 32) {
        float[][] e = embedder.embed(List.of(texts[m]).subList(from, Math.min(n, from + 32)));
        System.arraycopy(e, 0, vectors[m], from, e.length);
      }
    }
    return vectors;
  }

  static Similarity of(Method method, String[][] texts, float[][][] embeddings) {
    int models = texts.length;
    int n = texts[0].length;
    return switch (method) {
      case LENGTH -> {
        double[][] logWords = new double[models][n];
        for (int m = 0; m < models; m++) {
          for (int i = 0; i < n; i++) {
            logWords[m][i] = Math.log1p(TextVectors.words(texts[m][i]));
          }
        }
        yield new Similarity() {
          double between(int a, int i, int b, int j) {
            return -Math.abs(logWords[a][i] - logWords[b][j]);
          }
        };
      }
      case EMBEDDING -> {
        float[][][] vectors = embeddings;
        yield new Similarity() {
          double between(int a, int i, int b, int j) {
            float[] x = vectors[a][i];
            float[] y = vectors[b][j];
            double s = 0;
            for (int k = 0; k < x.length; k++) {
              s += x[k] * y[k];
            }
            return s;
          }
        };
      }
      case CLASSIFIER -> throw new IllegalArgumentException("the classifier's similarity depends on the candidates; "
          + "see IdiosyncrasyClassifier");
      default -> {
        List<String> flat = new ArrayList<>(models * n);
        for (String[] model : texts) {
          flat.addAll(List.of(model));
        }
        TextVectors.Sparse[] v = TextVectors.vectorize(method, flat);
        yield new Similarity() {
          double between(int a, int i, int b, int j) {
            return v[a * n + i].dot(v[b * n + j]);
          }
        };
      }
    };
  }
}
