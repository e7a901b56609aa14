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
  /**
   * Every answer's embedding, {@code [model][prompt]}. Batches of 32 answers of similar length:
   * a batch is padded to its longest text, and AlpacaEval answers run from a word to pages, so
   * batching in length order cuts the padding (bench embed: batch 1 ran 124 texts/s, batch 32 of
   * mixed lengths 59/s).
   */
  static float[][][] embed(String[][] texts, AttributionStudy.Embedder embedder, java.util.function.Consumer<String> progress) {
    float[][][] vectors = new float[texts.length][][];
    int total = texts.length * texts[0].length;
    int done = 0;
    long start = System.nanoTime();
    long lastReport = start;
    for (int m = 0; m < texts.length; m++) {
      String[] model = texts[m];
      int n = model.length;
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      java.util.Arrays.sort(order, java.util.Comparator.comparingInt(i -> model[i] == null ? 0 : model[i].length()));
      vectors[m] = new float[n][];
      for (int from = 0; from < n; from += 32) {
        List<String> batch = new ArrayList<>();
        for (int j = from; j < Math.min(n, from + 32); j++) {
          batch.add(model[order[j]]);
        }
        float[][] e = embedder.embed(batch);
        for (int j = 0; j < e.length; j++) {
          vectors[m][order[from + j]] = e[j];
        }
        done += batch.size();
        long now = System.nanoTime();
        if (now - lastReport > 10_000_000_000L || done == total) {
          lastReport = now;
          double rate = done / Math.max((now - start) / 1e9, 1e-3);
          progress.accept(String.format(java.util.Locale.ROOT, "embedding: %,d of %,d answers (%.0f/s, about %d s left)",
              done, total, rate, Math.round((total - done) / rate)));
        }
      }
    }
    return vectors;
  }

  /** Answers compared by one number each ({@code x[model][prompt]}): minus their absolute difference. */
  static Similarity ofScalar(double[][] x) {
    return new Similarity() {
      double between(int a, int i, int b, int j) {
        return -Math.abs(x[a][i] - x[b][j]);
      }
    };
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
      case PHRASES -> {
        TextVectors.Sparse[] v = TextVectors.phrases(texts);
        yield new Similarity() {
          double between(int a, int i, int b, int j) {
            return v[a * n + i].dot(v[b * n + j]);
          }
        };
      }
      case ALIGNMENT -> new WordAlignment(texts);
      case LIKELIHOOD -> throw new IllegalArgumentException("the likelihood ratio needs language models; see ofScalar");
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
