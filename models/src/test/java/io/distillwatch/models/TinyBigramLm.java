package io.distillwatch.models;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny causal language model the tests build, because no pre-trained causal LM is reachable
 * here (no model hub; Maven Central ships none): a word bigram model written as a real ONNX file
 * (one {@code Gather} of a [V, V] table of next-word log-probabilities by {@code input_ids}, so
 * the logits have the usual [batch, tokens, V] shape) and a HuggingFace WordLevel
 * {@code tokenizer.json}. {@link CausalLm} loads it through DJL and ONNX Runtime like any other.
 * The ONNX protobuf is encoded by hand (field numbers of onnx.proto), there being no ONNX writer
 * among our dependencies.
 */
public final class TinyBigramLm {
  private final List<String> vocabulary; // index 0 is [UNK]
  private final double[][] logProb;      // logProb[previous][next]

  public TinyBigramLm(List<String> vocabulary, double[][] logProb) {
    this.vocabulary = vocabulary;
    this.logProb = logProb;
  }

  /** Trains on texts with add-k smoothing; the vocabulary's first entry must be "[UNK]". */
  public static TinyBigramLm train(List<String> vocabulary, List<String> texts, double k) {
    int v = vocabulary.size();
    java.util.Map<String, Integer> id = new java.util.HashMap<>();
    for (int i = 0; i < v; i++) {
      id.put(vocabulary.get(i), i);
    }
    double[][] counts = new double[v][v];
    for (String t : texts) {
      int prev = 0;
      for (String w : t.split("\\s+")) {
        if (w.isEmpty()) {
          continue;
        }
        int cur = id.getOrDefault(w, 0);
        counts[prev][cur]++;
        prev = cur;
      }
    }
    double[][] lp = new double[v][v];
    for (int a = 0; a < v; a++) {
      double total = 0;
      for (int b = 0; b < v; b++) {
        total += counts[a][b] + k;
      }
      for (int b = 0; b < v; b++) {
        lp[a][b] = Math.log((counts[a][b] + k) / total);
      }
    }
    return new TinyBigramLm(vocabulary, lp);
  }

  /** The model's own mean log-probability per answer token, computed in plain Java (the reference for CausalLm). */
  public double meanLogProb(String prompt, String answer) {
    java.util.Map<String, Integer> id = new java.util.HashMap<>();
    for (int i = 0; i < vocabulary.size(); i++) {
      id.put(vocabulary.get(i), i);
    }
    List<String> p = words(prompt);
    List<String> a = words(answer);
    int prev = p.isEmpty() ? -1 : id.getOrDefault(p.get(p.size() - 1), 0);
    double sum = 0;
    int n = 0;
    for (String w : a) {
      int cur = id.getOrDefault(w, 0);
      if (prev >= 0) {
        sum += logProb[prev][cur];
        n++;
      }
      prev = cur;
    }
    return sum / n;
  }

  private static List<String> words(String s) {
    return java.util.Arrays.stream(s.trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
  }

  /** Writes model.onnx and tokenizer.json into dir (created). */
  public Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve("model.onnx"), onnx());
    StringBuilder vocab = new StringBuilder();
    for (int i = 0; i < vocabulary.size(); i++) {
      vocab.append(i == 0 ? "" : ",").append('"').append(vocabulary.get(i)).append("\":").append(i);
    }
    Files.writeString(dir.resolve("tokenizer.json"), "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,"
        + "\"added_tokens\":[],\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Whitespace\"},\"post_processor\":null,"
        + "\"decoder\":null,\"model\":{\"type\":\"WordLevel\",\"vocab\":{" + vocab + "},\"unk_token\":\"[UNK]\"}}",
        StandardCharsets.UTF_8);
    return dir;
  }

  private byte[] onnx() {
    int v = vocabulary.size();
    ByteBuffer table = ByteBuffer.allocate(4 * v * v).order(ByteOrder.LITTLE_ENDIAN);
    for (double[] row : logProb) {
      for (double x : row) {
        table.putFloat((float) x);
      }
    }
    Proto weights = new Proto().ints(1, v).ints(1, v).varint(2, 1 /* FLOAT */).string(8, "bigram").bytes(9, table.array());
    Proto gather = new Proto().string(1, "bigram").string(1, "input_ids").string(2, "logits").string(3, "next_word")
        .string(4, "Gather").message(5, new Proto().string(1, "axis").varint(3, 0).varint(20, 2 /* INT */));
    Proto graph = new Proto().message(1, gather).string(2, "tiny_bigram").message(5, weights)
        .message(11, valueInfo("input_ids", 7 /* INT64 */, "batch", "tokens", null))
        .message(12, valueInfo("logits", 1, "batch", "tokens", (long) v));
    return new Proto().varint(1, 7 /* IR version */).string(2, "distillwatch-tests").message(7, graph)
        .message(8, new Proto().string(1, "").varint(2, 13)).toBytes();
  }

  private static Proto valueInfo(String name, int elemType, String d0, String d1, Long d2) {
    Proto shape = new Proto().message(1, new Proto().string(2, d0)).message(1, new Proto().string(2, d1));
    if (d2 != null) {
      shape.message(1, new Proto().varint(1, d2));
    }
    Proto tensor = new Proto().varint(1, elemType).message(2, shape);
    return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
  }

  /** Just enough of the protobuf wire format: varints and length-delimited fields. */
  private static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long value) {
      writeVarint((long) field << 3);
      writeVarint(value);
      return this;
    }

    Proto ints(int field, long value) {
      return varint(field, value);
    }

    Proto bytes(int field, byte[] value) {
      writeVarint(((long) field << 3) | 2);
      writeVarint(value.length);
      out.writeBytes(value);
      return this;
    }

    Proto string(int field, String value) {
      return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto value) {
      return bytes(field, value.toBytes());
    }

    byte[] toBytes() {
      return out.toByteArray();
    }

    private void writeVarint(long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) ((v & 0x7F) | 0x80));
        v >>>= 7;
      }
      out.write((int) v);
    }
  }
}
