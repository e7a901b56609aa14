package io.distillwatch.jobs.simulate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The simulator's texts for tests that need them outside a simulated lake. */
public final class SimTexts {
  private SimTexts() {}

  public static List<String> chat(int n, SplittableRandom rng) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(PromptFactory.chat(rng));
    }
    return out;
  }

  public static List<String> coding(int n, SplittableRandom rng) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(PromptFactory.coding(rng));
    }
    return out;
  }

  /** One rendered request each of {@code n} templates of the ordinary capabilities (app integrations). */
  public static List<String> benignTemplates(int n, SplittableRandom rng) {
    List<String> caps = List.of("general_chat", "translation", "other");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(PromptFactory.render(PromptFactory.template(i, caps.get(i % caps.size()), false, rng), rng));
    }
    return out;
  }

  /** One rendered request each of {@code n} campaign templates (distillation capabilities, half with chain of thought). */
  public static List<String> campaignTemplates(int n, SplittableRandom rng) {
    List<String> caps = List.of("agentic_coding", "tool_use", "reasoning", "rubric_grading");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(PromptFactory.render(PromptFactory.template(i, caps.get(i % caps.size()), rng.nextBoolean(), rng), rng));
    }
    return out;
  }
}
