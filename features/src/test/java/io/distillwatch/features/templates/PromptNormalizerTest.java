package io.distillwatch.features.templates;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PromptNormalizerTest {
  @Test
  void slotFillersAreMasked() {
    assertThat(PromptNormalizer.normalize("  Solve   3x+5=11,  then CHECK it. "))
        .isEqualTo("solve <num> x <num> = <num> , then check it.");
    assertThat(PromptNormalizer.normalize("Summarise https://example.com/a?b=1 for bob@corp.example"))
        .isEqualTo("summarise <url> for <email>");
    assertThat(PromptNormalizer.normalize("Rate the answer \"Paris is in France\" from 1 to 10"))
        .isEqualTo("rate the answer <str> from <num> to <num>");
    assertThat(PromptNormalizer.normalize("Fix `int x = 1;` please\n```java\nclass A { }\n```"))
        .isEqualTo("fix <code> please <code>");
  }

  @Test
  void twoFillingsOfOneTemplateNormaliseAlike() {
    String a = PromptNormalizer.normalize("Grade this essay (id 4411) on a 1-5 scale: \"The war began in 1914.\"");
    String b = PromptNormalizer.normalize("Grade this essay (id 98) on a 1-5 scale: \"Photosynthesis needs light.\"");
    assertThat(a).isEqualTo(b);
  }

  @Test
  void nullAndHugePromptsAreSafe() {
    assertThat(PromptNormalizer.normalize(null)).isEmpty();
    assertThat(PromptNormalizer.normalize("word ".repeat(100_000)).length()).isLessThanOrEqualTo(PromptNormalizer.MAX_CHARS);
  }
}
