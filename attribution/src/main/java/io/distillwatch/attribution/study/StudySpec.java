package io.distillwatch.attribution.study;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code <study>/study.json}: {@code {"name": "...", "provider": "claude-2", "suspects": [...],
 * "references": [...], "alpha": 0.001}}. A model may be both a suspect and a reference: it is
 * then a reference for the other suspects and never its own.
 *
 * <p>Optional {@code "families": {"claude-2": "anthropic", "alpaca-7b": ["openai", "meta"]}}: models
 * known to be related, each with one family or a list (whose answers it learned from, whose base
 * model it tunes, who made it). Two models are related when they share a family. The panel test
 * estimates the spread of unrelated pairs, so it leaves related pairs out of that estimate
 * ({@link PanelCalibration}); a model not named is related to no other.
 */
public record StudySpec(String name, String provider, List<String> suspects, List<String> references, double alpha,
                        Watermark watermark, LanguageModels languageModels, Map<String, List<String>> families) {
  public static final double DEFAULT_ALPHA = 1e-3;
  /** Names become file names (outputs/<model>.json) and table keys: no paths, no quotes. */
  private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

  /**
   * The provider's watermark, when it watermarks its outputs: the name of the environment variable
   * that holds the key (the key itself never sits in a study file) and the green-list share gamma.
   */
  public record Watermark(String keyEnv, double gamma) {}

  /**
   * Causal language models for the likelihood-ratio method: the provider's model and a reference
   * model (e.g. an open base model), each a folder with model.onnx and tokenizer.json.
   */
  public record LanguageModels(Path provider, Path reference) {}

  public StudySpec(String name, String provider, List<String> suspects, List<String> references, double alpha) {
    this(name, provider, suspects, references, alpha, null, null, Map.of());
  }

  public StudySpec(String name, String provider, List<String> suspects, List<String> references, double alpha,
                   Watermark watermark) {
    this(name, provider, suspects, references, alpha, watermark, null, Map.of());
  }

  /** The same study with families declared (model name to its families). */
  public StudySpec withFamilies(Map<String, List<String>> f) {
    return new StudySpec(name, provider, suspects, references, alpha, watermark, languageModels, f);
  }

  /** Two different models that share a declared family. */
  public boolean related(String a, String b) {
    if (a.equals(b)) {
      return false;
    }
    List<String> fa = families.getOrDefault(a, List.of());
    return families.getOrDefault(b, List.of()).stream().anyMatch(fa::contains);
  }

  public StudySpec {
    checkName("study name", name);
    checkName("provider", provider);
    suspects.forEach(s -> checkName("suspect", s));
    references.forEach(r -> checkName("reference", r));
    if (suspects.isEmpty()) {
      throw new StudyException("study '" + name + "' names no suspects");
    }
    if (suspects.contains(provider) || references.contains(provider)) {
      throw new StudyException("study '" + name + "': the provider " + provider + " cannot be a suspect or reference");
    }
    if (!(alpha > 0 && alpha < 1)) {
      throw new StudyException("study '" + name + "': alpha must be in (0, 1), got " + alpha);
    }
    for (String s : suspects) {
      if (references.stream().noneMatch(r -> !r.equals(s))) {
        throw new StudyException("study '" + name + "': suspect " + s + " has no reference to be compared with");
      }
    }
    suspects = List.copyOf(suspects);
    references = List.copyOf(references);
    families = families == null ? Map.of() : Map.copyOf(families);
    for (Map.Entry<String, List<String>> f : families.entrySet()) {
      checkName("family member", f.getKey());
      if (f.getValue() == null || f.getValue().isEmpty() || f.getValue().stream().anyMatch(x -> x == null || x.isBlank())) {
        throw new StudyException("study '" + name + "': the families of " + f.getKey() + " are empty or blank");
      }
    }
  }

  private static void checkName(String what, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new StudyException("study: " + what + " '" + value + "' must be letters, digits, '.', '_', '+' or '-' "
          + "(at most 128, no path separators)");
    }
  }

  /** The models a suspect is compared with besides the provider: the references other than itself. */
  public List<String> referencesFor(String suspect) {
    return references.stream().filter(r -> !r.equals(suspect)).toList();
  }

  public Set<String> models() {
    Set<String> all = new LinkedHashSet<>();
    all.add(provider);
    all.addAll(suspects);
    all.addAll(references);
    return all;
  }

  public static StudySpec read(Path studyDir) {
    Path file = studyDir.resolve("study.json");
    if (!Files.isRegularFile(file)) {
      throw new StudyException("no study file " + file);
    }
    try {
      JsonNode o = new ObjectMapper().readTree(file.toFile());
      String provider = text(o, "provider", file);
      List<String> suspects = list(o, "suspects", file);
      List<String> references = list(o, "references", file);
      double alpha = o.has("alpha") ? o.get("alpha").asDouble() : DEFAULT_ALPHA;
      String name = o.hasNonNull("name") ? o.get("name").asText() : studyDir.getFileName().toString();
      Watermark watermark = null;
      if (o.hasNonNull("watermark")) {
        JsonNode w = o.get("watermark");
        if (!w.path("key_env").isTextual() || !w.get("key_env").asText().matches("[A-Za-z_][A-Za-z0-9_]*")) {
          throw new StudyException(file + ": 'watermark' needs 'key_env', the name of the environment variable holding "
              + "the key (the key itself is never written in a study file)");
        }
        double gamma = w.path("gamma").asDouble(0.25);
        if (!(gamma > 0 && gamma < 1)) {
          throw new StudyException(file + ": watermark 'gamma' must be in (0, 1), got " + gamma);
        }
        watermark = new Watermark(w.get("key_env").asText(), gamma);
      }
      LanguageModels lms = null;
      if (o.hasNonNull("language_models")) {
        JsonNode l = o.get("language_models");
        lms = new LanguageModels(modelFolder(studyDir, l, "provider", file), modelFolder(studyDir, l, "reference", file));
      }
      Map<String, List<String>> families = new java.util.LinkedHashMap<>();
      if (o.hasNonNull("families")) {
        if (!o.get("families").isObject()) {
          throw new StudyException(file + ": 'families' must map model names to a family or a list of families, "
              + "e.g. {\"claude-2\": \"anthropic\", \"alpaca-7b\": [\"openai\", \"meta\"]}");
        }
        for (var it = o.get("families").fields(); it.hasNext(); ) {
          var e = it.next();
          List<String> labels = new ArrayList<>();
          if (e.getValue().isTextual()) {
            labels.add(e.getValue().asText());
          } else if (e.getValue().isArray()) {
            e.getValue().forEach(x -> labels.add(x.isTextual() ? x.asText() : ""));
          }
          if (labels.isEmpty() || labels.stream().anyMatch(String::isBlank)) {
            throw new StudyException(file + ": 'families' must map model names to a family or a list of families; "
                + e.getKey() + " has none");
          }
          families.put(e.getKey(), List.copyOf(labels));
        }
      }
      return new StudySpec(name, provider, suspects, references, alpha, watermark, lms, families);
    } catch (IOException e) {
      throw new StudyException("cannot read " + file + ": " + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }

  /** A language model folder, relative to the study folder unless absolute; it must hold model.onnx and tokenizer.json. */
  private static Path modelFolder(Path studyDir, JsonNode l, String field, Path file) {
    if (!l.path(field).isTextual() || l.get(field).asText().isBlank()) {
      throw new StudyException(file + ": 'language_models' needs '" + field + "', a folder with model.onnx and tokenizer.json");
    }
    Path dir = studyDir.resolve(l.get(field).asText()).normalize();
    for (String f : List.of("model.onnx", "tokenizer.json")) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        throw new StudyException(file + ": language model '" + field + "' (" + dir + ") has no " + f);
      }
    }
    return dir;
  }

  private static String text(JsonNode o, String field, Path file) {
    if (!o.path(field).isTextual() || o.get(field).asText().isBlank()) {
      throw new StudyException(file + ": '" + field + "' must name a model");
    }
    return o.get(field).asText();
  }

  private static List<String> list(JsonNode o, String field, Path file) {
    if (!o.path(field).isArray()) {
      throw new StudyException(file + ": '" + field + "' must be a list of model names");
    }
    List<String> names = new ArrayList<>();
    for (JsonNode n : o.get(field)) {
      if (!n.isTextual() || n.asText().isBlank()) {
        throw new StudyException(file + ": '" + field + "' must be a list of model names");
      }
      names.add(n.asText());
    }
    return names;
  }
}
