package io.distillwatch.jobs.report;

import io.distillwatch.jobs.failures.InvalidInputException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Account ids as they may leave the team: keyed pseudonyms, {@code p-} and the first 12 hex digits of
 * HMAC-SHA256(key, account id). The same key gives the same pseudonym in every report and export (so
 * briefings can be cross-referenced) while nobody without the key can go back to the account or test a
 * guess. The key comes only from the environment ({@value #KEY_VARIABLE}); internal reports keep ids.
 */
public final class Pseudonyms implements Serializable {
  public static final String KEY_VARIABLE = "DW_PSEUDONYM_KEY";
  static final int MIN_KEY_LENGTH = 16;

  private final byte[] key; // null: internal, ids kept

  private Pseudonyms(byte[] key) {
    this.key = key;
  }

  /** Ids kept as they are: for reports that stay inside the team. */
  public static Pseudonyms internal() {
    return new Pseudonyms(null);
  }

  /** Keyed pseudonyms with an explicit key (at least {@value #MIN_KEY_LENGTH} characters). */
  public static Pseudonyms keyed(String key) {
    if (key == null || key.length() < MIN_KEY_LENGTH) {
      throw new InvalidInputException("the pseudonym key must have at least " + MIN_KEY_LENGTH + " characters");
    }
    return new Pseudonyms(key.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * What a command uses: ids kept when {@code internal}; otherwise keyed by the environment's key, and a
   * one-line error when it is missing (an external report must never fall back to raw ids).
   */
  public static Pseudonyms forReport(boolean internal, Map<String, String> env) {
    if (internal) {
      return internal();
    }
    String key = env.get(KEY_VARIABLE);
    if (key == null || key.isEmpty()) {
      throw new InvalidInputException("reports that leave the team show account ids as keyed pseudonyms: set "
          + KEY_VARIABLE + " (at least " + MIN_KEY_LENGTH + " characters), or pass --internal to keep the ids");
    }
    return keyed(key);
  }

  public boolean isInternal() {
    return key == null;
  }

  public String of(String accountId) {
    if (key == null || accountId == null) {
      return accountId;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] h = mac.doFinal(accountId.getBytes(StandardCharsets.UTF_8));
      return "p-" + HexFormat.of().formatHex(h, 0, 6);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java 17 runtime", e);
    }
  }

  @Override
  public String toString() { // never the key
    return isInternal() ? "Pseudonyms[internal]" : "Pseudonyms[keyed]";
  }
}
