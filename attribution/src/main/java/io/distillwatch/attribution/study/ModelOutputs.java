package io.distillwatch.attribution.study;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One model's outputs to a set of prompts, keyed by prompt. Two file formats are read as they
 * are: an AlpacaEval {@code model_outputs.json} (a JSON array of objects with {@code instruction},
 * {@code output}, {@code generator}) and JSONL with {@code prompt_id}, {@code prompt}, {@code output},
 * {@code model} (the key is {@code prompt_id} when present, else the prompt text).
 */
public record ModelOutputs(String model, Map<String, String> byPrompt, Map<String, String> promptTexts) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Outputs keyed by the prompt text itself. */
  public ModelOutputs(String model, Map<String, String> byPrompt) {
    this(model, byPrompt, Map.of());
  }

  /** The text of a prompt: the key itself unless the file gave an id and the text beside it. */
  public String promptText(String key) {
    return promptTexts.getOrDefault(key, key);
  }

  /** Reads {@code <dir>/<model>.json} or {@code <dir>/<model>.jsonl}. */
  public static ModelOutputs read(Path dir, String model) {
    Path json = dir.resolve(model + ".json");
    Path jsonl = dir.resolve(model + ".jsonl");
    if (Files.isRegularFile(json)) {
      return read(model, json);
    }
    if (Files.isRegularFile(jsonl)) {
      return read(model, jsonl);
    }
    throw new StudyException("no outputs for model '" + model + "': expected " + json + " or " + jsonl);
  }

  static ModelOutputs read(String model, Path file) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, String> texts = new LinkedHashMap<>();
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      if (text.stripLeading().startsWith("[")) {
        JsonNode array = JSON.readTree(text);
        int i = 0;
        for (JsonNode o : array) {
          i++;
          put(out, file, "element " + i, o.path("instruction"), o.path("output"));
        }
      } else {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
          if (lines.get(i).isBlank()) {
            continue;
          }
          JsonNode o = JSON.readTree(lines.get(i));
          JsonNode key = o.hasNonNull("prompt_id") ? o.get("prompt_id") : o.path("prompt");
          put(out, file, "line " + (i + 1), key, o.path("output"));
          if (o.hasNonNull("prompt_id") && o.path("prompt").isTextual()) {
            texts.put(key.asText(), o.get("prompt").asText());
          }
        }
      }
    } catch (IOException e) {
      throw new StudyException("cannot read " + file + ": " + e.getMessage().lines().findFirst().orElse(""), e);
    }
    if (out.isEmpty()) {
      throw new StudyException(file + " holds no outputs");
    }
    return new ModelOutputs(model, out, texts);
  }

  private static void put(Map<String, String> out, Path file, String where, JsonNode key, JsonNode output) {
    if (!key.isValueNode() || key.asText().isBlank()) {
      throw new StudyException(file + ", " + where + ": no prompt (instruction, prompt_id or prompt)");
    }
    if (!output.isTextual()) {
      throw new StudyException(file + ", " + where + ": no text 'output'");
    }
    if (out.putIfAbsent(key.asText(), output.asText()) != null) {
      throw new StudyException(file + ", " + where + ": prompt repeated (each prompt once per model)");
    }
  }
}
