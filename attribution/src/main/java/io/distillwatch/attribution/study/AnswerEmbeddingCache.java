package io.distillwatch.attribution.study;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Embeddings of a study's answers kept with the study, so that a re-run (one more suspect, the
 * other length mode again, another seed) embeds only answers it has not seen. An
 * {@link AttributionStudy.Embedder} in front of the real one: texts are looked up by the SHA-256
 * of their UTF-8 bytes, the rest go to the model in one call, and {@link #save()} writes the
 * file back (to a temporary file, then moved into place, so a crash leaves the old file whole).
 * One file per embedding model, named by the model's fingerprint (name and hash of its files), so
 * another model never reads these vectors. Holds hashes and vectors only, no text.
 */
public final class AnswerEmbeddingCache implements AttributionStudy.Embedder {
  private final Path file;
  private final AttributionStudy.Embedder model;
  private final Map<String, float[]> vectors = new HashMap<>();
  private int computed;
  private int reused;

  private AnswerEmbeddingCache(Path file, AttributionStudy.Embedder model) {
    this.file = file;
    this.model = model;
  }

  /** The cache in {@code dir} for the model with this fingerprint; reads the file if there is one. */
  public static AnswerEmbeddingCache open(Path dir, String modelFingerprint, AttributionStudy.Embedder model) {
    String safe = modelFingerprint.replaceAll("[^A-Za-z0-9._@-]", "_");
    AnswerEmbeddingCache cache = new AnswerEmbeddingCache(dir.resolve("embeddings-" + safe + ".bin"), model);
    if (Files.isRegularFile(cache.file)) {
      cache.read();
    }
    return cache;
  }

  @Override
  public float[][] embed(List<String> texts) {
    float[][] out = new float[texts.size()][];
    List<String> missing = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    String[] keys = new String[texts.size()];
    for (int i = 0; i < texts.size(); i++) {
      keys[i] = key(texts.get(i));
      out[i] = vectors.get(keys[i]);
      if (out[i] == null) {
        missing.add(texts.get(i));
        at.add(i);
      }
    }
    if (!missing.isEmpty()) {
      float[][] fresh = model.embed(missing);
      for (int j = 0; j < fresh.length; j++) {
        out[at.get(j)] = fresh[j];
        vectors.put(keys[at.get(j)], fresh[j]);
      }
    }
    computed += missing.size();
    reused += texts.size() - missing.size();
    return out;
  }

  /** Answers embedded by the model since the cache was opened. */
  public int computed() {
    return computed;
  }

  /** Answers found in the cache since it was opened. */
  public int reused() {
    return reused;
  }

  public Path file() {
    return file;
  }

  public void save() {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
        for (Map.Entry<String, float[]> e : vectors.entrySet()) {
          out.write(HexFormat.of().parseHex(e.getKey()));
          out.writeInt(e.getValue().length);
          for (float f : e.getValue()) {
            out.writeFloat(f);
          }
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the embedding cache " + file, e);
    }
  }

  private void read() {
    try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
      byte[] hash = new byte[32];
      while (true) {
        try {
          in.readFully(hash);
        } catch (EOFException end) {
          return;
        }
        int dim = in.readInt();
        if (dim <= 0 || dim > 1 << 16) {
          throw new IOException("a vector of " + dim + " dimensions");
        }
        float[] v = new float[dim];
        for (int k = 0; k < dim; k++) {
          v[k] = in.readFloat();
        }
        vectors.put(HexFormat.of().formatHex(hash), v);
      }
    } catch (IOException e) {
      // a damaged cache costs a re-embedding, never a wrong vector: start empty
      vectors.clear();
    }
  }

  static String key(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
