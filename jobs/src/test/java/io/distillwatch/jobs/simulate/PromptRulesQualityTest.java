package io.distillwatch.jobs.simulate;

import io.distillwatch.features.templates.PromptRules;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The capability and chain-of-thought rules of {@link PromptRules}, measured against the
 * simulator's labelled templates (every wording variant of 700 English templates). This is
 * the rules' fit to the simulator's vocabulary, not a claim about real traffic.
 */
class PromptRulesQualityTest {

  @Test
  void capabilityAndChainOfThoughtAgreeWithTheSimulatorsLabels() {
    SplittableRandom rng = new SplittableRandom(2026);
    Map<String, int[]> perCapability = new HashMap<>(); // {correct, total}
    int tp = 0;
    int fp = 0;
    int fn = 0;
    int id = 0;
    for (int i = 0; i < 100; i++) {
      for (String capability : TextBank.CAPABILITIES) {
        PromptFactory.Template t = PromptFactory.template(id++, capability, rng.nextDouble() < 0.4, rng);
        for (String variant : t.variants()) {
          int[] c = perCapability.computeIfAbsent(capability, k -> new int[2]);
          c[0] += PromptRules.capability(variant).label().equals(capability) ? 1 : 0;
          c[1]++;
          boolean cot = PromptRules.elicitsChainOfThought(variant);
          tp += cot && t.cot() ? 1 : 0;
          fp += cot && !t.cot() ? 1 : 0;
          fn += !cot && t.cot() ? 1 : 0;
        }
      }
    }
    int correct = perCapability.values().stream().mapToInt(c -> c[0]).sum();
    int total = perCapability.values().stream().mapToInt(c -> c[1]).sum();
    assertThat((double) correct / total).as("capability accuracy").isGreaterThanOrEqualTo(0.9);
    perCapability.forEach((cap, c) ->
        assertThat((double) c[0] / c[1]).as("accuracy for %s", cap).isGreaterThanOrEqualTo(0.75));
    assertThat((double) tp / (tp + fp)).as("chain-of-thought precision").isGreaterThanOrEqualTo(0.95);
    assertThat((double) tp / (tp + fn)).as("chain-of-thought recall").isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void scriptsOfTheNonEnglishProbes() {
    assertThat(PromptRules.script(PromptFactory.foreignTemplate(1, "zh", 1).variants().get(0))).isEqualTo("han");
    assertThat(PromptRules.script(PromptFactory.foreignTemplate(2, "ru", 1).variants().get(0))).isEqualTo("cyrillic");
    assertThat(PromptRules.script(PromptFactory.foreignTemplate(3, "es", 1).variants().get(0))).isEqualTo("latin");
    assertThat(PromptRules.script("これは日本語の文です")).isEqualTo("japanese");
    assertThat(PromptRules.script("1234 !!")).isEqualTo("unknown");
    assertThat(PromptRules.elicitsChainOfThought(PromptFactory.foreignTemplate(4, "zh", 0).variants().get(0))).isTrue();
    assertThat(PromptRules.elicitsChainOfThought(PromptFactory.foreignTemplate(5, "ru", 0).variants().get(0))).isTrue();
    assertThat(PromptRules.elicitsChainOfThought(PromptFactory.foreignTemplate(6, "es", 0).variants().get(0))).isTrue();
  }
}
