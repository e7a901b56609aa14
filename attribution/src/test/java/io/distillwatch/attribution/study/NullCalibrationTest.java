package io.distillwatch.attribution.study;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How often a study accuses a model that is not derived from the provider: null studies from the
 * AlpacaEval dev set (../shared/data/alpaca_eval/README.md), each a (provider, unrelated suspect,
 * random subset of 200 prompts) draw. Six providers, twelve chat models of other labs as suspects
 * (pairs the model cards relate left out: Llama 3 with Llama 2 chat and with the LLaMA tunes); as
 * references, the other eleven and the providers of the other vendors, with the families the model
 * cards give declared ({@link #families}): 69 distinct pairs, 1,035 draws, the verdict's p-value
 * (no multiplicity correction). The pairs under 1e-2 and 1e-3 are printed.
 * The empirical false-positive rate at alpha 1e-2 and 1e-3 is printed with its exact (Clopper-Pearson)
 * 95 % upper bound, which at 1e-2 must not exceed 1e-2: 1,000 draws can show that, not 1e-3.
 * Since 2026-12-07 it does not: with families declared the panel test is at its nominal level, not
 * below it (as given 11 of 1,035 under 1e-2, length-matched 12, nearly all Qwen1.5 72B and Yi-34B;
 * under 1e-3, 0 and 1). It fails on purpose until the null models the few same-generation pairs
 * that sit far out (issue 27; docs/attribution.md, "Calibration").
 * Tagged {@code slow}: the text features of 18 models x 805 answers, twice (answers as given and
 * length-matched). docs/attribution.md, "Calibration".
 */
@Tag("slow")
class NullCalibrationTest {
  static final Path DATA = Path.of(System.getProperty("dw.shared.data", "../../shared/data"), "alpaca_eval");
  static final List<String> PROVIDERS = List.of("claude-2", "claude-2.1", "claude-3-opus-20240229", "Qwen1.5-72B-Chat",
      "Meta-Llama-3-8B-Instruct", "text_davinci_003");
  static final List<String> UNRELATED = List.of("gemini-pro", "cohere", "Yi-34B-Chat", "deepseek-llm-67b-chat",
      "dbrx-instruct", "chatglm2-6b", "baichuan-13b-chat", "gemma-7b-it", "oasst-sft-llama-33b", "pythia-12b-mix-sft",
      "guanaco-65b", "llama-2-70b-chat-hf");
  static final int SUBSET = 200;
  /**
   * {@code -Ddw.null.panel=one-per-vendor}: only the first provider of each other vendor among the
   * references (Claude 2 for the three Claude models), to measure how the calibration depends on
   * the panel (docs/attribution.md, "Calibration").
   */
  static final boolean ONE_PER_VENDOR = "one-per-vendor".equals(System.getProperty("dw.null.panel"));
  static final int DRAWS_PER_PAIR = 15;

  @ParameterizedTest(name = "length-matched {0}")
  @ValueSource(booleans = {false, true})
  void unrelatedSuspectsAreAccusedNoMoreOftenThanAlphaSays(boolean matched) {
    assumeTrue(Files.isDirectory(DATA), "skipped: no AlpacaEval outputs at " + DATA);
    // the bound itself: 0 of 1,000 gives 1 - 0.05^(1/1000); 10 of 1,000 gives 0.0169 (tables of the exact interval)
    assertThat(clopperPearsonUpper(0, 1_000)).isCloseTo(1 - Math.pow(0.05, 1e-3), org.assertj.core.api.Assertions.within(1e-6));
    assertThat(clopperPearsonUpper(10, 1_000)).isCloseTo(0.0169, org.assertj.core.api.Assertions.within(2e-4));
    Map<String, ModelOutputs> outputs = new LinkedHashMap<>();
    List<String> models = new ArrayList<>(PROVIDERS);
    models.addAll(UNRELATED);
    for (String m : models) {
      outputs.put(m, ModelOutputs.read(DATA, m));
    }
    Map<String, List<String>> families = familiesOf(models);
    StudySpec spec = new StudySpec("null-calibration", PROVIDERS.get(0), UNRELATED, models.subList(1, models.size()),
        StudySpec.DEFAULT_ALPHA).withFamilies(families);
    AttributionStudy.Prepared p = AttributionStudy.prepare(spec, outputs,
        AttributionStudy.Options.defaults().withMatchLength(matched), line -> { }).withTests(AttributionStudy.DEFAULT_PERMUTATIONS, 0);
    int[] all = p.allPrompts();
    Random rnd = new Random(2026);
    int draws = 0;
    int pairs = 0;
    int below2 = 0;
    int below3 = 0;
    int attributed = 0;
    double smallest = 1;
    List<String> accused = new ArrayList<>();
    List<String> near = new ArrayList<>();
    for (String provider : PROVIDERS) {
      for (String suspect : UNRELATED) {
        if (spec.related(provider, suspect)) {
          continue; // one vendor's models, or a tune of the provider's base model: not a pair a study would call unrelated
        }
        pairs++;
        List<String> references = new ArrayList<>(UNRELATED);
        references.remove(suspect);
        references.removeIf(r -> vendor(r).equals(vendor(provider)));
        java.util.Set<String> vendors = new java.util.HashSet<>();
        PROVIDERS.stream().filter(o -> !vendor(o).equals(vendor(provider)))
            .filter(o -> !ONE_PER_VENDOR || vendors.add(vendor(o))).forEach(references::add);
        int accusedBefore = below3;
        int nearBefore = below2;
        for (int rep = 0; rep < DRAWS_PER_PAIR; rep++) {
          List<Integer> order = new ArrayList<>(IntStream.of(all).boxed().toList());
          Collections.shuffle(order, rnd);
          int[] rows = order.subList(0, SUBSET).stream().mapToInt(Integer::intValue).toArray();
          AttributionStudy.SuspectResult r = p.test(provider, suspect, references, rows, rows, 50_000L + draws);
          draws++;
          below2 += r.pValue() < 1e-2 ? 1 : 0;
          below3 += r.pValue() < 1e-3 ? 1 : 0;
          attributed += r.pValue() < StudySpec.DEFAULT_ALPHA && r.score() > 0 ? 1 : 0;
          smallest = Math.min(smallest, r.pValue());
        }
        if (below3 > accusedBefore) {
          accused.add(String.format("%s <- %s %d/%d", provider, suspect, below3 - accusedBefore, DRAWS_PER_PAIR));
        }
        if (below2 > nearBefore) {
          near.add(String.format("%s <- %s %d/%d", provider, suspect, below2 - nearBefore, DRAWS_PER_PAIR));
        }
      }
    }
    System.out.println("pairs with p < 1e-3 in some draw: " + accused);
    System.out.println("pairs with p < 1e-2 in some draw: " + near);
    double bound2 = clopperPearsonUpper(below2, draws);
    double bound3 = clopperPearsonUpper(below3, draws);
    System.out.printf("null calibration%s: %d draws over %d pairs, %d prompts each; p < 1e-2: %d (%.4f, 95%% upper bound %.4f); "
            + "p < 1e-3: %d (%.4f, bound %.4f); attributed at 1e-3: %d; smallest p %.3g%n", matched ? " (length-matched)" : "",
        draws, pairs, SUBSET, below2, below2 / (double) draws, bound2, below3, below3 / (double) draws, bound3, attributed, smallest);
    assertThat(pairs).isGreaterThanOrEqualTo(20);
    assertThat(draws).isGreaterThanOrEqualTo(1_000);
    assertThat(bound2).as("95 %% upper bound of the false-positive rate at alpha 1e-2").isLessThanOrEqualTo(1e-2);
  }

  /**
   * Who made a model, from the public model cards (../shared/data/alpaca_eval/README.md). Gemini Pro
   * and Gemma are Google's; Guanaco 65B and the two OpenAssistant SFT models learned from the same
   * human conversations (OASST1).
   */
  static String vendor(String model) {
    String m = model.toLowerCase(java.util.Locale.ROOT);
    return m.startsWith("claude") ? "anthropic" : m.contains("llama-3") || m.startsWith("llama-2") ? "meta"
        : m.startsWith("qwen") ? "alibaba" : m.startsWith("text_davinci") ? "openai"
        : m.startsWith("gemini") || m.startsWith("gemma") ? "google"
        : m.startsWith("oasst") || m.startsWith("pythia") || m.startsWith("guanaco") ? "openassistant" : m;
  }

  /** {@link #families(String)} of each model, as a study's "families". */
  static Map<String, List<String>> familiesOf(java.util.Collection<String> models) {
    Map<String, List<String>> f = new LinkedHashMap<>();
    models.forEach(m -> f.put(m, families(m)));
    return f;
  }

  /**
   * A model's families as a study declares them: its maker, and the maker of the base model it
   * tunes and of the answers it learned from, where the model card says so (LLaMA: Meta's; Pythia:
   * EleutherAI's). Alpaca 7B: LLaMA 7B on text-davinci-003's answers; Claude2-Alpaca 13B: Llama 2
   * 13B on Claude 2's; Guanaco 65B and OpenAssistant's LLaMA 33B: LLaMA tunes.
   */
  static List<String> families(String model) {
    String m = model.toLowerCase(java.util.Locale.ROOT);
    if (m.startsWith("alpaca")) {
      return List.of("openai", "meta");
    }
    if (m.startsWith("claude2-alpaca")) {
      return List.of("anthropic", "meta");
    }
    if (m.startsWith("guanaco") || m.startsWith("oasst-sft-llama")) {
      return List.of("openassistant", "meta");
    }
    if (m.contains("pythia")) {
      return List.of("openassistant", "eleutherai");
    }
    return List.of(vendor(model));
  }

  /** The exact one-sided 95 % upper bound of a binomial proportion with k successes in n (bisection on the tail). */
  static double clopperPearsonUpper(int k, int n) {
    if (k >= n) {
      return 1.0;
    }
    double lo = (double) k / n;
    double hi = 1.0;
    for (int i = 0; i < 100; i++) {
      double mid = (lo + hi) / 2;
      if (binomialCdf(k, n, mid) > 0.05) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return hi;
  }

  /** P(X <= k) for X ~ Binomial(n, p), summed in log space. */
  static double binomialCdf(int k, int n, double p) {
    double sum = 0;
    double logP = Math.log(p);
    double logQ = Math.log1p(-p);
    double logChoose = 0; // log C(n, 0)
    for (int i = 0; i <= k; i++) {
      if (i > 0) {
        logChoose += Math.log(n - i + 1) - Math.log(i);
      }
      sum += Math.exp(logChoose + i * logP + (n - i) * logQ);
    }
    return sum;
  }
}
