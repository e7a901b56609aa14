package io.distillwatch.jobs.share;

import io.distillwatch.jobs.failures.InvalidInputException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The key the labs of a sharing community agree on: identity values cross to a peer only as
 * HMAC-SHA256 under it, so equal values match and nothing else can be read or guessed by anyone
 * without the key. Read from the environment only; never written, logged or put in a bundle.
 */
public final class CommunityKey implements Serializable {
  public static final String VARIABLE = "DW_COMMUNITY_KEY";
  static final int MIN_LENGTH = 32;

  private final byte[] key;

  private CommunityKey(byte[] key) {
    this.key = key;
  }

  public static CommunityKey of(String key) {
    if (key == null || key.length() < MIN_LENGTH) {
      throw new InvalidInputException("the community key must have at least " + MIN_LENGTH + " characters");
    }
    return new CommunityKey(key.getBytes(StandardCharsets.UTF_8));
  }

  /** The environment's key, or a one-line error saying what to set. */
  public static CommunityKey fromEnvironment(Map<String, String> env) {
    String k = env.get(VARIABLE);
    if (k == null || k.isEmpty()) {
      throw new InvalidInputException("identity indicators are shared only as HMACs under the community's key: set "
          + VARIABLE + " (at least " + MIN_LENGTH + " characters, the same at every lab of the community)");
    }
    return of(k);
  }

  /** The environment's key, or null when none is set (identity indicators are then left out, and the result says so). */
  public static CommunityKey fromEnvironmentIfSet(Map<String, String> env) {
    String k = env.get(VARIABLE);
    return k == null || k.isEmpty() ? null : of(k);
  }

  /** HMAC-SHA256 of the kind and the normalised value, in lower-case hex; null for a missing value. */
  public String hmac(String kind, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] h = mac.doFinal((kind + ":" + normalise(value)).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(h);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java 17 runtime", e);
    }
  }

  /** Case and surrounding space do not make another value (e-mail domains, addresses, fingerprints). */
  static String normalise(String value) {
    return value.trim().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() { // never the key
    return "CommunityKey[set]";
  }
}
