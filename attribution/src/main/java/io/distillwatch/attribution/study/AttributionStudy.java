package io.distillwatch.attribution.study;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.apache.spark.sql.SparkSession;

/**
 * An attribution study: for each suspect, is the provider its nearest model, by each kind of
 * evidence and by all of them together? Pure computation over the models' outputs (no Spark, no
 * I/O); {@code attribute} reads the files and writes the results.
 *
 * <p>Per suspect S with candidates C = provider + references other than S, every method gives a
 * matrix sim[prompt][candidate]; {@link NearestModelPermutation} turns it into a statistic (provider's mean
 * similarity minus the best reference's), a permutation p-value and a bootstrap interval. The
 * combined score is the largest of the non-baseline methods' statistics, each in standard
 * deviations of its permutation distribution. {@link PanelCalibration} asks the second question,
 * whether the suspect is nearer to the provider than unrelated models of the panel come to each
 * other; the suspect's p-value is the larger of the two (intersection-union), Holm-adjusted across
 * the study's suspects; a suspect is attributed when the adjusted p-value is below alpha.
 */
public final class AttributionStudy {
  private AttributionStudy() {}

  /** Unit-length sentence embeddings of texts, in order (the DJL model layer in production). */
  public interface Embedder {
    float[][] embed(List<String> texts);
  }

  /**
   * Log-likelihood ratio of an answer given its prompt: mean log-probability per token under the
   * provider's causal LM minus under a reference LM (DJL {@code CausalLm}s in production).
   */
  public interface LikelihoodRatio {
    double of(String prompt, String answer);
  }

  public static final int DEFAULT_PERMUTATIONS = 20_000;
  public static final int DEFAULT_BOOTSTRAPS = 1_000;
  /** Answers are cut to the shortest answer of their prompt, but not below this many characters. */
  public static final int MIN_MATCHED_CHARS = 100;
  public static final String WATERMARK = "watermark";
  /** The evidence line of {@link PanelCalibration}: between-model calibration of the similarity methods. */
  public static final String PANEL = "panel";
  static final String PANEL_NEEDS = "the similarity methods and " + PanelCalibration.MIN_REFERENCES + "+ references";

  /** watermark: the provider's scheme, key included, when the study names one (null otherwise). */
  public record Options(int permutations, int bootstraps, long seed, boolean matchLength, Embedder embedder,
                        WatermarkDetection.Scheme watermark, SparkSession spark, LikelihoodRatio likelihood) {
    public Options(int permutations, int bootstraps, long seed, boolean matchLength, Embedder embedder) {
      this(permutations, bootstraps, seed, matchLength, embedder, null, null, null);
    }

    /** With causal language models the likelihood-ratio method joins the methods. */
    public Options withLikelihood(LikelihoodRatio lr) {
      return new Options(permutations, bootstraps, seed, matchLength, embedder, watermark, spark, lr);
    }

    /** With a Spark session the idiosyncrasy classifier (MLlib) joins the methods. */
    public Options withSpark(SparkSession s) {
      return new Options(permutations, bootstraps, seed, matchLength, embedder, watermark, s, likelihood);
    }

    public Options {
      if (permutations < 100) {
        throw new IllegalArgumentException("--permutations must be at least 100, got " + permutations);
      }
      if (bootstraps < 0) {
        throw new IllegalArgumentException("bootstraps must be >= 0");
      }
    }

    public static Options defaults() {
      return new Options(DEFAULT_PERMUTATIONS, DEFAULT_BOOTSTRAPS, 1L, false, null);
    }

    public Options withMatchLength(boolean match) {
      return new Options(permutations, bootstraps, seed, match, embedder, watermark, spark, likelihood);
    }

    public Options withPermutations(int b) {
      return new Options(b, bootstraps, seed, matchLength, embedder, watermark, spark, likelihood);
    }

    public Options withBootstraps(int b) {
      return new Options(permutations, b, seed, matchLength, embedder, watermark, spark, likelihood);
    }

    public Options withSeed(long s) {
      return new Options(permutations, bootstraps, s, matchLength, embedder, watermark, spark, likelihood);
    }

    public Options withEmbedder(Embedder e) {
      return new Options(permutations, bootstraps, seed, matchLength, e, watermark, spark, likelihood);
    }

    public Options withWatermark(WatermarkDetection.Scheme w) {
      return new Options(permutations, bootstraps, seed, matchLength, embedder, w, spark, likelihood);
    }
  }

  /** One method's evidence about one suspect: the statistic in the method's own similarity units. */
  public record Evidence(String method, String description, String needs, boolean baseline, double statistic,
                         double pValue, double ciLow, double ciHigh, String nearest, Map<String, Double> meanSimilarity) {}

  /** score: the strongest method's statistic in null standard deviations; nearest: that method's nearest model. */
  public record SuspectResult(String suspect, List<String> references, double score, double pValue, double pHolm,
                              double ciLow, double ciHigh, boolean attributed, String strongestMethod, String nearest,
                              List<Evidence> evidence) {
    SuspectResult withHolm(double adjusted, double alpha) {
      return new SuspectResult(suspect, references, score, pValue, adjusted, ciLow, ciHigh,
          adjusted < alpha && score > 0, strongestMethod, nearest, evidence);
    }
  }

  /** length: "given", "matched", or "both" (one verdict per suspect over the other two; matchLength false). */
  public record Result(String study, String provider, double alpha, boolean matchLength, String length, int prompts,
                       int promptsDropped, List<String> combinedMethods, int permutations, long seed,
                       List<SuspectResult> suspects) {}

  public static final String BOTH_LENGTHS = "both";

  /**
   * One verdict per suspect from the two length modes ({@code --length both}): p = min(1, 2 min(p
   * as given, p length-matched)), a Bonferroni correction over the two modes, valid whatever their
   * dependence; then Holm across the study's suspects. The score, interval, strongest method and
   * nearest model are those of the mode with the smaller p; each mode's verdict is an evidence line.
   */
  public static Result bothLengths(Result given, Result matched) {
    if (given.matchLength() || !matched.matchLength() || given.suspects().size() != matched.suspects().size()) {
      throw new IllegalArgumentException("bothLengths needs the study's results as given and length-matched");
    }
    List<SuspectResult> raw = new ArrayList<>();
    for (int i = 0; i < given.suspects().size(); i++) {
      SuspectResult g = given.suspects().get(i);
      SuspectResult m = matched.suspects().get(i);
      SuspectResult best = m.pValue() < g.pValue() ? m : g;
      double p = Math.min(1, 2 * Math.min(g.pValue(), m.pValue()));
      List<Evidence> modes = List.of(modeEvidence("given", g), modeEvidence("matched", m));
      raw.add(new SuspectResult(g.suspect(), g.references(), best.score(), p, p, best.ciLow(), best.ciHigh(), false,
          best.strongestMethod() + (best == m ? " (length-matched)" : " (as given)"), best.nearest(), modes));
    }
    double[] holm = NearestModelPermutation.holm(raw.stream().mapToDouble(SuspectResult::pValue).toArray());
    List<SuspectResult> adjusted = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      adjusted.add(raw.get(i).withHolm(holm[i], given.alpha()));
    }
    return new Result(given.study(), given.provider(), given.alpha(), false, BOTH_LENGTHS, given.prompts(),
        given.promptsDropped(), given.combinedMethods(), given.permutations(), given.seed(), adjusted);
  }

  private static Evidence modeEvidence(String mode, SuspectResult r) {
    return new Evidence(mode, "the verdict with answers " + (mode.equals("given") ? "as given" : "length-matched")
        + " (p before Holm; Holm " + String.format(java.util.Locale.ROOT, "%.2g", r.pHolm()) + ")", "both length modes",
        false, r.score(), r.pValue(), r.ciLow(), r.ciHigh(), r.nearest(), Map.of());
  }

  /** Runs the study; {@code progress} gets a line per step (no text of the outputs). */
  public static Result run(StudySpec spec, Map<String, ModelOutputs> outputs, Options options, Consumer<String> progress) {
    Prepared prepared = prepare(spec, outputs, options, progress);
    List<SuspectResult> results = testEach(prepared, spec, options.seed(), progress);
    double[] holm = NearestModelPermutation.holm(results.stream().mapToDouble(SuspectResult::pValue).toArray());
    List<SuspectResult> adjusted = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      adjusted.add(results.get(i).withHolm(holm[i], spec.alpha()));
    }
    return new Result(spec.name(), spec.provider(), spec.alpha(), options.matchLength(),
        options.matchLength() ? "matched" : "given", prepared.prompts(),
        prepared.promptsDropped, prepared.verdictMethods(), options.permutations(), options.seed(), adjusted);
  }

  /**
   * Tests every suspect of the study, on all cores: the tests are independent (suspect i draws its
   * permutations from seed + 1,000 i), so the results do not depend on how many run at once.
   */
  private static List<SuspectResult> testEach(Prepared prepared, StudySpec spec, long seed, Consumer<String> lines) {
    Consumer<String> progress = line -> {
      synchronized (lines) { // one line at a time, whatever the caller's consumer
        lines.accept(line);
      }
    };
    List<String> suspects = spec.suspects();
    progress.accept("study " + spec.name() + ": testing " + suspects.size() + " suspects, "
        + OnAllCores.threads(suspects.size()) + " at a time");
    AtomicInteger done = new AtomicInteger();
    return OnAllCores.map(IntStream.range(0, suspects.size()).boxed().toList(), i -> {
      SuspectResult r = prepared.test(suspects.get(i), prepared.allPrompts(), prepared.allPrompts(), seed + 1_000L * i);
      progress.accept("study " + spec.name() + ": tested " + suspects.get(i) + " (" + done.incrementAndGet() + " of "
          + suspects.size() + ")");
      return r;
    });
  }

  /** Aligns the prompts every model answered and computes every method's features once. */
  public static Prepared prepare(StudySpec spec, Map<String, ModelOutputs> outputs, Options options,
                                 Consumer<String> progress) {
    List<String> models = new ArrayList<>(spec.models());
    for (String m : models) {
      if (!outputs.containsKey(m)) {
        throw new StudyException("study '" + spec.name() + "' names " + m + " but no outputs of it were read");
      }
    }
    // the prompts every model answered, in the provider's order
    Set<String> all = new LinkedHashSet<>();
    List<String> prompts = new ArrayList<>();
    outputs.get(spec.provider()).byPrompt().keySet().forEach(p -> {
      if (models.stream().allMatch(m -> outputs.get(m).byPrompt().containsKey(p))) {
        prompts.add(p);
      }
    });
    models.forEach(m -> all.addAll(outputs.get(m).byPrompt().keySet()));
    if (prompts.size() < 10) {
      throw new StudyException("study '" + spec.name() + "': only " + prompts.size()
          + " prompts are answered by every model; at least 10 are needed");
    }
    int n = prompts.size();
    String[][] texts = new String[models.size()][n];
    for (int m = 0; m < models.size(); m++) {
      for (int i = 0; i < n; i++) {
        texts[m][i] = outputs.get(models.get(m)).byPrompt().get(prompts.get(i));
      }
    }
    if (options.matchLength()) {
      matchLengths(texts);
    }
    List<Method> methods = new ArrayList<>();
    for (Method m : Method.values()) {
      if ((m != Method.EMBEDDING || options.embedder() != null) && (m != Method.CLASSIFIER || options.spark() != null)
          && (m != Method.LIKELIHOOD || options.likelihood() != null)) {
        methods.add(m);
      }
    }
    float[][][] embeddings = null;
    if (options.embedder() != null) {
      progress.accept("study " + spec.name() + ": embedding " + models.size() + " x " + n + " answers");
      embeddings = Similarity.embed(texts, options.embedder(), progress);
    }
    Map<Method, Similarity> sims = new EnumMap<>(Method.class);
    for (Method m : methods) {
      progress.accept("study " + spec.name() + ": " + m.key() + " features of " + models.size() + " x " + n + " answers");
      if (m == Method.LIKELIHOOD) {
        List<String> promptTexts = prompts.stream().map(k -> models.stream().map(x -> outputs.get(x).promptText(k))
            .filter(t -> !t.equals(k)).findFirst().orElse(k)).toList();
        sims.put(m, Similarity.ofScalar(likelihoodRatios(promptTexts, texts, options.likelihood())));
      } else if (m != Method.CLASSIFIER) {
        sims.put(m, Similarity.of(m, texts, embeddings));
      }
    }
    org.apache.spark.ml.linalg.Vector[][] classifierFeatures =
        options.spark() == null ? null : IdiosyncrasyClassifier.features(texts);
    return new Prepared(spec, options, models, n, all.size() - n, methods, sims, texts, classifierFeatures);
  }

  /** A study ready to test suspects, on all prompts or on a subset (for null studies and sample-size curves). */
  public static final class Prepared {
    private final StudySpec spec;
    private final Options options;
    private final List<String> models;
    private final int n;
    private final int promptsDropped;
    private final List<Method> methods;
    private final Map<Method, Similarity> sims;
    private final List<String> combined;
    private final String[][] texts;
    private final org.apache.spark.ml.linalg.Vector[][] classifierFeatures;
    /** The classifier's cross-fitted log-probabilities per (suspect, candidates): fitted once, reused by every test. */
    private final Map<String, double[][]> classifierCache;

    private Prepared(StudySpec spec, Options options, List<String> models, int n, int promptsDropped,
                     List<Method> methods, Map<Method, Similarity> sims, String[][] texts,
                     org.apache.spark.ml.linalg.Vector[][] classifierFeatures) {
      this(spec, options, models, n, promptsDropped, methods, sims, texts, classifierFeatures,
          new java.util.concurrent.ConcurrentHashMap<>());
    }

    private Prepared(StudySpec spec, Options options, List<String> models, int n, int promptsDropped,
                     List<Method> methods, Map<Method, Similarity> sims, String[][] texts,
                     org.apache.spark.ml.linalg.Vector[][] classifierFeatures, Map<String, double[][]> classifierCache) {
      this.texts = texts;
      this.classifierFeatures = classifierFeatures;
      this.classifierCache = classifierCache;
      this.spec = spec;
      this.options = options;
      this.models = models;
      this.n = n;
      this.promptsDropped = promptsDropped;
      this.methods = methods;
      this.sims = sims;
      this.combined = methods.stream().filter(m -> !m.baseline()).map(Method::key).toList();
    }

    public int prompts() {
      return n;
    }

    private double[][] classifierMatrix(int suspect, int[] candidates, int[] suspectRows) {
      double[][] lp = classifierCache.computeIfAbsent(suspect + ":" + java.util.Arrays.toString(candidates),
          k -> IdiosyncrasyClassifier.logProbabilities(options.spark(), classifierFeatures, suspect, candidates));
      double[][] sim = new double[suspectRows.length][];
      for (int i = 0; i < suspectRows.length; i++) {
        sim[i] = lp[suspectRows[i]];
      }
      return sim;
    }

    /** The methods behind a verdict: the similarity methods of the joint test, and the watermark test if configured. */
    public List<String> verdictMethods() {
      List<String> all = new ArrayList<>(combined);
      all.add(PANEL);
      if (options.watermark() != null) {
        all.add(WATERMARK);
      }
      return all;
    }

    public StudySpec spec() {
      return spec;
    }

    /** The same features tested with other permutation and bootstrap counts (features are not recomputed). */
    public Prepared withTests(int permutations, int bootstraps) {
      return new Prepared(spec, options.withPermutations(permutations).withBootstraps(bootstraps), models, n,
          promptsDropped, methods, sims, texts, classifierFeatures, classifierCache);
    }

    public int[] allPrompts() {
      return java.util.stream.IntStream.range(0, n).toArray();
    }

    /**
     * Tests one suspect (any model of the study: a reference may pose as one) against the
     * provider and the references other than itself, on the prompts {@code rows}, comparing the
     * suspect's answer to prompt {@code suspectRows[i]} with the candidates' answers to
     * {@code rows[i]} (equal arrays for a real study; a shuffle for a prompt-shuffle null).
     * The result is not Holm-adjusted: {@code pHolm} is the raw p-value, as for a study of one suspect.
     */
    public SuspectResult test(String suspect, int[] rows, int[] suspectRows, long seed) {
      return test(spec.provider(), suspect, spec.referencesFor(suspect), rows, suspectRows, seed);
    }

    /** The same with another provider and references, all models of this study (features are per model). */
    public SuspectResult test(String provider, String suspect, List<String> references, int[] rows, int[] suspectRows,
                              long seed) {
      List<String> candidates = new ArrayList<>();
      candidates.add(provider);
      candidates.addAll(references);
      candidates.remove(suspect);
      int s = models.indexOf(suspect);
      if (s < 0 || candidates.stream().anyMatch(c -> !models.contains(c))) {
        throw new StudyException("study " + spec.name() + " has no outputs of " + suspect + " or " + candidates);
      }
      int[] cand = candidates.stream().mapToInt(models::indexOf).toArray();
      // The nearest-model test asks whether the provider is special to the suspect among models it
      // could have learned from. A reference declared of the suspect's own family (its base model's
      // maker, say) is near it by kinship, which says nothing about whose answers it learned: such
      // references do not compete (they stay in the panel, whose fit leaves related pairs out).
      List<String> kin = candidates.subList(1, candidates.size()).stream().filter(r -> spec.related(suspect, r)).toList();
      List<String> competitors = new ArrayList<>(candidates);
      if (kin.size() < candidates.size() - 1) {
        competitors.removeAll(kin);
      } else {
        kin = List.of(); // every reference is kin: keep them all rather than test the provider against nobody
      }
      int[] comp = competitors.stream().mapToInt(models::indexOf).toArray();
      List<Evidence> evidence = new ArrayList<>();
      List<double[][]> joint = new ArrayList<>();
      for (Method m : methods) {
        double[][] sim = m == Method.CLASSIFIER ? classifierMatrix(s, comp, suspectRows) : sims.get(m).matrix(s, suspectRows, comp, rows);
        NearestModelPermutation.Outcome o = NearestModelPermutation.run(sim, options.permutations(), options.bootstraps(), seed++);
        evidence.add(evidence(m, o, competitors));
        if (!m.baseline()) {
          joint.add(sim);
        }
      }
      NearestModelPermutation.JointOutcome c = NearestModelPermutation.joint(joint, options.permutations(), options.bootstraps(), seed);
      String strongestSimilarity = combined.get(c.strongest());
      String strongest = strongestSimilarity;
      String nearest = evidence.stream().filter(e -> e.method().equals(strongestSimilarity)).findFirst().orElseThrow()
          .nearest();
      double score = c.score();
      Evidence panel = panelEvidence(provider, s, cand, rows, suspectRows, kin);
      evidence.add(panel);
      // intersection-union: attributed only when both nulls fall, the prompt-noise one (permutation)
      // and the between-model one (panel); the larger p-value is a valid p-value for the pair of them
      double p = Math.max(c.pValue(), panel.pValue());
      double ciLow = c.ciLow();
      double ciHigh = c.ciHigh();
      if (options.watermark() != null) {
        String[] answers = java.util.stream.IntStream.of(suspectRows).mapToObj(i -> texts[s][i]).toArray(String[]::new);
        WatermarkDetection.Outcome w = WatermarkDetection.detect(List.of(answers), options.watermark());
        evidence.add(new Evidence(WATERMARK, "Kirchenbauer z-test: excess of the provider's green-listed word pairs "
            + "(" + w.green() + " green of " + w.tokens() + ", gamma " + w.gamma() + ")", "the provider's watermark key",
            false, w.z(), w.pValue(), w.z() - 1.96, w.z() + 1.96, w.z() > 0 ? provider : "none", Map.of()));
        // two tests of different kinds: Bonferroni over both is valid whatever their dependence
        if (w.pValue() < p) {
          strongest = WATERMARK;
          nearest = w.z() > 0 ? provider : "none";
          score = w.z();
          ciLow = w.z() - 1.96;
          ciHigh = w.z() + 1.96;
        }
        double similarityP = p;
        p = Math.min(1, 2 * Math.min(similarityP, w.pValue()));
      }
      return new SuspectResult(suspect, List.copyOf(candidates.subList(1, candidates.size())), score, p, p, ciLow,
          ciHigh, p < spec.alpha() && score > 0, strongest, nearest, evidence);
    }

    /**
     * The panel test's evidence ({@link PanelCalibration}): every pairwise method's mean similarity
     * between every two panel models, the suspect's answers to {@code suspectRows} against the
     * others' to {@code rows}. With fewer than {@value PanelCalibration#MIN_REFERENCES} references there is
     * no spread to measure and the suspect cannot be attributed (p = 1).
     */
    private Evidence panelEvidence(String provider, int suspect, int[] candidates, int[] rows, int[] suspectRows,
                                   List<String> kin) {
      List<Method> pairwise = methods.stream().filter(m -> !m.baseline() && sims.containsKey(m)).toList();
      int size = candidates.length + 1;
      if (candidates.length - 1 < PanelCalibration.MIN_REFERENCES) {
        return new Evidence(PANEL, "needs at least " + PanelCalibration.MIN_REFERENCES + " references besides the suspect, has "
            + (candidates.length - 1) + ": not attributable", PANEL_NEEDS, false, Double.NaN, 1.0, Double.NaN,
            Double.NaN, "none", Map.of());
      }
      int[] panel = new int[size]; // provider, suspect, references
      panel[0] = candidates[0];
      panel[1] = suspect;
      System.arraycopy(candidates, 1, panel, 2, candidates.length - 1);
      double[][][] mean = new double[pairwise.size()][size][size];
      for (int m = 0; m < pairwise.size(); m++) {
        Similarity sim = sims.get(pairwise.get(m));
        for (int a = 0; a < size; a++) {
          for (int b = a + 1; b < size; b++) {
            double sum = 0;
            for (int i = 0; i < rows.length; i++) {
              sum += a == 1 ? sim.between(suspect, suspectRows[i], panel[b], rows[i])
                  : sim.between(panel[a], rows[i], panel[b], rows[i]);
            }
            mean[m][a][b] = sum / rows.length;
            mean[m][b][a] = mean[m][a][b];
          }
        }
      }
      boolean[][] related = new boolean[size][size];
      int relatedPairs = 0;
      for (int a = 0; a < size; a++) {
        for (int b = a + 1; b < size; b++) {
          related[a][b] = spec.related(models.get(panel[a]), models.get(panel[b]));
          relatedPairs += related[a][b] && !(a == 0 && b == 1) ? 1 : 0;
        }
      }
      PanelCalibration.Outcome o = PanelCalibration.run(mean, related);
      Map<String, Double> byMethod = new LinkedHashMap<>();
      for (int m = 0; m < pairwise.size(); m++) {
        byMethod.put(pairwise.get(m).key(), Double.isNaN(o.tByMethod()[m]) ? 0.0 : o.tByMethod()[m]);
      }
      double t = Double.isNaN(o.t()) ? 0.0 : o.t();
      return new Evidence(PANEL, String.format(java.util.Locale.ROOT, "nearer to the provider than the %d references "
          + "come to each other: t over the between-model spread of %s (%d pairs, %d degrees of freedom%s; "
          + "the pairs' most likely tail: t with %s degrees of freedom)",
          candidates.length - 1, String.join(", ", byMethod.keySet()), o.pairs(), o.degreesOfFreedom(),
          (relatedPairs == 0 ? "" : ", " + relatedPairs + " pairs of one family left out")
              + (related[0][1] ? "; the suspect is declared of the provider's family, so nearness cannot tell learning "
              + "from kinship" : "")
              + (kin.isEmpty() ? "" : "; not competing for the suspect's nearest model, being of its own family: "
              + String.join(", ", kin)),
          Double.isNaN(o.tailNu()) ? "no" : o.tailNu() >= 1000 ? "1,000 (normal)" : String.format(java.util.Locale.ROOT, "%.3g", o.tailNu())),
          PANEL_NEEDS, false, t, o.pValue(), t - 1.96, t + 1.96, t > 0 ? provider : "none", byMethod);
    }
  }

  private static Evidence evidence(Method m, NearestModelPermutation.Outcome o, List<String> candidates) {
    Map<String, Double> means = new LinkedHashMap<>();
    for (int c = 0; c < candidates.size(); c++) {
      means.put(candidates.get(c), o.candidateMeans()[c]);
    }
    return new Evidence(m.key(), m.description(), m.needs(), m.baseline(), o.statistic(), o.pValue(), o.ciLow(),
        o.ciHigh(), candidates.get(o.nearest()), means);
  }

  /** lr[model][prompt]; an answer without a scored token gets 0 (no evidence either way). */
  static double[][] likelihoodRatios(List<String> prompts, String[][] texts, LikelihoodRatio lr) {
    double[][] x = new double[texts.length][prompts.size()];
    for (int m = 0; m < texts.length; m++) {
      for (int i = 0; i < prompts.size(); i++) {
        double v = lr.of(prompts.get(i), texts[m][i]);
        x[m][i] = Double.isFinite(v) ? v : 0.0;
      }
    }
    return x;
  }

  /** Cuts every answer of a prompt to the shortest answer of that prompt (at least MIN_MATCHED_CHARS). */
  static void matchLengths(String[][] texts) {
    for (int i = 0; i < texts[0].length; i++) {
      int shortest = Integer.MAX_VALUE;
      for (String[] model : texts) {
        shortest = Math.min(shortest, model[i].length());
      }
      int keep = Math.max(shortest, MIN_MATCHED_CHARS);
      for (String[] model : texts) {
        if (model[i].length() > keep) {
          model[i] = model[i].substring(0, keep);
        }
      }
    }
  }
}
