package io.distillwatch.jobs.simulate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes the simulator's texts: slot-filled templates with paraphrased variants (what campaigns,
 * evaluation harnesses and batch jobs send), free text (what people send), and responses in the
 * provider model's house style. Deterministic for a given random stream.
 */
public final class PromptFactory {
  private PromptFactory() {}

  /** A prompt template: its wording variants hold {@code <slot>} markers filled per request. */
  public record Template(int id, String capability, String language, boolean cot, List<String> variants) {}


  /** A new English template of {@code capability}, with 3 wording variants. */
  public static Template template(int id, String capability, boolean cot, SplittableRandom rng) {
    List<String> frames = new ArrayList<>(TextBank.FRAMES.get(capability));
    List<String> sentences = new ArrayList<>();
    if (cot) {
      sentences.add(pick(TextBank.COT, rng));
    }
    int k = 2 + rng.nextInt(2);
    for (int i = 0; i < k && !frames.isEmpty(); i++) {
      sentences.add(fill(frames.remove(rng.nextInt(frames.size())), rng));
    }
    if (rng.nextBoolean()) {
      sentences.add(pick(TextBank.FORMATS, rng));
    }
    return new Template(id, capability, "en", cot, variants(sentences, rng));
  }

  /**
   * A non-English probing template: sentence pair {@code index} of the language's bank, so that
   * two templates of one language share no sentence. Each bank opens with its chain-of-thought
   * request, so pair 0 elicits chain of thought.
   */
  public static Template foreignTemplate(int id, String language, int index) {
    List<String> bank = TextBank.FOREIGN.get(language);
    String first = bank.get((2 * index) % bank.size());
    String second = bank.get((2 * index + 1) % bank.size());
    return new Template(id, "reasoning", language, index == 0,
        List.of(first + " " + second, first + " " + second + " <number>", first + "\n" + second));
  }

  /** Base wording plus two paraphrases: a polite opener, a synonym swap, or two sentences swapped. */
  private static List<String> variants(List<String> sentences, SplittableRandom rng) {
    List<String> out = new ArrayList<>();
    out.add(String.join(" ", sentences));
    for (int v = 0; v < 2; v++) {
      List<String> s = new ArrayList<>(sentences);
      int op = (v + rng.nextInt(3)) % 3;
      if (op == 0) {
        s.set(0, pick(TextBank.POLITE, rng) + " " + Character.toLowerCase(s.get(0).charAt(0)) + s.get(0).substring(1));
      } else if (op == 1) {
        boolean swapped = false;
        for (String[] syn : TextBank.SYNONYMS) {
          for (int i = 0; i < s.size() && !swapped; i++) {
            Matcher m = Pattern.compile("\\b" + syn[0] + "\\b").matcher(s.get(i));
            if (m.find()) {
              s.set(i, m.replaceFirst(syn[1]));
              swapped = true;
            }
          }
          if (swapped) {
            break;
          }
        }
        if (!swapped) {
          s.add(pick(TextBank.CHAT_CLOSINGS.subList(0, 5), rng));
        }
      } else if (s.size() >= 3) {
        int i = 1 + rng.nextInt(s.size() - 2);
        String t = s.get(i);
        s.set(i, s.get(i + 1));
        s.set(i + 1, t);
      } else {
        s.add(0, pick(TextBank.POLITE, rng));
      }
      out.add(String.join(" ", s));
    }
    return out;
  }

  /** One request's prompt from a template: a variant (mostly the base wording) with its slots filled. */
  public static String render(Template t, SplittableRandom rng) {
    double r = rng.nextDouble();
    String variant = t.variants().get(r < 0.6 ? 0 : r < 0.8 ? 1 : 2);
    return slots(variant, rng);
  }

  /** Free text a person might send: an opening, one or two bodies, a closing. */
  public static String chat(SplittableRandom rng) {
    StringBuilder sb = new StringBuilder();
    append(sb, pick(TextBank.CHAT_OPENINGS, rng));
    append(sb, fill(pick(TextBank.CHAT_BODIES, rng), rng));
    if (rng.nextDouble() < 0.35) {
      append(sb, fill(pick(TextBank.CHAT_BODIES, rng), rng));
    }
    append(sb, pick(TextBank.CHAT_CLOSINGS, rng));
    return slots(sb.toString(), rng);
  }

  /** What a developer sends an agentic coding tool: one or two coding requests. */
  public static String coding(SplittableRandom rng) {
    StringBuilder sb = new StringBuilder();
    append(sb, fill(pick(TextBank.CODING_BODIES, rng), rng));
    if (rng.nextDouble() < 0.5) {
      append(sb, fill(pick(TextBank.CODING_BODIES, rng), rng));
    }
    if (rng.nextDouble() < 0.3) {
      append(sb, pick(TextBank.CHAT_CLOSINGS, rng));
    }
    return slots(sb.toString(), rng);
  }

  /** A response in the provider's style; chain-of-thought requests get explicit steps. */
  public static String response(boolean cot, SplittableRandom rng) {
    StringBuilder sb = new StringBuilder();
    append(sb, pick(TextBank.RESPONSE_OPENINGS, rng));
    if (cot) {
      int steps = 2 + rng.nextInt(3);
      for (int i = 1; i <= steps; i++) {
        sb.append("\nStep ").append(i).append(": ").append(pick(TextBank.RESPONSE_BODIES, rng).replace("\n", " "));
      }
      sb.append("\n");
    }
    append(sb, pick(TextBank.RESPONSE_BODIES, rng));
    append(sb, pick(TextBank.RESPONSE_CLOSINGS, rng));
    return sb.toString().strip();
  }

  /** Replaces the template-time {@code {filler}} markers; request-time {@code <slot>} markers stay. */
  static String fill(String frame, SplittableRandom rng) {
    return Parsed.of(frame).render(rng, true, false);
  }

  /** Fills the request-time {@code <slot>} markers. */
  static String slots(String text, SplittableRandom rng) {
    return Parsed.of(text).render(rng, false, true);
  }

  static String slotValue(String slot, SplittableRandom rng) {
    return switch (slot) {
      case "number" -> String.valueOf(1 + rng.nextInt(rng.nextBoolean() ? 100 : 10_000));
      case "quoted" -> "\"" + pick(TextBank.QUOTES, rng) + "\"";
      case "code" -> "`" + pick(TextBank.CODE, rng) + "`";
      case "path" -> pick(TextBank.PATHS, rng);
      case "name" -> rng.nextBoolean() ? pick(TextBank.NAMES, rng) : pick(TextBank.CITIES, rng);
      default -> "<" + slot + ">";
    };
  }

  /**
   * A text split once into literal parts, {@code {filler}} and {@code <slot>} markers, so that
   * the hot loop of the simulator does no regular-expression work.
   */
  private record Parsed(String[] parts, char[] kinds) {
    private static final java.util.concurrent.ConcurrentHashMap<String, Parsed> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    static Parsed of(String text) {
      Parsed p = CACHE.get(text);
      if (p == null) {
        p = parse(text);
        if (CACHE.size() < 100_000) {
          CACHE.put(text, p);
        }
      }
      return p;
    }

    private static Parsed parse(String text) {
      List<String> parts = new ArrayList<>();
      StringBuilder kinds = new StringBuilder();
      int i = 0;
      while (i < text.length()) {
        char open = text.charAt(i);
        char close = open == '{' ? '}' : open == '<' ? '>' : 0;
        int end = close == 0 ? -1 : text.indexOf(close, i + 1);
        if (end > i + 1 && isKey(text, i + 1, end)) {
          parts.add(text.substring(i + 1, end));
          kinds.append(open);
          i = end + 1;
        } else {
          int next = i + 1;
          while (next < text.length() && text.charAt(next) != '{' && text.charAt(next) != '<') {
            next++;
          }
          parts.add(text.substring(i, next));
          kinds.append('L');
          i = next;
        }
      }
      return new Parsed(parts.toArray(String[]::new), kinds.toString().toCharArray());
    }

    private static boolean isKey(String s, int from, int to) {
      for (int k = from; k < to; k++) {
        char c = s.charAt(k);
        if (!(c >= 'a' && c <= 'z') && c != '_') {
          return false;
        }
      }
      return true;
    }

    String render(SplittableRandom rng, boolean fillers, boolean slots) {
      StringBuilder sb = new StringBuilder(128);
      for (int k = 0; k < parts.length; k++) {
        String part = parts[k];
        switch (kinds[k]) {
          case '{' -> {
            if (fillers) {
              List<String> options = part.equals("city") ? TextBank.CITIES : TextBank.FILLERS.get(part);
              sb.append(options == null ? part : pick(options, rng));
            } else {
              sb.append('{').append(part).append('}');
            }
          }
          case '<' -> {
            if (slots) {
              sb.append(slotValue(part, rng));
            } else {
              sb.append('<').append(part).append('>');
            }
          }
          default -> sb.append(part);
        }
      }
      return sb.toString();
    }
  }

  static <T> T pick(List<T> list, SplittableRandom rng) {
    return list.get(rng.nextInt(list.size()));
  }

  private static void append(StringBuilder sb, String s) {
    if (!s.isEmpty()) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(s);
    }
  }
}
