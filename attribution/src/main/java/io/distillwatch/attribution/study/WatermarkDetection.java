package io.distillwatch.attribution.study;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The watermark z-test of Kirchenbauer et al. (2023, "A Watermark for Large Language Models"):
 * a watermarking provider prefers, at each position, tokens from a "green list" drawn by a keyed
 * pseudo-random function of the previous token. Text that learnt from its outputs keeps an excess
 * of green tokens; without the key nothing can be seen. Under H0 (text written without knowledge
 * of the key) each scored token is green with probability gamma, so
 * {@code z = (green - gamma T) / sqrt(T gamma (1 - gamma))} is approximately standard normal.
 *
 * <p>Tokens here are words and punctuation marks (lower-cased); a provider that watermarks on its
 * own tokenizer's ids plugs that tokenizer in instead. Green membership is HMAC-SHA256(key,
 * previous token, token) read as a uniform number below gamma. Each distinct (previous, token)
 * pair is scored once per suspect, so a phrase the suspect repeats cannot inflate z (the
 * repeated-n-gram caveat of the paper).
 */
public final class WatermarkDetection {
  private WatermarkDetection() {}

  private static final Pattern TOKEN = Pattern.compile("\\p{L}[\\p{L}\\p{N}'_-]*|\\p{N}+|[^\\s\\p{L}\\p{N}]");

  public record Outcome(long tokens, long green, double gamma, double z, double pValue) {}

  /** The scheme: a secret key and the green-list share gamma. */
  public record Scheme(byte[] key, double gamma) {
    public Scheme {
      if (key == null || key.length < 16) {
        throw new StudyException("watermark key must have at least 16 bytes");
      }
      if (!(gamma > 0 && gamma < 1)) {
        throw new StudyException("watermark gamma must be in (0, 1), got " + gamma);
      }
    }

    public static Scheme of(String key, double gamma) {
      return new Scheme(key.getBytes(StandardCharsets.UTF_8), gamma);
    }
  }

  public static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  public static Outcome detect(List<String> texts, Scheme scheme) {
    Mac mac = mac(scheme.key());
    Set<String> seen = new HashSet<>();
    long scored = 0;
    long green = 0;
    for (String text : texts) {
      List<String> t = tokens(text);
      for (int i = 1; i < t.size(); i++) {
        if (seen.add(t.get(i - 1) + '\u0000' + t.get(i))) {
          scored++;
          green += isGreen(mac, t.get(i - 1), t.get(i), scheme.gamma()) ? 1 : 0;
        }
      }
    }
    if (scored == 0) {
      return new Outcome(0, 0, scheme.gamma(), 0, 1);
    }
    double g = scheme.gamma();
    double z = (green - g * scored) / Math.sqrt(scored * g * (1 - g));
    return new Outcome(scored, green, g, z, upperNormalTail(z));
  }

  /** Whether {@code token} is on the green list drawn for {@code previous} (what a watermarking generator favours). */
  public static boolean isGreen(Scheme scheme, String previous, String token) {
    return isGreen(mac(scheme.key()), previous, token, scheme.gamma());
  }

  static boolean isGreen(Mac mac, String previous, String token, double gamma) {
    byte[] h = mac.doFinal((previous + '\u0000' + token).getBytes(StandardCharsets.UTF_8));
    long bits = ByteBuffer.wrap(h, 0, 8).getLong() >>> 11; // 53 uniform bits
    return bits * 0x1.0p-53 < gamma;
  }

  static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** P(Z >= z) for a standard normal Z (complementary error function, Numerical Recipes' erfc approximation, |error| < 1.2e-7). */
  static double upperNormalTail(double z) {
    return 0.5 * erfc(z / Math.sqrt(2));
  }

  static double erfc(double x) {
    double t = 1 / (1 + 0.5 * Math.abs(x));
    double y = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
        + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
        + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? y : 2 - y;
  }
}
