package io.distillwatch.jobs.bench;

import io.distillwatch.features.templates.MinHashLsh;
import io.distillwatch.features.templates.PromptNormalizer;
import io.distillwatch.jobs.simulate.PromptFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Measures the S-curve of banded MinHash on the simulator's templates: the exact Jaccard
 * similarity of word shingles for pairs of requests from one template (different slot fillings
 * and wording variants), from two templates of the same capability, and of two free-text
 * prompts; then, for each (b, r), the share of pairs that become candidates (share at least one
 * band bucket). Pure Java, no Spark: it calibrates the defaults of {@code features}.
 */
public final class LshCalibration {
  private LshCalibration() {}

  public record Shape(int bands, int rows) {}

  /** One shape's measured candidate rates. */
  public record Row(Shape shape, double threshold, double sameTemplate, double sameCapability, double freeText,
                    double sameTemplateEdges, double sameCapabilityEdges, double freeTextEdges) {}

  public record Report(int shingle, double minSimilarity, int sameTemplatePairs, int sameCapabilityPairs, int freeTextPairs,
                       double[] sameTemplateJaccard, double[] sameCapabilityJaccard, double[] freeTextJaccard,
                       List<Row> rows) {
    /** Quartiles (10%, 25%, 50%, 75%, 90%) of a sorted sample. */
    static String quantiles(double[] sorted) {
      double[] q = {0.10, 0.25, 0.50, 0.75, 0.90};
      StringBuilder sb = new StringBuilder();
      for (double p : q) {
        sb.append(String.format("%s%.2f", sb.length() == 0 ? "" : " / ", sorted[(int) Math.min(sorted.length - 1, p * sorted.length)]));
      }
      return sb.toString();
    }

    public String markdown() {
      StringBuilder sb = new StringBuilder();
      sb.append(String.format("Word %d-shingles. Jaccard similarity, 10%% / 25%% / 50%% / 75%% / 90%% quantiles:%n%n", shingle));
      sb.append("| pairs | n | Jaccard quantiles |\n|---|---:|---|\n");
      sb.append(String.format("| same template | %,d | %s |%n", sameTemplatePairs, quantiles(sameTemplateJaccard)));
      sb.append(String.format("| two templates, same capability | %,d | %s |%n", sameCapabilityPairs, quantiles(sameCapabilityJaccard)));
      sb.append(String.format("| two free-text prompts | %,d | %s |%n", freeTextPairs, quantiles(freeTextJaccard)));
      sb.append(String.format("%nShare of pairs that become LSH candidates (share a band bucket), and edges "
          + "(candidates whose signatures also agree on at least %.0f%% of rows):%n%n", 100 * minSimilarity));
      sb.append("| b | r | b*r | threshold (1/b)^(1/r) | same template: candidates / edges "
          + "| two templates, same capability | free text |\n");
      sb.append("|---:|---:|---:|---:|---:|---:|---:|\n");
      for (Row r : rows) {
        sb.append(String.format("| %d | %d | %d | %.2f | %.3f / %.3f | %.4f / %.4f | %.4f / %.4f |%n", r.shape().bands(),
            r.shape().rows(), r.shape().bands() * r.shape().rows(), r.threshold(), r.sameTemplate(), r.sameTemplateEdges(),
            r.sameCapability(), r.sameCapabilityEdges(), r.freeText(), r.freeTextEdges()));
      }
      return sb.toString();
    }
  }

  public static Report run(int templatesPerCapability, int fillings, int shingle, double minSimilarity,
                           List<Shape> shapes, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<String> capabilities = List.of("agentic_coding", "tool_use", "reasoning", "rubric_grading", "translation",
        "general_chat", "other");
    List<List<String>> byTemplate = new ArrayList<>();
    List<String> capabilityOf = new ArrayList<>();
    int id = 0;
    for (String c : capabilities) {
      for (int i = 0; i < templatesPerCapability; i++) {
        PromptFactory.Template t = PromptFactory.template(id++, c, rng.nextDouble() < 0.4, rng);
        List<String> texts = new ArrayList<>();
        for (int f = 0; f < fillings; f++) {
          texts.add(PromptNormalizer.normalize(PromptFactory.render(t, rng)));
        }
        byTemplate.add(texts);
        capabilityOf.add(c);
      }
    }
    List<String> free = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      free.add(PromptNormalizer.normalize(i % 3 == 0 ? PromptFactory.coding(rng) : PromptFactory.chat(rng)));
    }

    List<String[]> same = new ArrayList<>();
    for (List<String> texts : byTemplate) {
      for (int a = 0; a < texts.size(); a++) {
        for (int b = a + 1; b < texts.size(); b++) {
          same.add(new String[] {texts.get(a), texts.get(b)});
        }
      }
    }
    List<String[]> cross = new ArrayList<>();
    for (int a = 0; a < byTemplate.size(); a++) {
      for (int b = a + 1; b < byTemplate.size(); b++) {
        if (capabilityOf.get(a).equals(capabilityOf.get(b))) {
          cross.add(new String[] {byTemplate.get(a).get(rng.nextInt(fillings)), byTemplate.get(b).get(rng.nextInt(fillings))});
        }
      }
    }
    List<String[]> freePairs = new ArrayList<>();
    for (int a = 0; a < free.size(); a++) {
      for (int b = a + 1; b < free.size(); b += 7) {
        freePairs.add(new String[] {free.get(a), free.get(b)});
      }
    }

    MinHashLsh shingler = new MinHashLsh(1, 1, shingle, 1);
    List<Row> rows = new ArrayList<>();
    for (Shape s : shapes) {
      MinHashLsh lsh = new MinHashLsh(s.bands(), s.rows(), shingle, 0x5EEDL);
      double[] a = rates(lsh, same, minSimilarity);
      double[] b = rates(lsh, cross, minSimilarity);
      double[] c = rates(lsh, freePairs, minSimilarity);
      rows.add(new Row(s, Math.pow(1.0 / s.bands(), 1.0 / s.rows()), a[0], b[0], c[0], a[1], b[1], c[1]));
    }
    return new Report(shingle, minSimilarity, same.size(), cross.size(), freePairs.size(),
        jaccards(shingler, same), jaccards(shingler, cross), jaccards(shingler, freePairs), rows);
  }

  static double[] jaccards(MinHashLsh shingler, List<String[]> pairs) {
    double[] j = new double[pairs.size()];
    for (int i = 0; i < j.length; i++) {
      Set<Long> a = new HashSet<>();
      for (long x : shingler.shingles(pairs.get(i)[0])) {
        a.add(x);
      }
      Set<Long> b = new HashSet<>();
      for (long x : shingler.shingles(pairs.get(i)[1])) {
        b.add(x);
      }
      Set<Long> union = new HashSet<>(a);
      union.addAll(b);
      a.retainAll(b);
      j[i] = union.isEmpty() ? 1 : (double) a.size() / union.size();
    }
    Arrays.sort(j);
    return j;
  }

  /** {share of candidate pairs, share of pairs that are candidates and pass the similarity check}. */
  static double[] rates(MinHashLsh lsh, List<String[]> pairs, double minSimilarity) {
    int candidates = 0;
    int edges = 0;
    for (String[] p : pairs) {
      long[] sa = lsh.signature(lsh.shingles(p[0]));
      long[] sb = lsh.signature(lsh.shingles(p[1]));
      long[] a = lsh.bandKeys(sa);
      long[] b = lsh.bandKeys(sb);
      for (int i = 0; i < a.length; i++) {
        if (a[i] == b[i]) {
          candidates++;
          edges += MinHashLsh.estimatedJaccard(sa, sb) >= minSimilarity ? 1 : 0;
          break;
        }
      }
    }
    return new double[] {(double) candidates / pairs.size(), (double) edges / pairs.size()};
  }

  /** The shapes the bench compares. */
  public static List<Shape> defaultShapes() {
    List<Shape> shapes = new ArrayList<>();
    for (int[] s : new int[][] {{10, 2}, {20, 2}, {10, 4}, {20, 4}, {30, 4}, {20, 5}, {16, 6}, {10, 8}}) {
      shapes.add(new Shape(s[0], s[1]));
    }
    return shapes;
  }
}
