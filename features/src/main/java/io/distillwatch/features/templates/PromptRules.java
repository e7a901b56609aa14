package io.distillwatch.features.templates;

import java.lang.Character.UnicodeScript;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The documented rule set for tagging a prompt (in practice a template representative) with a
 * capability, chain-of-thought elicitation and its script. Each capability has weighted cue
 * phrases; the highest total wins, ties go to the earlier capability in {@link Capability}'s
 * order, and no cue at all means {@code OTHER}. Rules are transparent and cheap; the embedding
 * classifier is the second opinion.
 */
public final class PromptRules {
  private PromptRules() {}

  /** Capability areas of DESIGN.md, in tie-breaking order. */
  public enum Capability {
    AGENTIC_CODING, TOOL_USE, REASONING, RUBRIC_GRADING, TRANSLATION, GENERAL_CHAT, OTHER;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Every label, in declaration order. */
    public static java.util.List<String> labels() {
      return java.util.Arrays.stream(values()).map(Capability::label).toList();
    }
  }

  private record Cue(Pattern pattern, int weight) {}

  private static Cue cue(String regex, int weight) {
    return new Cue(Pattern.compile(regex), weight); // matched against lower-cased text
  }

  private static final Map<Capability, List<Cue>> CUES = new EnumMap<>(Map.of(
      Capability.AGENTIC_CODING, List.of(
          cue("\\b(refactor|repository|repo|codebase|stack trace|diff|patch|unit tests?|failing test|build fails)\\b", 3),
          cue("\\b(python|typescript|javascript|golang|rust|java|kotlin|c\\+\\+|ruby|bash|sql) (function|repository|class|script|tool|code)\\b", 3),
          cue("\\b(coding agent|shell commands?|command line tool|time complexity|error handling|async and await)\\b", 3),
          cue("\\b(function|module|bug|compile|implement|migrate|debug|code|service)\\b", 1)),
      Capability.TOOL_USE, List.of(
          cue("\\b(tools?|tool call|function schema|function calling)\\b", 3),
          cue("\\b[a-z]+_[a-z_]+\\([a-z_, ]*\\)", 3), // search_web(query)
          cue("\\b(call|calling|invoke) [a-z_]+\\b", 1),
          cue("\\b(json object|arguments|parameters|workflow)\\b", 1)),
      Capability.REASONING, List.of(
          cue("\\b(solve|prove|proof that|equation|integer solutions?|probability|compute|estimate|determine whether)\\b", 3),
          cue("\\b(km/h|marbles|theorem|exact answer|for (every|each) n|sequence starting)\\b", 3),
          cue("\\b(problem|calculate|premise|valid|assumption)\\b", 1)),
      Capability.RUBRIC_GRADING, List.of(
          cue("\\b(grade|grader|grading|rubric|reward model|score|rating|rate how|judge whether|pass or fail)\\b", 3),
          cue("\\b(response a and response b|which is (better|stronger)|on a scale of)\\b", 3),
          cue("\\b(accuracy|clarity|helpful|harmless|justification|flaw)\\b", 1)),
      Capability.TRANSLATION, List.of(
          cue("\\b(translate|translation|render this .* text in)\\b", 4),
          cue("\\b(french|german|japanese|spanish|portuguese|korean|italian|dutch|chinese|russian) (version|translation)\\b", 3),
          cue("\\binto (french|german|japanese|spanish|portuguese|korean|italian|dutch|chinese|russian|english)\\b", 3)),
      Capability.GENERAL_CHAT, List.of(
          cue("\\b(write a|produce a|summari[sz]e|condense|explain|describe|tell me|bullet points|analogy|about)\\b", 2),
          cue("\\b(story|poem|essay|blog post|email|letter)\\b", 1)),
      // classification, extraction and synthetic records: what is left once the above are ruled out
      Capability.OTHER, List.of(
          cue("\\b(classify|sentiment|extract|synthetic|records|named entities)\\b", 3))));

  private static final Pattern COT = Pattern.compile(String.join("|",
      "think(ing)? step[- ]by[- ]step", "chain[- ]of[- ]thought", "reasoning process", "internal reasoning",
      "intermediate reasoning", "hidden reasoning", "show (all of )?your (work|reasoning|thinking)",
      "reason through", "think through", "your (full|complete) (reasoning|thinking|thought)",
      "do not skip any step", "think aloud",
      "一步一步", "逐步", "推理过程", "思考过程", "思维链", // zh
      "шаг за шагом", "ход рассуждени", "рассуждени", // ru
      "paso a paso", "razonamiento"), // es
      Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

  public static Capability capability(String prompt) {
    if (prompt == null || prompt.isBlank()) {
      return Capability.OTHER;
    }
    String text = (prompt.length() > 2000 ? prompt.substring(0, 2000) : prompt).toLowerCase(Locale.ROOT);
    Capability best = Capability.OTHER;
    int bestScore = 0;
    for (Capability c : Capability.values()) {
      int score = 0;
      for (Cue cue : CUES.get(c)) {
        var m = cue.pattern().matcher(text);
        while (m.find()) {
          score += cue.weight();
        }
      }
      if (score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    return best;
  }

  /** Whether the prompt asks the model to write out its reasoning (chain-of-thought elicitation). */
  public static boolean elicitsChainOfThought(String prompt) {
    return prompt != null && COT.matcher(prompt).find();
  }

  /**
   * The dominant Unicode script of the letters in the prompt, lower case ({@code latin},
   * {@code han}, {@code cyrillic}, {@code arabic}, {@code hangul}, {@code japanese}, ...), or
   * {@code unknown} when it has no letters. Cheap: one pass over the code points.
   */
  public static String script(String prompt) {
    if (prompt == null) {
      return "unknown";
    }
    Map<UnicodeScript, Integer> counts = new EnumMap<>(UnicodeScript.class);
    prompt.codePoints().filter(Character::isLetter).limit(2000)
        .forEach(cp -> counts.merge(UnicodeScript.of(cp), 1, Integer::sum));
    int kana = counts.getOrDefault(UnicodeScript.HIRAGANA, 0) + counts.getOrDefault(UnicodeScript.KATAKANA, 0);
    if (kana > 0) {
      return "japanese";
    }
    return counts.entrySet().stream().max(Map.Entry.comparingByValue())
        .map(e -> e.getKey().name().toLowerCase(Locale.ROOT)).orElse("unknown");
  }
}
