package io.distillwatch.attribution.study;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudySpecTest {
  @Test
  void familiesAreReadAndAModelNotNamedIsItsOwn(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("study.json"), "{\"provider\":\"p\",\"suspects\":[\"s\"],\"references\":[\"a\",\"b\",\"c\"],"
        + "\"families\":{\"a\":\"acme\",\"b\":[\"acme\",\"base-x\"],\"c\":[\"base-x\"]}}");
    StudySpec spec = StudySpec.read(dir);
    assertThat(spec.related("a", "b")).isTrue();
    assertThat(spec.related("b", "c")).as("one shared family of several").isTrue();
    assertThat(spec.related("a", "c")).as("not transitive").isFalse();
    assertThat(spec.related("s", "a")).as("a model not named").isFalse();
    assertThat(spec.related("a", "a")).isFalse();
    // no "families": every model its own family, as before the field existed
    Files.writeString(dir.resolve("study.json"), "{\"provider\":\"p\",\"suspects\":[\"s\"],\"references\":[\"a\",\"b\",\"c\"]}");
    StudySpec plain = StudySpec.read(dir);
    assertThat(plain.families()).isEmpty();
    assertThat(plain.related("a", "b")).isFalse();
  }

  @Test
  void aBadFamiliesFieldIsAOneLineError(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("study.json"), "{\"provider\":\"p\",\"suspects\":[\"s\"],\"references\":[\"a\"],"
        + "\"families\":[\"a\"]}");
    assertThatThrownBy(() -> StudySpec.read(dir)).isInstanceOf(StudyException.class)
        .hasMessageContaining("'families' must map model names to a family or a list of families");
    Files.writeString(dir.resolve("study.json"), "{\"provider\":\"p\",\"suspects\":[\"s\"],\"references\":[\"a\"],"
        + "\"families\":{\"a\":3}}");
    assertThatThrownBy(() -> StudySpec.read(dir)).isInstanceOf(StudyException.class).hasMessageContaining("a has none");
  }
}
