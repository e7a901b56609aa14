package io.distillwatch.features.templates;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a prompt into the text its template is recognised by: lower case, single spaces, and
 * the slot fillers that vary between uses of one template masked (code, URLs, e-mail
 * addresses, quoted strings, numbers), so "Solve 3x+5=11" and "Solve 7x+2=30" read the same.
 * Order matters: code and URLs go first, because they contain quotes, dots and digits.
 */
public final class PromptNormalizer {
  private PromptNormalizer() {}

  private static final Pattern FENCED_CODE = Pattern.compile("```.*?(```|$)", Pattern.DOTALL);
  private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]{1,400}`");
  private static final Pattern URL = Pattern.compile("\\b(?:https?://|www\\.)\\S+", Pattern.CASE_INSENSITIVE);
  private static final Pattern EMAIL = Pattern.compile("\\b[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+\\b");
  private static final Pattern QUOTED = Pattern.compile("\"[^\"\\n]{1,400}\"|“[^”\\n]{1,400}”|'[^'\\n]{2,400}'(?!\\w)");
  private static final Pattern NUMBER = Pattern.compile("[-+]?\\d+(?:[.,:/]\\d+)*(?:e[-+]?\\d+)?%?");
  private static final Pattern SPACE = Pattern.compile("\\s+");

  /** Prompts longer than this are cut before normalising: a template shows in its first part. */
  public static final int MAX_CHARS = 4000;

  public static String normalize(String prompt) {
    if (prompt == null) {
      return "";
    }
    String s = prompt.length() > MAX_CHARS ? prompt.substring(0, MAX_CHARS) : prompt;
    s = FENCED_CODE.matcher(s).replaceAll(" <code> ");
    s = INLINE_CODE.matcher(s).replaceAll(" <code> ");
    s = URL.matcher(s).replaceAll(" <url> ");
    s = EMAIL.matcher(s).replaceAll(" <email> ");
    s = QUOTED.matcher(s).replaceAll(" <str> ");
    s = s.toLowerCase(Locale.ROOT);
    s = NUMBER.matcher(s).replaceAll(" <num> ");
    return SPACE.matcher(s).replaceAll(" ").strip();
  }
}
