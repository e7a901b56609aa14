package io.distillwatch.jobs.drift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillwatch.attribution.model.ModelSource;
import io.distillwatch.attribution.model.SentenceEmbedder;
import io.distillwatch.features.drift.BenignNull;
import io.distillwatch.features.drift.Mmd;
import io.distillwatch.features.templates.PromptNormalizer;
import io.distillwatch.jobs.simulate.SimTexts;
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
 * differ from each other, as real ones do).
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

  /** Detection rates per harvest kind and share, and the benign false-positive rate, of one population. */
  record Measured(double fpr, int alarms, int benign, Map<String, Double> detected, Mmd.Reference reference, int nullSize) {
    String line(String population) {
      return String.format("%s: benign FPR %.4f (%d of %d) at p <= %.3f; reference %d prompts (sigma %.3f), null of %d "
          + "benign accounts; detection %s", population, fpr, alarms, benign, DriftJob.Options.DEFAULT_ALERT_LEVEL,
          reference.size(), reference.sigma(), nullSize, detected);
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
   * the test must find pure harvesting and hold its false-positive rate; and in our heterogeneous
   * population (accounts leaning to one topic, app integrations) the p-value must still mean what it
   * says. CI gates.
   */
  @Test
  void holdsItsFalsePositiveRateAndFindsPureHarvesting() throws Exception {
    Measured published = measure(sources(), true, 1500, 100);
    Measured ours = measure(sources(), false, 1500, 100);
    System.out.println("query drift, window " + Integer.getInteger("dw.drift.window", DriftJob.Options.DEFAULT_WINDOW) + ": " + published.line("one benign distribution"));
    System.out.println("query drift, window " + Integer.getInteger("dw.drift.window", DriftJob.Options.DEFAULT_WINDOW) + ": " + ours.line("heterogeneous benign accounts"));
    // measured 2026-12-06: FPR 0.004 and 0.002 (3,000 benign accounts each); pure harvesting found 1.00 (templates and
    // wrapped tasks) in the published setting. 0.006 is the 0.003 level plus three binomial standard errors at 1,500.
    assertThat(published.fpr()).as("benign FPR, one benign distribution").isLessThanOrEqualTo(0.0075);
    assertThat(ours.fpr()).as("benign FPR, heterogeneous benign accounts").isLessThanOrEqualTo(0.0075);
    assertThat(published.detected().get("campaign templates 100 %")).isGreaterThanOrEqualTo(0.95);
    assertThat(published.detected().get("wrapped tasks 100 %")).isGreaterThanOrEqualTo(0.95);
  }

  /**
   * The issue's gates (at least 0.8 of accounts mixing 10 % harvesting, 0.95 at 25 %, benign FPR at
   * most 0.3 %) on the heterogeneous population. Fails on purpose: measured 2026-12-06, 0.00 at 10 % and
   * 25 % and 0.47 for pure template harvesting (docs/campaigns.md, "Query drift"). Slow group.
   */
  @Test
  @org.junit.jupiter.api.Tag("slow")
  void meetsTheIssuesGatesOnHeterogeneousBenignTraffic() throws Exception {
    Measured ours = measure(sources(), false, 3000, 200);
    System.out.println("query drift (issue gates): " + ours.line("heterogeneous benign accounts"));
    assertThat(ours.fpr()).isLessThanOrEqualTo(0.003);
    assertThat(ours.detected().get("campaign templates 10 %")).isGreaterThanOrEqualTo(0.8);
    assertThat(ours.detected().get("campaign templates 25 %")).isGreaterThanOrEqualTo(0.95);
  }

  static Measured measure(Sources sources, boolean homogeneous, int benign, int mixers) {
    int window = Integer.getInteger("dw.drift.window", DriftJob.Options.DEFAULT_WINDOW);
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
    java.util.function.ToDoubleFunction<float[][]> stat = peers == 0 ? w -> Mmd.squared(w, reference)
        : w -> Mmd.squared(w, peerReference(w, refAccounts, peers, reference.sigma()));
    BenignNull nul = new BenignNull(nullAccounts.stream().mapToDouble(stat).toArray());
    int alarms = 0;
    for (int i = 0; i < benign; i++) {
      alarms += nul.pValue(stat.applyAsDouble(sources.window(window, 0, false, homogeneous, rng)))
          <= DriftJob.Options.DEFAULT_ALERT_LEVEL ? 1 : 0;
    }
    Map<String, Double> detected = new LinkedHashMap<>();
    for (boolean wrapped : new boolean[] {false, true}) {
      for (double share : SHARES) {
        int hits = 0;
        for (int i = 0; i < mixers; i++) {
          hits += nul.pValue(stat.applyAsDouble(sources.window(window, share, wrapped, homogeneous, rng)))
              <= DriftJob.Options.DEFAULT_ALERT_LEVEL ? 1 : 0;
        }
        detected.put((wrapped ? "wrapped tasks " : "campaign templates ") + (int) Math.round(share * 100) + " %",
            hits / (double) mixers);
      }
    }
    return new Measured(alarms / (double) benign, alarms, benign, detected, reference, nul.size());
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
      List<String> wrapped = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        wrapped.add(WRAPPERS[rng.nextInt(WRAPPERS.length)] + instructions.get(rng.nextInt(instructions.size())));
      }
      s.wrappedTasks.addAll(embedAll(embedder, wrapped, cache));
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
