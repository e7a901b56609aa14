package io.distillwatch.features.templates;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.apache.spark.sql.functions.udf;

/**
 * The embedding classifier beside {@link PromptRules}: nearest centroid over labelled seed
 * prompts ({@code seed-prompts.tsv}, written by hand, independent of the simulator). The caller
 * supplies the embedding function (the jobs module uses the attribution module's DJL model), so
 * this class needs no model of its own; the centroids are a few kilobytes and travel with the
 * Spark closure.
 *
 * <p>Capability: the class whose centroid has the highest cosine similarity. Chain of thought:
 * closer (by more than {@link #COT_MARGIN}) to the centroid of the capability seeds with a
 * chain-of-thought instruction appended than to the centroid of the same seeds without one.
 */
public final class EmbeddingTagger implements Serializable {
  private static final long serialVersionUID = 1L;

  /** How much closer to the chain-of-thought centroid than to the rest a text must be. */
  public static final double COT_MARGIN = 0.0;

  private final String[] labels;
  private final float[][] centroids;
  private final float[] cot;
  private final float[] notCot;

  private EmbeddingTagger(String[] labels, float[][] centroids, float[] cot, float[] notCot) {
    this.labels = labels;
    this.centroids = centroids;
    this.cot = cot;
    this.notCot = notCot;
  }

  /** Seed prompts by label ("cot:" for the chain-of-thought seeds), in file order. */
  public static Map<String, List<String>> seeds() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    try (var in = EmbeddingTagger.class.getResourceAsStream("seed-prompts.tsv");
         BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int tab = line.indexOf('\t');
        out.computeIfAbsent(line.substring(0, tab), k -> new ArrayList<>()).add(line.substring(tab + 1));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Builds the centroids by embedding the seeds with {@code embed} (unit-length vectors expected). */
  public static EmbeddingTagger fromSeeds(Function<List<String>, float[][]> embed) {
    Map<String, List<String>> seeds = seeds();
    List<String> cotSentences = seeds.get("cot:");
    if (cotSentences == null || seeds.size() < 2) {
      throw new IllegalStateException("seed-prompts.tsv needs capability and cot: seeds");
    }
    List<String> labels = new ArrayList<>();
    List<float[]> centroids = new ArrayList<>();
    List<float[]> plain = new ArrayList<>();
    List<String> elicited = new ArrayList<>();
    int k = 0;
    for (Map.Entry<String, List<String>> e : seeds.entrySet()) {
      if (e.getKey().equals("cot:")) {
        continue;
      }
      float[][] v = embed.apply(e.getValue());
      labels.add(e.getKey());
      centroids.add(mean(List.of(v)));
      plain.addAll(List.of(v));
      // the same requests with a chain-of-thought instruction added: the centroids differ by that instruction
      for (String prompt : e.getValue()) {
        elicited.add(prompt + " " + cotSentences.get(k++ % cotSentences.size()));
      }
    }
    float[] cot = mean(List.of(embed.apply(elicited)));
    return new EmbeddingTagger(labels.toArray(String[]::new), centroids.toArray(float[][]::new), cot, mean(plain));
  }

  public String capability(float[] v) {
    int best = 0;
    double bestSim = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < centroids.length; i++) {
      double s = cosine(v, centroids[i]);
      if (s > bestSim) {
        bestSim = s;
        best = i;
      }
    }
    return labels[best];
  }

  public boolean chainOfThought(float[] v) {
    return cosine(v, cot) - cosine(v, notCot) > COT_MARGIN;
  }

  /** Spark column: the capability of an {@code array<float>} embedding column. */
  public Column capability(Column embedding) {
    EmbeddingTagger self = this;
    UserDefinedFunction f = udf((UDF1<scala.collection.Seq<Float>, String>) s -> self.capability(floats(s)),
        DataTypes.StringType);
    return f.apply(embedding);
  }

  public Column chainOfThought(Column embedding) {
    EmbeddingTagger self = this;
    UserDefinedFunction f = udf((UDF1<scala.collection.Seq<Float>, Boolean>) s -> self.chainOfThought(floats(s)),
        DataTypes.BooleanType);
    return f.apply(embedding);
  }

  private static float[] floats(scala.collection.Seq<Float> s) {
    float[] out = new float[s.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = s.apply(i);
    }
    return out;
  }

  static float[] mean(List<float[]> vectors) {
    float[] m = new float[vectors.get(0).length];
    for (float[] v : vectors) {
      for (int i = 0; i < m.length; i++) {
        m[i] += v[i] / vectors.size();
      }
    }
    return m;
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.max(Math.sqrt(na * nb), 1e-12);
  }
}
