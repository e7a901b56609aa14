package io.distillwatch.features.validate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;

/**
 * Checks one line of an account-registry snapshot (DESIGN.md) and returns the typed values of
 * {@link #SCHEMA}, or a one-line reason. Pure; make one per partition.
 */
public final class AccountValidator {
  public static final StructType SCHEMA = new StructType()
      .add("account_id", DataTypes.StringType, false)
      .add("org_id", DataTypes.StringType)
      .add("created_at", DataTypes.TimestampType)
      .add("email_domain", DataTypes.StringType)
      .add("payment_fingerprint", DataTypes.StringType)
      .add("signup_ip", DataTypes.StringType)
      .add("country", DataTypes.StringType)
      .add("tier", DataTypes.StringType)
      .add("verified", DataTypes.BooleanType)
      .add("program", DataTypes.StringType);

  private static final ObjectMapper MAPPER = new ObjectMapper();

  public EventValidator.Result validate(String line) {
    JsonNode root;
    try {
      root = MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      String m = String.valueOf(e.getOriginalMessage());
      int nl = m.indexOf('\n');
      return new EventValidator.Result(null, "broken JSON: " + (nl >= 0 ? m.substring(0, nl) : m), null);
    }
    if (root == null || !root.isObject()) {
      return new EventValidator.Result(null, "not a JSON object", null);
    }
    Object[] out = new Object[SCHEMA.size()];
    String id = null;
    for (int i = 0; i < SCHEMA.size(); i++) {
      String name = SCHEMA.fields()[i].name();
      JsonNode node = root.get(name);
      if (node == null || node.isNull()) {
        if (i == 0) {
          return new EventValidator.Result(null, "missing required field 'account_id'", null);
        }
        continue;
      }
      if (name.equals("verified")) {
        if (!node.isBoolean()) {
          return new EventValidator.Result(null, "field 'verified' must be true or false", id);
        }
        out[i] = node.booleanValue();
      } else if (!node.isTextual()) {
        return new EventValidator.Result(null, "field '" + name + "' must be a string", id);
      } else if (name.equals("created_at")) {
        try {
          out[i] = Timestamp.from(EventValidator.parseInstant(name, node.asText()));
        } catch (IllegalArgumentException e) {
          return new EventValidator.Result(null, e.getMessage(), id);
        }
      } else {
        out[i] = node.asText();
      }
      if (i == 0) {
        id = (String) out[0];
        if (id.isBlank() || id.length() > 256) {
          return new EventValidator.Result(null, "field 'account_id' is empty or longer than 256 characters", null);
        }
      }
    }
    if (out[5] != null && !IpAddresses.isValid((String) out[5])) {
      return new EventValidator.Result(null, "field 'signup_ip' is not an IPv4 or IPv6 address", id);
    }
    return new EventValidator.Result(out, null, id);
  }
}
