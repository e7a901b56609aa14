package io.distillwatch.jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The OASIS STIX 2.1 JSON schemas of {@code ../shared/data/stix2/schemas}, offline: their {@code $id}
 * URLs are mapped to that folder, so nothing is fetched. Validates a bundle against
 * {@code common/bundle.json} and each object against the schema of its type.
 */
public final class StixSchemas {
  private static final String ID_PREFIX = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/";
  private static final Map<String, String> FOLDER_OF = Map.of("relationship", "sros", "sighting", "sros",
      "marking-definition", "common", "language-content", "common", "extension-definition", "common");

  private final Path dir;
  private final SchemaRegistry registry;
  private final Map<String, Schema> byType = new HashMap<>();

  public StixSchemas() {
    dir = Path.of(System.getProperty("dw.shared.data", "../../shared/data")).resolve("stix2/schemas").toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("no STIX schemas at " + dir);
    }
    // the schemas by their $id, read from the folder: nothing is fetched
    registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, b -> b.schemas(iri -> {
      if (!iri.startsWith(ID_PREFIX)) {
        return null;
      }
      try {
        return Files.readString(dir.resolve(iri.substring(ID_PREFIX.length())));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }));
  }

  /** Every violation, as "where: what" lines; empty when the bundle and each of its objects are valid. */
  public List<String> violations(JsonNode bundle) {
    List<String> out = new ArrayList<>();
    for (Error e : schema("bundle", "common").validate(bundle)) {
      out.add("bundle " + e.getInstanceLocation() + ": " + e.getMessage());
    }
    int i = 0;
    for (JsonNode o : bundle.path("objects")) {
      String type = o.path("type").asText();
      String folder = FOLDER_OF.getOrDefault(type, Files.exists(dir.resolve("sdos/" + type + ".json")) ? "sdos" : "observables");
      if (!Files.exists(dir.resolve(folder + "/" + type + ".json"))) {
        out.add("object " + i + ": no schema for type " + type);
      } else {
        for (Error e : schema(type, folder).validate(o)) {
          out.add("object " + i + " (" + type + ") " + e.getInstanceLocation() + ": " + e.getMessage());
        }
      }
      i++;
    }
    return out;
  }

  private synchronized Schema schema(String type, String folder) {
    return byType.computeIfAbsent(type, t -> registry.getSchema(SchemaLocation.of(ID_PREFIX + folder + "/" + t + ".json")));
  }
}
