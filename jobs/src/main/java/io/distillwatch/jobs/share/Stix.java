package io.distillwatch.jobs.share;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * STIX 2.1 objects as JSON trees (pure). Identifiers are UUIDv5 under the STIX namespace of a name
 * we choose, so the same lake and night give the same bundle byte for byte; timestamps are the
 * night's, for the same reason.
 */
public final class Stix {
  private Stix() {}

  static final ObjectMapper JSON = new ObjectMapper();
  /** The namespace STIX 2.1 (section 2.9) gives for deterministic identifiers of cyber-observables. */
  private static final UUID STIX_NAMESPACE = UUID.fromString("00abedb4-aa42-466c-9c01-fed23315a9b7");
  static final String SPEC = "2.1";

  /**
   * The four TLP 1.0 marking definitions STIX 2.1 predefines (section 7.2.1.4), with their fixed ids:
   * a peer's tools recognise them by id.
   */
  public static final Map<String, String> TLP_IDS = Map.of(
      "white", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
      "green", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
      "amber", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
      "red", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed");

  /** {@code type--uuid}, UUIDv5 of {@code name} under the STIX namespace. */
  public static String id(String type, String name) {
    return type + "--" + uuid5(name);
  }

  static UUID uuid5(String name) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(ByteBuffer.allocate(16).putLong(STIX_NAMESPACE.getMostSignificantBits())
          .putLong(STIX_NAMESPACE.getLeastSignificantBits()).array());
      byte[] h = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
      h[6] = (byte) ((h[6] & 0x0f) | 0x50); // version 5
      h[8] = (byte) ((h[8] & 0x3f) | 0x80); // IETF variant
      ByteBuffer b = ByteBuffer.wrap(h, 0, 16);
      return new UUID(b.getLong(), b.getLong());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every Java 17 runtime", e);
    }
  }

  /** Midnight UTC of a day, as STIX writes timestamps (milliseconds, Z). */
  public static String time(LocalDate day) {
    return day.atStartOfDay().atOffset(ZoneOffset.UTC)
        .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT));
  }

  /** The end of a night (23:59:59.999 UTC): when an export of that night's campaigns is made. */
  public static String endOf(LocalDate day) {
    return day.atTime(23, 59, 59, 999_000_000).atOffset(ZoneOffset.UTC)
        .format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT));
  }

  /** The properties every object of ours has: type, spec_version, id, created, modified, creator, marking. */
  static ObjectNode object(String type, String id, String created, String creatorId, String markingId) {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", type);
    o.put("spec_version", SPEC);
    o.put("id", id);
    o.put("created", created);
    o.put("modified", created);
    if (creatorId != null) {
      o.put("created_by_ref", creatorId);
    }
    if (markingId != null) {
      o.putArray("object_marking_refs").add(markingId);
    }
    return o;
  }

  /** The predefined TLP marking definition of {@code level} (white, green, amber, red). */
  static ObjectNode tlp(String level) {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", "marking-definition");
    o.put("spec_version", SPEC);
    o.put("id", TLP_IDS.get(level));
    o.put("created", "2017-01-20T00:00:00.000Z");
    o.put("definition_type", "tlp");
    o.put("name", "TLP:" + level.toUpperCase(Locale.ROOT));
    o.putObject("definition").put("tlp", level);
    return o;
  }

  static ObjectNode identity(String labName, String created, String markingId) {
    ObjectNode o = object("identity", id("identity", "distillwatch-lab:" + labName), created, null, markingId);
    o.put("name", labName);
    o.put("identity_class", "organization");
    return o;
  }

  static ObjectNode relationship(String type, String sourceId, String targetId, String created, String creatorId,
                                 String markingId) {
    ObjectNode o = object("relationship", id("relationship", type + ":" + sourceId + ">" + targetId), created, creatorId,
        markingId);
    o.put("relationship_type", type);
    o.put("source_ref", sourceId);
    o.put("target_ref", targetId);
    return o;
  }

  static ObjectNode bundle(String id, ArrayNode objects) {
    ObjectNode b = JSON.createObjectNode();
    b.put("type", "bundle");
    b.put("id", id);
    b.set("objects", objects);
    return b;
  }
}
