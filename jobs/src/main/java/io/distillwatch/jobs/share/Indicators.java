package io.distillwatch.jobs.share;

import io.distillwatch.features.templates.MinHashLsh;
import io.distillwatch.features.templates.TemplateAssignment;
import io.distillwatch.jobs.features.FeaturesJob;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kinds of indicator a lab shares, their STIX patterns, and how much a match of each says (pure).
 *
 * <p>Weights: a match of one indicator whose value belongs to one person or one operation (a payment
 * card, a sign-up address) makes an account a lead alone (weight 1); what others can hold too only in
 * combination (an account is a lead of a peer's campaign when its matched indicators weigh 1 or more):
 * a private template of the peer's campaign (0.5: ordinary prompts can resemble one, while a campaign's
 * account sends many of its templates), a /24 network or an e-mail domain (0.5), an ASN or a user agent
 * (0.25). These are judgements about what such values are, as threat-intelligence practice asks two
 * independent indicators before acting; docs/sharing.md gives them and what the two-lab world showed.
 */
public final class Indicators {
  private Indicators() {}

  public static final String TEMPLATE = "template";
  public static final String PAYMENT = "payment";
  public static final String SIGNUP_IP = "signup_ip";
  public static final String EMAIL_DOMAIN = "email_domain";
  public static final String NETWORK = "network";
  public static final String ASN = "asn";
  public static final String USER_AGENT = "user_agent";
  public static final String HOUR_PROFILE = "hour_profile";

  /** The weight of a matched indicator of each kind; an account is a lead at a total of {@link #LEAD_WEIGHT}. */
  public static final Map<String, Double> WEIGHTS = Map.of(TEMPLATE, 0.5, PAYMENT, 1.0, SIGNUP_IP, 1.0,
      EMAIL_DOMAIN, 0.5, NETWORK, 0.5, ASN, 0.25, USER_AGENT, 0.25);
  public static final double LEAD_WEIGHT = 1.0;

  /** Identity kinds: shared only as HMAC-SHA256 under the community key. */
  public static final List<String> IDENTITY_KINDS = List.of(PAYMENT, SIGNUP_IP, EMAIL_DOMAIN);

  /** Our custom observable types (STIX 2.1 allows them in patterns). */
  static final String TEMPLATE_OBJECT = "x-distillwatch-template";
  static final String IDENTITY_OBJECT = "x-distillwatch-identity";
  static final String USER_AGENT_PATH = "network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'";
  /** The pattern type of the timing fingerprint: 24 shares of requests by hour of day (UTC), descriptive only. */
  public static final String HOUR_PROFILE_PATTERN_TYPE = "x-distillwatch-hour-profile";

  /**
   * The hashing every lab of a community must share for template signatures to meet: distillwatch's
   * template defaults (20 bands of 4 rows over 3-word shingles of the normalised prompt, seed 0x5EED).
   */
  static final MinHashLsh LSH = new MinHashLsh(FeaturesJob.Options.DEFAULT_BANDS, FeaturesJob.Options.DEFAULT_ROWS,
      FeaturesJob.Options.DEFAULT_SHINGLE, FeaturesJob.Options.LSH_SEED);
  /**
   * A peer's template is ours when their centre signatures agree on this share of rows: the estimated
   * Jaccard similarity at which our own template assignment joins a prompt to a template.
   */
  public static final double TEMPLATE_SIMILARITY = TemplateAssignment.DEFAULT_MIN_SIMILARITY;

  public static long[] bandKeys(long[] signature) {
    return LSH.bandKeys(signature);
  }

  /** A signature as text (comma-separated decimal): JSON numbers beyond 2^53 lose digits in many tools. */
  public static String signatureText(long[] signature) {
    StringBuilder b = new StringBuilder();
    for (long v : signature) {
      b.append(b.length() == 0 ? "" : ",").append(v);
    }
    return b.toString();
  }

  /** The signature of {@link #signatureText}, or empty when the text is not one of the community's length. */
  public static Optional<long[]> parseSignature(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String[] parts = text.split(",");
    if (parts.length != LSH.bands() * LSH.rows()) {
      return Optional.empty();
    }
    long[] out = new long[parts.length];
    try {
      for (int i = 0; i < parts.length; i++) {
        out[i] = Long.parseLong(parts[i].trim());
      }
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.of(out);
  }

  /** A template signature: any of the band keys of the template's MinHash signature. */
  public static String templatePattern(long[] bandKeys) {
    List<String> parts = new ArrayList<>();
    for (long k : bandKeys) {
      parts.add(TEMPLATE_OBJECT + ":band_key = " + k);
    }
    return "[" + String.join(" OR ", parts) + "]";
  }

  public static String identityPattern(String kind, String hmacHex) {
    if (!IDENTITY_KINDS.contains(kind)) {
      throw new IllegalArgumentException("not an identity kind: " + kind);
    }
    return "[" + IDENTITY_OBJECT + ":" + kind + "_hmac = '" + hmacHex + "']";
  }

  public static String networkPattern(String cidr) {
    return "[ipv4-addr:value ISSUBSET '" + cidr + "']";
  }

  public static String asnPattern(long asn) {
    return "[autonomous-system:number = " + asn + "]";
  }

  public static String userAgentPattern(String userAgent) {
    return "[" + USER_AGENT_PATH + " = '" + escape(userAgent) + "']";
  }

  static String escape(String s) {
    return s.replace("\\", "\\\\").replace("'", "\\'");
  }

  /** One term of a pattern we can evaluate: the kind and the value to look for. */
  public record Term(String kind, String value) {}

  private static final Pattern COMPARISON = Pattern.compile(
      "\\s*([a-z0-9-]+:(?:[a-z0-9_]+|'[^']*')(?:\\.(?:[a-z0-9_]+|'[^']*'))*)\\s+(=|ISSUBSET)\\s+('(?:[^'\\\\]|\\\\.)*'|-?\\d+)\\s*");

  /**
   * The terms of a STIX pattern made of one observation whose comparisons are joined by OR, each of a
   * kind we know; empty for anything else (AND, several observations, qualifiers, other objects),
   * which the matcher counts as not evaluated rather than guessing.
   */
  public static Optional<List<Term>> parse(String pattern) {
    if (pattern == null) {
      return Optional.empty();
    }
    String p = pattern.trim();
    if (!p.startsWith("[") || !p.endsWith("]")) {
      return Optional.empty();
    }
    List<String> comparisons = splitOr(p.substring(1, p.length() - 1));
    if (comparisons == null) {
      return Optional.empty();
    }
    List<Term> terms = new ArrayList<>();
    for (String c : comparisons) {
      Matcher m = COMPARISON.matcher(c);
      if (!m.matches()) {
        return Optional.empty();
      }
      Term t = term(m.group(1), m.group(2), m.group(3));
      if (t == null) {
        return Optional.empty();
      }
      terms.add(t);
    }
    return terms.isEmpty() ? Optional.empty() : Optional.of(terms);
  }

  /** Splits on OR outside quoted strings; null when a bracket, AND or another operator is outside quotes. */
  private static List<String> splitOr(String body) {
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    StringBuilder unquoted = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < body.length(); i++) {
      char ch = body.charAt(i);
      if (quoted) {
        cur.append(ch);
        if (ch == '\\' && i + 1 < body.length()) {
          cur.append(body.charAt(++i));
        } else if (ch == '\'') {
          quoted = false;
        }
        continue;
      }
      if (ch == '\'') {
        quoted = true;
        cur.append(ch);
        continue;
      }
      if (ch == '[' || ch == ']' || ch == '(' || ch == ')') {
        return null;
      }
      if (body.startsWith(" OR ", i)) {
        parts.add(cur.toString());
        cur.setLength(0);
        i += 3;
        continue;
      }
      cur.append(ch);
      unquoted.append(ch);
    }
    if (quoted) {
      return null;
    }
    parts.add(cur.toString());
    String outside = " " + unquoted + " ";
    if (outside.contains(" AND ") || outside.contains(" FOLLOWEDBY ") || outside.contains(" WITHIN ")) {
      return null;
    }
    return parts;
  }

  private static Term term(String path, String op, String literal) {
    boolean quoted = literal.startsWith("'");
    String value = quoted ? unescape(literal.substring(1, literal.length() - 1)) : literal;
    if (path.equals(TEMPLATE_OBJECT + ":band_key") && op.equals("=") && !quoted) {
      return new Term(TEMPLATE, value);
    }
    for (String kind : IDENTITY_KINDS) {
      if (path.equals(IDENTITY_OBJECT + ":" + kind + "_hmac") && op.equals("=") && quoted) {
        return new Term(kind, value.toLowerCase(Locale.ROOT));
      }
    }
    if (path.equals("ipv4-addr:value") && quoted) {
      String cidr = op.equals("=") && !value.contains("/") ? value + "/32" : value;
      return Cidr.parse(cidr).map(c -> new Term(NETWORK, c.canonical())).orElse(null);
    }
    if (path.equals("autonomous-system:number") && op.equals("=") && !quoted) {
      return new Term(ASN, value);
    }
    if (path.equals(USER_AGENT_PATH) && op.equals("=") && quoted) {
      return new Term(USER_AGENT, value);
    }
    return null;
  }

  private static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        c = s.charAt(++i);
      }
      b.append(c);
    }
    return b.toString();
  }

  /** An IPv4 network: address and prefix length. */
  public record Cidr(long network, int bits) implements java.io.Serializable {
    public static Optional<Cidr> parse(String s) {
      String[] parts = s.split("/");
      if (parts.length != 2) {
        return Optional.empty();
      }
      Optional<Long> a = ipv4(parts[0]);
      int bits;
      try {
        bits = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      if (a.isEmpty() || bits < 8 || bits > 32) { // wider than a /8 is no indicator
        return Optional.empty();
      }
      return Optional.of(new Cidr(a.get() & mask(bits), bits));
    }

    /** a.b.c.d/bits with the host bits cleared: how a network is compared. */
    public String canonical() {
      return ((network >> 24) & 255) + "." + ((network >> 16) & 255) + "." + ((network >> 8) & 255) + "." + (network & 255)
          + "/" + bits;
    }

    public boolean contains(String ip) {
      Optional<Long> a = ipv4(ip);
      return a.isPresent() && (a.get() & mask(bits)) == network;
    }

    private static long mask(int bits) {
      return (0xFFFFFFFFL << (32 - bits)) & 0xFFFFFFFFL;
    }
  }

  /** The address as an unsigned 32-bit number; empty for anything but dotted-quad IPv4. */
  public static Optional<Long> ipv4(String s) {
    if (s == null) {
      return Optional.empty();
    }
    String[] q = s.trim().split("\\.", -1);
    if (q.length != 4) {
      return Optional.empty();
    }
    long v = 0;
    for (String part : q) {
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
        return Optional.empty();
      }
      int n = Integer.parseInt(part);
      if (n > 255) {
        return Optional.empty();
      }
      v = (v << 8) | n;
    }
    return Optional.of(v);
  }

  /**
   * Whether an IPv4 address is publicly routable: not private (RFC 1918), shared (RFC 6598), loopback,
   * link-local, documentation (RFC 5737), benchmarking, multicast or reserved. Only such networks are shared.
   */
  public static boolean publicIpv4(String ip) {
    Optional<Long> a = ipv4(ip);
    if (a.isEmpty()) {
      return false;
    }
    long v = a.get();
    long[][] reserved = {
        {0x00000000L, 8}, {0x0A000000L, 8}, {0x64400000L, 10}, {0x7F000000L, 8}, {0xA9FE0000L, 16},
        {0xAC100000L, 12}, {0xC0000000L, 24}, {0xC0000200L, 24}, {0xC0A80000L, 16}, {0xC6120000L, 15},
        {0xC6336400L, 24}, {0xCB007100L, 24}, {0xE0000000L, 3}};
    for (long[] r : reserved) {
      long mask = (0xFFFFFFFFL << (32 - r[1])) & 0xFFFFFFFFL;
      if ((v & mask) == r[0]) {
        return false;
      }
    }
    return true;
  }

  /** The /24 network of a public IPv4 address, as a CIDR; null for anything else (what we share). */
  public static String prefix24(String ip) {
    return publicIpv4(ip) ? network24(ip) : null;
  }

  /** The /24 network of any IPv4 address, as a CIDR; null for anything else (what a peer's /24 is matched on). */
  public static String network24(String ip) {
    Optional<Long> a = ipv4(ip);
    if (a.isEmpty()) {
      return null;
    }
    long v = a.get() & 0xFFFFFF00L;
    return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + ".0/24";
  }
}
