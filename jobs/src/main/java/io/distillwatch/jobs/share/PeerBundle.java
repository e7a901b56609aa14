package io.distillwatch.jobs.share;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.distillwatch.jobs.failures.InvalidInputException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A peer's STIX 2.1 bundle as the matcher reads it (pure): its campaigns, the indicators we can
 * evaluate with the campaigns they indicate, and counts of the rest. Unknown object types are kept
 * and ignored; what breaks the STIX rules a matcher relies on (ids, types, an indicator's pattern)
 * is a one-line error naming the object.
 */
public record PeerBundle(String id, Map<String, String> campaignNames, List<Term> terms, Map<String, long[]> signatures,
                         int indicators, int indicatorsNotEvaluated, Map<String, Integer> otherObjects) {

  /** One evaluable term of an indicator, for one campaign it indicates (or the indicator itself if none). */
  public record Term(String indicatorId, String peerCampaign, String kind, String value) {}

  private static final Pattern UUID_ID = Pattern.compile(
      "^([a-z][a-z0-9-]*[a-z0-9])--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$");

  public static PeerBundle parse(String source, String text) {
    JsonNode root;
    try {
      root = Stix.JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException("bundle " + source + " is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject() || !"bundle".equals(root.path("type").asText(null))) {
      throw new InvalidInputException("bundle " + source + " is not a STIX bundle (no \"type\": \"bundle\" at the top)");
    }
    String id = root.path("id").asText("");
    if (!UUID_ID.matcher(id).matches() || !id.startsWith("bundle--")) {
      throw new InvalidInputException("bundle " + source + " has no valid id (bundle--<uuid>): '" + id + "'");
    }
    JsonNode objects = root.path("objects");
    if (!objects.isMissingNode() && !objects.isArray()) {
      throw new InvalidInputException("bundle " + source + ": \"objects\" is not an array");
    }
    Map<String, String> campaigns = new TreeMap<>();
    Map<String, JsonNode> indicators = new LinkedHashMap<>();
    Map<String, List<String>> indicates = new TreeMap<>();
    Map<String, Integer> others = new TreeMap<>();
    int i = 0;
    for (JsonNode o : objects.isArray() ? objects : Stix.JSON.createArrayNode()) {
      String where = "bundle " + source + ": object " + i++;
      if (!o.isObject()) {
        throw new InvalidInputException(where + " is not an object");
      }
      String type = o.path("type").asText("");
      String oid = o.path("id").asText("");
      var m = UUID_ID.matcher(oid);
      if (!m.matches() || !m.group(1).equals(type)) {
        throw new InvalidInputException(where + " (type '" + type + "') has no valid id of its type: '" + oid + "'");
      }
      switch (type) {
        case "campaign" -> campaigns.put(oid, o.path("name").asText(oid));
        case "indicator" -> {
          for (String field : List.of("pattern", "pattern_type", "valid_from")) {
            if (!o.path(field).isTextual()) {
              throw new InvalidInputException(where + " (" + oid + ") has no " + field + ", which STIX requires of an indicator");
            }
          }
          indicators.put(oid, o);
        }
        case "relationship" -> {
          String source0 = o.path("source_ref").asText("");
          String target = o.path("target_ref").asText("");
          if (!UUID_ID.matcher(source0).matches() || !UUID_ID.matcher(target).matches()
              || !o.path("relationship_type").isTextual()) {
            throw new InvalidInputException(where + " (" + oid + ") needs relationship_type, source_ref and target_ref");
          }
          if (o.path("relationship_type").asText().equals("indicates") && target.startsWith("campaign--")) {
            indicates.computeIfAbsent(source0, k -> new ArrayList<>()).add(target);
          }
        }
        default -> others.merge(type, 1, Integer::sum);
      }
    }
    List<Term> terms = new ArrayList<>();
    Map<String, long[]> signatures = new TreeMap<>();
    int notEvaluated = 0;
    for (Map.Entry<String, JsonNode> e : indicators.entrySet()) {
      JsonNode o = e.getValue();
      Optional<List<Indicators.Term>> parsed = o.path("pattern_type").asText().equals("stix")
          ? Indicators.parse(o.path("pattern").asText()) : Optional.empty();
      if (parsed.isEmpty()) {
        notEvaluated++;
        continue;
      }
      Indicators.parseSignature(o.path("x_distillwatch_minhash").asText(null)).ifPresent(sig -> signatures.put(e.getKey(), sig));
      List<String> targets = indicates.getOrDefault(e.getKey(), List.of(e.getKey()));
      for (String campaign : targets) {
        for (Indicators.Term t : parsed.get()) {
          terms.add(new Term(e.getKey(), campaign, t.kind(), t.value()));
        }
      }
    }
    return new PeerBundle(id, campaigns, terms, signatures, indicators.size(), notEvaluated, others);
  }
}
