package io.distillwatch.features.validate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks one JSON line of the request log against the input contract and turns it into the
 * typed values of {@link EventSchema#EVENT}, or says in one line why it cannot.
 *
 * <p>Pure and thread-confined (make one per partition): no Spark, no I/O. Reasons name the
 * field and the rule, never the field's content, so they are safe to print.
 */
public final class EventValidator {
  /** Rules a deployment may tune; the defaults are in {@link #defaults()}. */
  public record Limits(int maxLatenessDays, int maxFutureHours, int maxPromptChars, int maxIdChars)
      implements Serializable {}

  public static Limits defaults() {
    return new Limits(7, 24, 1_000_000, 256);
  }

  /** Outcome of one line: {@code values} when valid, else {@code reason}. */
  public record Result(Object[] values, String reason, String eventId) {
    public boolean valid() {
      return reason == null;
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private final Limits limits;
  private final Instant earliest;
  private final Instant latest;
  private final MessageDigest sha256;

  public EventValidator(LocalDate landingDate, Limits limits) {
    this.limits = limits;
    Instant dayStart = landingDate.atStartOfDay().toInstant(ZoneOffset.UTC);
    this.earliest = dayStart.minusSeconds(86_400L * limits.maxLatenessDays());
    this.latest = dayStart.plusSeconds(86_400L + 3_600L * limits.maxFutureHours());
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public Result validate(String line) {
    JsonNode root;
    try {
      root = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      return reject("broken JSON: " + firstLine(e.getOriginalMessage()), null);
    }
    if (root == null || !root.isObject()) {
      return reject("not a JSON object", null);
    }
    JsonNode idNode = root.get("event_id");
    String eventId = idNode != null && idNode.isTextual() ? idNode.asText() : null;

    List<EventSchema.Field> fields = EventSchema.FIELDS;
    Object[] out = new Object[fields.size() + 2];
    for (int i = 0; i < fields.size(); i++) {
      EventSchema.Field f = fields.get(i);
      JsonNode node = root.get(f.name());
      if (node == null || node.isNull()) {
        if (f.required()) {
          return reject("missing required field '" + f.name() + "'", eventId);
        }
        continue;
      }
      Object value;
      try {
        value = convert(f, node);
      } catch (IllegalArgumentException e) {
        return reject(e.getMessage(), eventId);
      }
      if (value instanceof String s && f.required() && s.isBlank()) {
        return reject("required field '" + f.name() + "' is empty", eventId);
      }
      out[i] = value;
    }
    String problem = checkRules(out);
    if (problem != null) {
      return reject(problem, eventId);
    }
    Timestamp ts = (Timestamp) out[1];
    out[fields.size()] = Date.valueOf(ts.toInstant().atOffset(ZoneOffset.UTC).toLocalDate());
    out[fields.size() + 1] = contentHash(out, fields.size());
    return new Result(out, null, eventId);
  }

  private static Result reject(String reason, String eventId) {
    return new Result(null, reason, eventId);
  }

  private Object convert(EventSchema.Field f, JsonNode node) {
    DataType t = f.type();
    String name = f.name();
    if (t == DataTypes.StringType) {
      if (!node.isTextual()) {
        throw new IllegalArgumentException("field '" + name + "' must be a string, got " + kind(node));
      }
      String s = node.asText();
      if (s.indexOf('\u0000') >= 0) {
        throw new IllegalArgumentException("field '" + name + "' contains a NUL character");
      }
      return s;
    }
    if (t == DataTypes.IntegerType) {
      if (!node.isIntegralNumber() || !node.canConvertToInt()) {
        throw new IllegalArgumentException("field '" + name + "' must be a 32-bit integer, got " + kind(node));
      }
      return node.intValue();
    }
    if (t == DataTypes.DoubleType) {
      if (!node.isNumber()) {
        throw new IllegalArgumentException("field '" + name + "' must be a number, got " + kind(node));
      }
      return node.doubleValue();
    }
    if (t == DataTypes.BooleanType) {
      if (!node.isBoolean()) {
        throw new IllegalArgumentException("field '" + name + "' must be true or false, got " + kind(node));
      }
      return node.booleanValue();
    }
    if (t == DataTypes.TimestampType) {
      if (!node.isTextual()) {
        throw new IllegalArgumentException("field '" + name + "' must be an ISO-8601 string, got " + kind(node));
      }
      return Timestamp.from(parseInstant(name, node.asText()));
    }
    throw new IllegalStateException("no conversion for " + t);
  }

  /** ISO-8601 with an explicit offset or Z; a local time without offset is ambiguous, so rejected. */
  static Instant parseInstant(String field, String text) {
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("field '" + field + "' is not ISO-8601 with an offset or Z");
    }
  }

  private String checkRules(Object[] v) {
    Instant ts = ((Timestamp) v[1]).toInstant();
    if (ts.isBefore(earliest) || !ts.isBefore(latest)) {
      return "ts " + ts + " is outside the accepted window [" + earliest + ", " + latest + ")";
    }
    for (int i : new int[] {0, 2, 3, 4}) {
      if (v[i] != null && ((String) v[i]).length() > limits.maxIdChars()) {
        return "field '" + EventSchema.FIELDS.get(i).name() + "' is longer than " + limits.maxIdChars() + " characters";
      }
    }
    String prompt = (String) v[11];
    if (prompt.length() > limits.maxPromptChars()) {
      return "field 'prompt' is longer than " + limits.maxPromptChars() + " characters";
    }
    if (v[5] != null && !IpAddresses.isValid((String) v[5])) {
      return "field 'ip' is not an IPv4 or IPv6 address";
    }
    if (v[7] != null && !((String) v[7]).matches("[A-Z]{2}")) {
      return "field 'country' is not an ISO-3166 alpha-2 code";
    }
    for (int i : new int[] {6, 14, 15, 17, 20, 21}) {
      if (v[i] != null && (Integer) v[i] < 0) {
        return "field '" + EventSchema.FIELDS.get(i).name() + "' is negative";
      }
    }
    if (v[18] != null && (Integer) v[18] < 1) {
      return "field 'n' must be at least 1";
    }
    if (v[16] != null) {
      double temp = (Double) v[16];
      if (!(temp >= 0 && temp <= 10)) {
        return "field 'temperature' is outside [0, 10]";
      }
    }
    if (v[22] != null && ((Integer) v[22] < 100 || (Integer) v[22] > 599)) {
      return "field 'status' is not an HTTP status code";
    }
    return null;
  }

  /** Digest of the contract fields, so that two deliveries of one event_id can be compared. */
  private String contentHash(Object[] v, int n) {
    sha256.reset();
    StringBuilder sb = new StringBuilder(256);
    for (int i = 0; i < n; i++) {
      Object o = v[i];
      sb.setLength(0);
      sb.append(i).append('=');
      if (o instanceof Timestamp t) {
        sb.append(t.toInstant());
      } else {
        sb.append(o);
      }
      sb.append('\u0001');
      sha256.update(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(sha256.digest(), 0, 16);
  }

  private static String kind(JsonNode node) {
    JsonNodeType t = node.getNodeType();
    return t.name().toLowerCase();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    String first = nl >= 0 ? s.substring(0, nl) : s;
    return first.length() > 160 ? first.substring(0, 160) + "..." : first;
  }
}
