package io.distillwatch.jobs.drift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillwatch.features.drift.BenignNull;
import io.distillwatch.features.drift.Mmd;
import io.distillwatch.features.templates.PromptNormalizer;
import io.distillwatch.jobs.simulate.SimTexts;
import io.distillwatch.models.ModelSource;
import io.distillwatch.models.SentenceEmbedder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The query-drift detector ({@link Mmd}, {@link BenignNull}, the real bundled all-MiniLM-L6-v2)
 * on accounts that mix 5, 10, 25 and 100 % harvesting into ordinary traffic, at the benign
 * false-positive rate the benign-vs-benign null gives. Ordinary traffic is mostly real: the 805
 * AlpacaEval instructions (five public sources: Anthropic's helpful-base, Koala, OpenAssistant,
 * Self-Instruct, Vicuna) beside the simulator's chat and coding free text; every benign account
 * leans to one home source (so the benign population forms clusters by topic) and a fifth of them
 * also run an app integration (one templated prompt of their own, repeated). Harvesting is of two
 * kinds: the simulator's campaign templates (ours), and real AlpacaEval tasks inside six
 * paraphrased step-by-step wrappers (the hydra of the generality issue). The window size and the
 * reference size are the job's defaults ({@link DriftJob.Options}). Measured in two populations: the
 * published setting (every benign window a sample of one benign distribution) and ours (benign accounts
 * differ from each other, as real ones do). Each window gets the job's three p-values: the MMD test, the
 * contrast towards known harvesting (other campaigns' templates, other wrappers around other tasks
 * than the harvesters measured use) and the account's (Bonferroni). {@code -Ddw.drift.window=N} and {@code -Ddw.drift.peers=K}
 * (both tests against a reference of the K pool accounts nearest by window mean) measure the variants docs/campaigns.md
 * reports as tried.
 */
class QueryDriftQualityTest {
  static final double[] SHARES = {0.05, 0.10, 0.25, 1.0};
  static final String[] WRAPPERS = {
      "Work through this carefully, reasoning step by step, and show every step before the answer: ",
      "Let's think about this one step at a time. Explain your reasoning fully, then answer. Task: ",
      "Solve the following. Write out your entire thought process first, then give a final answer. ",
      "Please reason it out in detail (all intermediate steps) before responding to: ",
      "Explain your chain of reasoning explicitly and completely, then conclude. Question: ",
      "Break the problem into steps, justify each one, and only then answer: "};

  /** The three p-values the job writes: MMD, contrast towards known harvesting, and the account's (Bonferroni). */
  static final List<String> TESTS = List.of("mmd", "contrast", "account");

  /** Per test: the benign false-positive rate, and the detection rate per harvest kind and share. */
  record Measured(Map<String, Double> fpr, Map<String, Map<String, Double>> detected, int benign, Mmd.Reference reference,
                  int nullSize) {
    String line(String population) {
      StringBuilder sb = new StringBuilder(String.format("%s (reference %d prompts, sigma %.3f; null of %d benign accounts; "
          + "%d benign accounts tested; rates at p <= %.3f):", population, reference.size(), reference.sigma(), nullSize,
          benign, DriftJob.Options.DEFAULT_ALERT_LEVEL));
      for (String t : TESTS) {
        sb.append(String.format("%n  %-8s FPR %.4f, detection %s", t, fpr.get(t), detected.get(t)));
      }
      return sb.toString();
    }

    double detected(String test, String what) {
      return detected.get(test).get(what);
    }
  }

  private static Sources sources;

  private static synchronized Sources sources() throws Exception {
    Path file = Path.of(System.getProperty("dw.shared.data", "../../shared/data")).resolve("alpaca_eval/claude-2.json");
    Assumptions.assumeTrue(Files.isRegularFile(file), "skipped: no AlpacaEval outputs at " + file);
    if (sources == null) {
      sources = Sources.build(file, new SplittableRandom(2026));
    }
    return sources;
  }

  /**
   * The published setting (benign windows drawn from one benign distribution, as in arXiv 2606.05725):
   * the MMD test must find pure harvesting; in our heterogeneous population (accounts leaning to one
   * topic, app integrations) every p-value must still mean what it says, and the contrast towards known
   * harvesting must find pure harvesting by wrapped tasks that the MMD test misses there. CI gates.
   */
  @Test
  void holdsItsFalsePositiveRateAndFindsPureHarvesting() throws Exception {
    int window = Integer.getInteger("dw.drift.window", DriftJob.Options.DEFAULT_WINDOW);
    Measured published = measure(sources(), true, 1500, 100);
    Measured ours = measure(sources(), false, 1500, 100);
    System.out.println("query drift, window " + window + ": " + published.line("one benign distribution"));
    System.out.println("query drift, window " + window + ": " + ours.line("heterogeneous benign accounts"));
    // measured 2026-12-06 (window 32): FPR at most 0.0033 for every test in both populations (1,500 benign accounts
    // each); in the published setting the MMD test finds pure harvesting 1.00; in ours the contrast finds the wrapped
    // tasks 1.00 where MMD finds none (the account's Bonferroni p 0.85). 0.0075 is the 0.003 level plus three binomial
    // standard errors at 1,500; 0.7 is 0.85 less about three standard errors at 100 accounts.
    for (String t : TESTS) {
      assertThat(published.fpr().get(t)).as("benign FPR, one benign distribution, " + t).isLessThanOrEqualTo(0.0075);
      assertThat(ours.fpr().get(t)).as("benign FPR, heterogeneous benign accounts, " + t).isLessThanOrEqualTo(0.0075);
    }
    assertThat(published.detected("mmd", "campaign templates 100 %")).isGreaterThanOrEqualTo(0.95);
    assertThat(published.detected("mmd", "wrapped tasks 100 %")).isGreaterThanOrEqualTo(0.95);
    assertThat(ours.detected("contrast", "wrapped tasks 100 %")).isGreaterThanOrEqualTo(0.95);
    assertThat(ours.detected("account", "wrapped tasks 100 %")).isGreaterThanOrEqualTo(0.7);
  }

  /**
   * The issue's gates (at least 0.8 of accounts mixing 10 % harvesting, 0.95 at 25 %, benign FPR at
   * most 0.3 %) on the heterogeneous population, with the account's p-value. Fails on purpose:
   * measured 2026-12-06, at most 0.03 at 10 % and 25 % (docs/campaigns.md, section 7). Slow group.
   */
  @Test
  @org.junit.jupiter.api.Tag("slow")
  void meetsTheIssuesGatesOnHeterogeneousBenignTraffic() throws Exception {
    Measured ours = measure(sources(), false, 3000, 200);
    System.out.println("query drift (issue gates): " + ours.line("heterogeneous benign accounts"));
    assertThat(ours.fpr().get("account")).isLessThanOrEqualTo(0.003);
    assertThat(ours.detected("account", "campaign templates 10 %")).isGreaterThanOrEqualTo(0.8);
    assertThat(ours.detected("account", "campaign templates 25 %")).isGreaterThanOrEqualTo(0.95);
  }

  /**
   * The heavy accounts' window (issue 28): in the published setting a 256-request window resolves the
   * 10 % and 25 % mixes that 32 requests cannot (measured 2026-12-07: MMD 0.79 and 1.00, FPR 0.000;
   * at 32, 0.16 and 0.84). 0.6 and 0.9 are those less about three standard errors at 100 accounts: a
   * floor under what was measured, below the issue's gates of 0.8 and 0.95, which
   * {@link #meetsTheIssuesGatesOnHeterogeneousBenignTraffic} keeps; the false-positive rate is held to
   * the issue's 0.3 %. Heterogeneous benign accounts are not asserted here: there the mixes stay
   * unfound (docs/campaigns.md). Slow group.
   */
  @Test
  @org.junit.jupiter.api.Tag("slow")
  void heavyWindowsResolveTheMixesInThePublishedSetting() throws Exception {
    Measured published = measure(sources(), true, 1500, 100, DriftJob.Options.DEFAULT_HEAVY_WINDOW);
    System.out.println("query drift, window " + DriftJob.Options.DEFAULT_HEAVY_WINDOW + ": "
        + published.line("one benign distribution"));
    assertThat(published.fpr().get("mmd")).isLessThanOrEqualTo(0.003);
    assertThat(published.detected("mmd", "campaign templates 10 %")).isGreaterThanOrEqualTo(0.6);
    assertThat(published.detected("mmd", "campaign templates 25 %")).isGreaterThanOrEqualTo(0.9);
  }

  static Measured measure(Sources sources, boolean homogeneous, int benign, int mixers) {
    return measure(sources, homogeneous, benign, mixers, Integer.getInteger("dw.drift.window", DriftJob.Options.DEFAULT_WINDOW));
  }

  static Measured measure(Sources sources, boolean homogeneous, int benign, int mixers, int window) {
    int referenceSize = DriftJob.Options.DEFAULT_REFERENCE;
    SplittableRandom rng = new SplittableRandom(homogeneous ? 17 : 18);
    // the benign pool: half gives reference rows, the other half the null (as the job splits it)
    List<float[][]> refAccounts = new ArrayList<>();
    List<float[][]> nullAccounts = new ArrayList<>();
    for (int i = 0; i < 2400; i++) {
      (i % 2 == 0 ? refAccounts : nullAccounts).add(sources.window(window, 0, false, homogeneous, rng));
    }
    List<float[]> refRows = new ArrayList<>();
    for (float[][] w : refAccounts) {
      for (int k = 0; k < DriftJob.Options.REFERENCE_ROWS_PER_ACCOUNT && refRows.size() < referenceSize; k++) {
        refRows.add(w[k]);
      }
    }
    Mmd.Reference reference = Mmd.Reference.of(refRows.toArray(float[][]::new));
    int peers = Integer.getInteger("dw.drift.peers", 0);
    float[][] known = sources.knownHarvest.toArray(float[][]::new);
    // as in the job, a text's mean kernels to the reference and to the known harvesting are computed once
    // (windows are drawn from a few thousand texts); the job's statistics, from those shared terms
    Map<float[], double[]> terms = new java.util.IdentityHashMap<>();
    java.util.function.Function<float[][], double[][]> shared = w -> {
      double[][] t = new double[2][w.length];
      for (int i = 0; i < w.length; i++) {
        float[] x = w[i];
        double[] c = terms.computeIfAbsent(x, v -> new double[] {Mmd.meanKernel(v, reference.vectors(), reference.sigma()),
            Mmd.meanKernel(v, known, reference.sigma())});
        t[0][i] = c[0];
        t[1][i] = c[1];
      }
      return t;
    };
    java.util.function.ToDoubleFunction<float[][]> mmd = peers == 0 ? w -> Mmd.of(w, reference, shared.apply(w)[0]).squared()
        : w -> Mmd.squared(w, peerReference(w, refAccounts, peers, reference.sigma()));
    java.util.function.ToDoubleFunction<float[][]> contrast = peers == 0 ? w -> {
      double[][] t = shared.apply(w);
      return Mmd.contrast(t[1], t[0]);
    } : w -> Mmd.contrast(w, known, peerReference(w, refAccounts, peers, reference.sigma()));
    BenignNull mmdNull = new BenignNull(nullAccounts.stream().mapToDouble(mmd).toArray());
    BenignNull contrastNull = new BenignNull(nullAccounts.stream().mapToDouble(contrast).toArray());
    // the three p-values of a window, as the job computes them
    java.util.function.Function<float[][], double[]> pValues = w -> {
      double pm = mmdNull.pValue(mmd.applyAsDouble(w));
      double pc = contrastNull.pValue(contrast.applyAsDouble(w));
      return new double[] {pm, pc, Math.min(1, 2 * Math.min(pm, pc))};
    };
    double level = DriftJob.Options.DEFAULT_ALERT_LEVEL;
    int[] alarms = new int[TESTS.size()];
    for (int i = 0; i < benign; i++) {
      double[] p = pValues.apply(sources.window(window, 0, false, homogeneous, rng));
      for (int t = 0; t < alarms.length; t++) {
        alarms[t] += p[t] <= level ? 1 : 0;
      }
    }
    Map<String, Double> fpr = new LinkedHashMap<>();
    Map<String, Map<String, Double>> detected = new LinkedHashMap<>();
    for (int t = 0; t < alarms.length; t++) {
      fpr.put(TESTS.get(t), alarms[t] / (double) benign);
      detected.put(TESTS.get(t), new LinkedHashMap<>());
    }
    for (boolean wrapped : new boolean[] {false, true}) {
      for (double share : SHARES) {
        int[] hits = new int[TESTS.size()];
        for (int i = 0; i < mixers; i++) {
          double[] p = pValues.apply(sources.window(window, share, wrapped, homogeneous, rng));
          for (int t = 0; t < hits.length; t++) {
            hits[t] += p[t] <= level ? 1 : 0;
          }
        }
        String what = (wrapped ? "wrapped tasks " : "campaign templates ") + (int) Math.round(share * 100) + " %";
        for (int t = 0; t < hits.length; t++) {
          detected.get(TESTS.get(t)).put(what, hits[t] / (double) mixers);
        }
      }
    }
    return new Measured(fpr, detected, benign, reference, mmdNull.size());
  }

  /** Experimental: the reference of the {@code k} reference accounts whose window means are closest to this window's. */
  static Mmd.Reference peerReference(float[][] w, List<float[][]> accounts, int k, double sigma) {
    float[] m = mean(w);
    Integer[] order = java.util.stream.IntStream.range(0, accounts.size()).boxed().toArray(Integer[]::new);
    double[] sim = new double[accounts.size()];
    for (int a = 0; a < sim.length; a++) {
      float[] ma = mean(accounts.get(a));
      for (int d = 0; d < m.length; d++) {
        sim[a] += m[d] * ma[d];
      }
    }
    java.util.Arrays.sort(order, (x, y) -> Double.compare(sim[y], sim[x]));
    List<float[]> rows = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      float[][] acc = accounts.get(order[i]);
      for (int r = 0; r < DriftJob.Options.REFERENCE_ROWS_PER_ACCOUNT; r++) {
        rows.add(acc[r]);
      }
    }
    return Mmd.Reference.of(rows.toArray(float[][]::new), sigma);
  }

  static float[] mean(float[][] w) {
    float[] m = new float[w[0].length];
    for (float[] v : w) {
      for (int d = 0; d < m.length; d++) {
        m[d] += v[d] / w.length;
      }
    }
    return m;
  }

  /** The texts accounts draw from, embedded once each (a text's embedding is cached, as in silver.embeddings). */
  static final class Sources {
    final List<List<float[]>> benign = new ArrayList<>(); // by home source
    final List<float[]> integrations = new ArrayList<>(); // one app template each
    final List<float[]> campaignTemplates = new ArrayList<>();
    final List<float[]> wrappedTasks = new ArrayList<>();
    /** Harvesting seen before (other campaigns' templates, other wrappers around other tasks): the contrast's target. */
    final List<float[]> knownHarvest = new ArrayList<>();

    static Sources build(Path alpacaFile, SplittableRandom rng) throws Exception {
      SentenceEmbedder embedder = SentenceEmbedder.shared(ModelSource.bundled());
      JsonNode alpaca = new ObjectMapper().readTree(alpacaFile.toFile());
      Map<String, List<String>> bySource = new LinkedHashMap<>();
      List<String> instructions = new ArrayList<>();
      for (JsonNode row : alpaca) {
        bySource.computeIfAbsent(row.get("dataset").asText(), k -> new ArrayList<>()).add(row.get("instruction").asText());
        instructions.add(row.get("instruction").asText());
      }
      bySource.put("sim_chat", SimTexts.chat(600, rng));
      bySource.put("sim_coding", SimTexts.coding(600, rng));
      Sources s = new Sources();
      Map<String, float[]> cache = new HashMap<>();
      for (List<String> texts : bySource.values()) {
        s.benign.add(embedAll(embedder, texts, cache));
      }
      s.integrations.addAll(embedAll(embedder, SimTexts.benignTemplates(200, rng), cache));
      s.campaignTemplates.addAll(embedAll(embedder, SimTexts.campaignTemplates(24, rng), cache));
      // the harvesters measured use wrappers 3-5 around the second half of the tasks; known harvesting (another
      // campaign's) wrappers 0-2 around the first half, and other campaign templates
      List<String> wrapped = new ArrayList<>();
      List<String> knownWrapped = new ArrayList<>();
      int half = instructions.size() / 2;
      for (int i = 0; i < 400; i++) {
        wrapped.add(WRAPPERS[3 + rng.nextInt(3)] + instructions.get(half + rng.nextInt(instructions.size() - half)));
        if (i < 200) {
          knownWrapped.add(WRAPPERS[rng.nextInt(3)] + instructions.get(rng.nextInt(half)));
        }
      }
      s.wrappedTasks.addAll(embedAll(embedder, wrapped, cache));
      s.knownHarvest.addAll(embedAll(embedder, SimTexts.campaignTemplates(24, rng), cache));
      s.knownHarvest.addAll(embedAll(embedder, knownWrapped, cache));
      return s;
    }

    /**
     * One account's window: a home source (60-100 % of its ordinary requests), a fifth of accounts with
     * an app template (20-60 % of requests), and {@code share} of its requests harvesting; {@code
     * homogeneous}: every ordinary request drawn from all sources alike, no app templates (the published
     * setting, where benign windows are samples of one benign distribution).
     */
    float[][] window(int n, double share, boolean wrapped, boolean homogeneous, SplittableRandom rng) {
      int home = rng.nextInt(benign.size());
      double homeShare = homogeneous ? 0 : 0.6 + 0.4 * rng.nextDouble();
      float[] integration = !homogeneous && rng.nextDouble() < 0.2 ? integrations.get(rng.nextInt(integrations.size())) : null;
      double integrationShare = 0.2 + 0.4 * rng.nextDouble();
      // a harvester runs a few templates of its own (or wraps tasks)
      List<float[]> harvest = new ArrayList<>();
      int templates = 2 + rng.nextInt(3);
      for (int t = 0; t < templates; t++) {
        harvest.add(campaignTemplates.get(rng.nextInt(campaignTemplates.size())));
      }
      float[][] w = new float[n][];
      for (int i = 0; i < n; i++) {
        double r = rng.nextDouble();
        if (r < share) {
          w[i] = wrapped ? wrappedTasks.get(rng.nextInt(wrappedTasks.size())) : harvest.get(rng.nextInt(harvest.size()));
        } else if (integration != null && rng.nextDouble() < integrationShare) {
          w[i] = integration;
        } else {
          List<float[]> src = rng.nextDouble() < homeShare ? benign.get(home) : benign.get(rng.nextInt(benign.size()));
          w[i] = src.get(rng.nextInt(src.size()));
        }
      }
      return w;
    }

    private static List<float[]> embedAll(SentenceEmbedder embedder, List<String> texts, Map<String, float[]> cache) {
      List<String> norm = texts.stream().map(PromptNormalizer::normalize).toList();
      List<String> missing = norm.stream().distinct().filter(t -> !cache.containsKey(t)).toList();
      for (int from = 0; from < missing.size(); from += 32) {
        List<String> batch = missing.subList(from, Math.min(missing.size(), from + 32));
        float[][] v = embedder.embed(batch);
        for (int k = 0; k < v.length; k++) {
          cache.put(batch.get(k), v[k]);
        }
      }
      return norm.stream().map(cache::get).toList();
    }
  }
}
