package io.distillwatch.attribution.study;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sparse, L2-normalised feature vectors of answers for the text methods, and their cosine.
 * Weights are sublinear term frequencies times IDF over every answer of the study (the format
 * fingerprint, a handful of counts, is not IDF-weighted).
 */
final class TextVectors {
  private TextVectors() {}

  /** Sorted feature ids and their weights; unit length unless empty. */
  record Sparse(int[] ids, float[] weights) {
    double dot(Sparse o) {
      double s = 0;
      int i = 0;
      int j = 0;
      while (i < ids.length && j < o.ids.length) {
        if (ids[i] == o.ids[j]) {
          s += (double) weights[i++] * o.weights[j++];
        } else if (ids[i] < o.ids[j]) {
          i++;
        } else {
          j++;
        }
      }
      return s;
    }
  }

  private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}']+|[^\\s\\p{L}\\p{N}]");
  private static final Pattern LIST_MARK = Pattern.compile("^(\\d+[.)]|[-*\u2022]|#+|>|```)");
  private static final Set<String> FUNCTION_WORDS = Set.of(("the a an of to in and or but is are was were be been it this that "
      + "these those i you we they he she my your our their as at by for with from on not no so if then than there here can "
      + "could would should will may might do does did have has had what which who how why when where all any some each "
      + "more most very just also only").split(" "));

  static List<String> tokens(String text) {
    List<String> t = new ArrayList<>();
    Matcher m = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      t.add(m.group());
    }
    return t;
  }

  static int words(String text) {
    int n = 0;
    for (String t : tokens(text)) {
      if (Character.isLetterOrDigit(t.charAt(0))) {
        n++;
      }
    }
    return n;
  }

  /** Raw feature counts of one answer for a text method. */
  static Map<String, Integer> features(Method method, String text) {
    Map<String, Integer> f = new HashMap<>();
    switch (method) {
      case WORDS -> ngrams(tokens(text), 2, f);
      case OPENING -> {
        List<String> t = tokens(text);
        ngrams(t.subList(0, Math.min(8, t.size())), 2, f);
      }
      case STYLE -> {
        List<String> masked = new ArrayList<>();
        for (String t : tokens(text)) {
          masked.add(FUNCTION_WORDS.contains(t) || !Character.isLetterOrDigit(t.charAt(0)) ? t : "_");
        }
        for (int i = 0; i + 3 <= masked.size(); i++) {
          f.merge(String.join(" ", masked.subList(i, i + 3)), 1, Integer::sum);
        }
      }
      case CHARS -> {
        String s = text.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        for (int i = 0; i + 4 <= s.length(); i++) {
          f.merge(s.substring(i, i + 4), 1, Integer::sum);
        }
      }
      case FORMAT -> format(text, f);
      default -> throw new IllegalArgumentException(method + " is not a sparse text method");
    }
    return f;
  }

  private static void ngrams(List<String> t, int upTo, Map<String, Integer> f) {
    for (int n = 1; n <= upTo; n++) {
      for (int i = 0; i + n <= t.size(); i++) {
        f.merge(String.join(" ", t.subList(i, i + n)), 1, Integer::sum);
      }
    }
  }

  private static void format(String text, Map<String, Integer> f) {
    String[] lines = text.split("\n", -1);
    f.put("lines", lines.length);
    for (String line : lines) {
      String l = line.strip();
      if (l.isEmpty()) {
        f.merge("blank", 1, Integer::sum);
        continue;
      }
      Matcher m = LIST_MARK.matcher(l);
      f.merge("start:" + (m.find() ? m.group(1).replaceAll("\\d+", "N") : "text"), 1, Integer::sum);
      if (l.contains("**")) {
        f.merge("bold", 1, Integer::sum);
      }
      if (l.endsWith(":")) {
        f.merge("colon_end", 1, Integer::sum);
      }
    }
  }

  /** Vectors for {@code texts} (every answer of the study) under one text method. */
  static Sparse[] vectorize(Method method, List<String> texts) {
    List<Map<String, Integer>> counts = new ArrayList<>(texts.size());
    Map<String, Integer> ids = new HashMap<>();
    Map<Integer, Integer> df = new HashMap<>();
    for (String t : texts) {
      Map<String, Integer> c = features(method, t);
      counts.add(c);
      for (String k : c.keySet()) {
        df.merge(ids.computeIfAbsent(k, x -> ids.size()), 1, Integer::sum);
      }
    }
    boolean idf = method != Method.FORMAT;
    Sparse[] out = new Sparse[texts.size()];
    for (int d = 0; d < texts.size(); d++) {
      Map<String, Integer> c = counts.get(d);
      int[] fid = new int[c.size()];
      int k = 0;
      for (String key : c.keySet()) {
        fid[k++] = ids.get(key);
      }
      Arrays.sort(fid);
      float[] w = new float[fid.length];
      double norm = 0;
      Map<Integer, Integer> byId = new HashMap<>();
      c.forEach((key, v) -> byId.put(ids.get(key), v));
      for (int i = 0; i < fid.length; i++) {
        double tf = 1 + Math.log(byId.get(fid[i]));
        double weight = idf ? tf * Math.log((1.0 + texts.size()) / (1 + df.get(fid[i]))) : tf;
        w[i] = (float) weight;
        norm += weight * weight;
      }
      float inv = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
      for (int i = 0; i < w.length; i++) {
        w[i] *= inv;
      }
      out[d] = new Sparse(fid, w);
    }
    return out;
  }

  /**
   * The phrases method's vectors, {@code [model * prompts + prompt]}: each answer's set of word
   * trigrams, weighted by log((1 + models) / df) where df is how many models' answers to the same
   * prompt contain the trigram; unit length. A trigram's id is its hash (no vocabulary of every
   * trigram of the study is kept), the same across prompts, so answers to different prompts (a
   * prompt-shuffle null) compare too; a 32-bit collision between two answers' few hundred
   * trigrams is rare enough not to move a mean similarity.
   */
  static Sparse[] phrases(String[][] texts) {
    int models = texts.length;
    int n = texts[0].length;
    Sparse[] out = new Sparse[models * n];
    for (int i = 0; i < n; i++) {
      List<Set<Integer>> sets = new ArrayList<>(models);
      Map<Integer, Integer> df = new HashMap<>();
      for (String[] model : texts) {
        List<String> t = tokens(model[i]);
        Set<Integer> grams = new java.util.HashSet<>();
        for (int k = 0; k + 3 <= t.size(); k++) {
          grams.add(String.join(" ", t.subList(k, k + 3)).hashCode());
        }
        grams.forEach(g -> df.merge(g, 1, Integer::sum));
        sets.add(grams);
      }
      for (int m = 0; m < models; m++) {
        int[] fid = sets.get(m).stream().mapToInt(Integer::intValue).sorted().toArray();
        float[] w = new float[fid.length];
        double norm = 0;
        for (int k = 0; k < fid.length; k++) {
          double weight = Math.log((1.0 + models) / df.get(fid[k]));
          w[k] = (float) weight;
          norm += weight * weight;
        }
        float inv = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
        for (int k = 0; k < w.length; k++) {
          w[k] *= inv;
        }
        out[m * n + i] = new Sparse(fid, w);
      }
    }
    return out;
  }
}
