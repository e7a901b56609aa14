package io.distillwatch.jobs.share;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillwatch.jobs.testing.StixSchemas;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The offline schema check itself: the OASIS example passes, and a broken copy of it does not. */
class StixSchemasTest {
  @Test
  void theOasisExamplePassesAndABrokenCopyFails() throws Exception {
    Path example = Path.of(System.getProperty("dw.shared.data", "../../shared/data"))
        .resolve("stix2/examples/indicator-to-campaign-relationship.json");
    JsonNode bundle = Stix.JSON.readTree(Files.readString(example));
    StixSchemas schemas = new StixSchemas();
    assertThat(schemas.violations(bundle)).isEmpty();
    ObjectNode indicator = (ObjectNode) bundle.path("objects").get(1);
    indicator.remove("pattern");
    indicator.put("created", "yesterday");
    assertThat(schemas.violations(bundle)).isNotEmpty().anySatisfy(v -> assertThat(v).contains("object 1"));
  }
}
