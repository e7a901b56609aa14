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
 * order, and no cue at all means {@code GENERAL_CHAT} (most requests of real traffic are questions
 * and writing of no special kind: 80 % of a hand-labelled sample of real prompts). Rules are transparent and cheap; the embedding
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

  // The cues are the general vocabulary of each kind of request, written from what such requests
  // say in public instruction sets and in the published descriptions of distillation traffic
  // (coding agents, tool calls, maths and logic, grading with rubrics, translation), and checked
  // on the dev half of a hand-labelled sample of real prompts (RealPromptTaggingTest); never on
  // the simulator's text.
  private static final String LANGUAGES = "english|french|german|japanese|spanish|portuguese|korean|italian|dutch|chinese"
      + "|mandarin|russian|arabic|hindi|turkish|polish|swedish|greek|hebrew|vietnamese|indonesian|latin";

  private static final Map<Capability, List<Cue>> CUES = new EnumMap<>(Map.of(
      Capability.AGENTIC_CODING, List.of(
          cue("\\b(python|javascript|typescript|java|kotlin|golang|rust|ruby|php|c\\+\\+|swift|scala|haskell|lua|luau|"
              + "bash|powershell|sql|regex|react|node\\.js|npm|discord\\.js)\\b", 3),
          cue("\\b(code|coding|program(ming)?|algorithm|implementation|implement|compile[rd]?|debug|bug|refactor|repository|"
              + "repo|codebase|unit tests?|stack trace|pull request|merge conflicts?|git(hub)?|api|sdk|librar(y|ies)|framework|"
              + "syntax|runtime|excel|spreadsheet|google sheets|html|css|json|yaml|latex)\\b", 2),
          cue("\\b(script|function|class|method|variable|formula|markdown|terminal|command line|shell|compiler|interpreter|"
              + "jit|type system|data structure|time complexity)\\b", 1)),
      Capability.TOOL_USE, List.of(
          cue("\\b(tool calls?|function call(ing|s)?|call the [a-z_]+ (tool|function|api)|available tools|tool schema|"
              + "json schema|tool_use|tool results?)\\b", 4),
          cue("\\b[a-z]+_[a-z_]+\\([a-z_, ]*\\)", 3), // search_web(query)
          cue("\\b(tools?|invoke|plugin|agent)\\b", 1)),
      Capability.REASONING, List.of(
          cue("\\b(solve|equation|prove|proof|theorem|probability|calculate|compute|derivative|integral|matri(x|ces)|"
              + "riddle|puzzle|logic(al)?|deduce|how many|formula for|nth term|sequence|integers?|odd|even|prime)\\b", 3),
          cue("\\b(f\\([a-z]\\)|[a-z]\\^[0-9t]|[0-9]+ ?[-+*/=^] ?[0-9]+)", 2),
          cue("\\b(math|maths|homework|estimate|length of|area of|volume of|distance|percent|average|total cost)\\b", 1)),
      Capability.RUBRIC_GRADING, List.of(
          cue("\\b(grade|grader|grading|rubric|reward model|score (the|this|each|these)|rate (the|this|each|how)|"
              + "on a scale (of|from)|which (response|answer|reply) is better|judge (whether|the|which)|evaluate the "
              + "(response|answer|writing|essay)|assess the quality)\\b", 3),
          cue("\\b(critique|feedback on|analy[sz]e the (word choice|writing|tone|style)|correctness|pass or fail)\\b", 2)),
      Capability.TRANSLATION, List.of(
          cue("\\b(translate|translation|translator)\\b", 4),
          cue("\\b(into|in|to) (" + LANGUAGES + ")\\b", 2),
          cue("\\b(" + LANGUAGES + ") (version|words?|phrases?|text)\\b", 2)),
      Capability.GENERAL_CHAT, List.of(
          cue("\\b(write|explain|describe|tell me|suggest|recommend|summari[sz]e|list|ideas?|advice|tips|story|poem|essay|"
              + "blog post|email|letter|what|why|how|who|where|when)\\b", 1)),
      // classification and extraction: short labels or fields out of a given text
      Capability.OTHER, List.of(
          cue("\\b(classify|categori[sz]e|sentiment|extract|named entities|offensive or not|belongs to the|which category|"
              + "label each|synthetic (data|records))\\b", 4))));

  private static final Pattern COT = Pattern.compile(String.join("|",
      "think(ing)? (it )?(through )?step[- ]by[- ]step", "(reasoning|thinking|thought process|explanation) step[- ]by[- ]step",
      "step[- ]by[- ]step (reasoning|explanation|thinking)", "chain[- ]of[- ]thought", "reasoning process",
      "internal reasoning", "intermediate reasoning", "hidden reasoning", "show (all of )?your (work|reasoning|thinking|steps)",
      "(take|walk) (me|the reader|us) through your (reasoning|thinking|thought)", "explain your (reasoning|thinking)",
      "reason through", "think through", "your (full|complete) (reasoning|thinking|thought)", "let'?s think",
      "do not skip any step", "think aloud", "before (you )?(answer|give|giving) (the|your) (final )?answer",
      "一步一步", "逐步", "推理过程", "思考过程", "思维链", // zh
      "шаг за шагом", "ход рассуждени", "рассуждени", // ru
      "paso a paso", "razonamiento"), // es
      Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

  public static Capability capability(String prompt) {
    if (prompt == null || prompt.isBlank()) {
      return Capability.GENERAL_CHAT;
    }
    String text = (prompt.length() > 2000 ? prompt.substring(0, 2000) : prompt).toLowerCase(Locale.ROOT);
    Capability best = Capability.GENERAL_CHAT;
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
