package io.distillwatch.models;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sentence embeddings with DJL's ONNX Runtime engine and a HuggingFace tokenizer, fully offline:
 * token ids in, the model's last hidden state out, mean-pooled over the real tokens and
 * L2-normalised (what all-MiniLM-L6-v2 was trained for).
 *
 * <p>One instance per model and device per JVM ({@link #shared}), so each Spark executor loads a
 * model once; {@code Predictor}s are not thread-safe, so each thread gets its own. Everything is
 * closed by a shutdown hook. Use {@link #embed} with batches of a few dozen texts.
 */
public final class SentenceEmbedder implements AutoCloseable {
  /** Tokens per text at most; the model was trained on 256-token inputs (128 is plenty for templates). */
  public static final int MAX_TOKENS = 128;

  private static final Map<String, SentenceEmbedder> SHARED = new ConcurrentHashMap<>();

  static {
    // never let DJL reach the network: native libraries come from the Maven jars
    System.setProperty("ai.djl.offline", "true");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> SHARED.values().forEach(SentenceEmbedder::close),
        "distillwatch-model-close"));
  }

  private final ModelSource source;
  private final Device device;
  private final ZooModel<NDList, NDList> model;
  private final HuggingFaceTokenizer tokenizer;
  private final List<Predictor<NDList, NDList>> predictors = new ArrayList<>();
  private final ThreadLocal<Predictor<NDList, NDList>> predictor;
  /**
   * Inference holds the read lock, closing the write lock: a shutdown (SIGTERM mid-embedding)
   * waits for running batches instead of freeing native memory under them (which crashed the JVM
   * in ONNX Runtime, seen 2026-11-23).
   */
  private final java.util.concurrent.locks.ReentrantReadWriteLock lock = new java.util.concurrent.locks.ReentrantReadWriteLock();
  private boolean closed;

  private SentenceEmbedder(ModelSource source, Device device) {
    this.source = source;
    this.device = device;
    try {
      this.tokenizer = HuggingFaceTokenizer.newInstance(source.directory().resolve("tokenizer.json"),
          Map.of("padding", "true", "truncation", "true", "maxLength", String.valueOf(MAX_TOKENS)));
      this.model = Criteria.builder()
          .setTypes(NDList.class, NDList.class)
          .optModelPath(source.directory())
          .optModelName("model")
          .optEngine("OnnxRuntime")
          .optDevice(device)
          .build()
          .loadModel();
    } catch (Exception e) {
      throw new IllegalStateException("cannot load model " + source.name() + " from " + source.directory() + ": " + e, e);
    }
    this.predictor = ThreadLocal.withInitial(() -> {
      Predictor<NDList, NDList> p = model.newPredictor();
      synchronized (predictors) {
        predictors.add(p);
      }
      return p;
    });
  }

  /** The JVM's embedder for this model on the best device here (GPU when ONNX Runtime sees one). */
  public static SentenceEmbedder shared(ModelSource source) {
    return shared(source, defaultDevice());
  }

  public static SentenceEmbedder shared(ModelSource source, Device device) {
    return SHARED.computeIfAbsent(source.directory() + "@" + device, k -> new SentenceEmbedder(source, device));
  }

  /** GPU 0 when the ONNX Runtime engine reports one, the CPU otherwise. */
  public static Device defaultDevice() {
    try {
      return Engine.getEngine("OnnxRuntime").getGpuCount() > 0 ? Device.gpu() : Device.cpu();
    } catch (RuntimeException e) {
      return Device.cpu();
    }
  }

  /** Parses {@code --device}: {@code auto}, {@code cpu}, {@code gpu} or {@code gpu:N}. */
  public static Device parseDevice(String spec) {
    return switch (spec) {
      case "auto" -> defaultDevice();
      case "cpu" -> Device.cpu();
      case "gpu" -> Device.gpu();
      default -> {
        if (spec.startsWith("gpu:")) {
          yield Device.gpu(Integer.parseInt(spec.substring(4)));
        }
        throw new IllegalArgumentException("device must be auto, cpu, gpu or gpu:N, not " + spec);
      }
    };
  }

  public ModelSource source() {
    return source;
  }

  public Device device() {
    return device;
  }

  /** Unit-length embeddings of {@code texts}, in order (an empty or null text embeds as the empty string). */
  public float[][] embed(List<String> texts) {
    if (texts.isEmpty()) {
      return new float[0][];
    }
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("model " + source.name() + " is closed (the JVM is shutting down)");
      }
      return embedLocked(texts);
    } finally {
      lock.readLock().unlock();
    }
  }

  private float[][] embedLocked(List<String> texts) {
    Inputs in = encode(tokenizer, texts);
    try (NDManager nd = model.getNDManager().newSubManager(device)) {
      ai.djl.ndarray.types.Shape shape = new ai.djl.ndarray.types.Shape(in.batch(), in.len());
      NDArray idArray = nd.create(in.ids(), shape);
      idArray.setName("input_ids");
      NDArray maskArray = nd.create(in.mask(), shape);
      maskArray.setName("attention_mask");
      NDArray typeArray = nd.create(in.types(), shape);
      typeArray.setName("token_type_ids");
      NDList out = predictor.get().predict(new NDList(idArray, maskArray, typeArray));
      NDArray hidden = out.get(0); // (batch, len, dim)
      // pooling in plain Java: the ONNX Runtime engine runs the model but has few NDArray operators
      return meanPool(hidden.toFloatArray(), in.mask(), in.batch(), in.len(), (int) hidden.getShape().get(2));
    } catch (ai.djl.translate.TranslateException e) {
      throw new IllegalStateException("embedding failed: " + e.getMessage(), e);
    }
  }

  /** A tokenised batch: ids, attention mask and token type ids, row-major (batch x len), padded to the longest. */
  public record Inputs(long[] ids, long[] mask, long[] types, int batch, int len) {}

  public static Inputs encode(HuggingFaceTokenizer tokenizer, List<String> texts) {
    Encoding[] enc = tokenizer.batchEncode(texts.stream().map(t -> t == null ? "" : t).toArray(String[]::new));
    int batch = enc.length;
    int len = enc[0].getIds().length;
    long[] ids = new long[batch * len];
    long[] mask = new long[batch * len];
    long[] types = new long[batch * len];
    for (int i = 0; i < batch; i++) {
      System.arraycopy(enc[i].getIds(), 0, ids, i * len, len);
      System.arraycopy(enc[i].getAttentionMask(), 0, mask, i * len, len);
      System.arraycopy(enc[i].getTypeIds(), 0, types, i * len, len);
    }
    return new Inputs(ids, mask, types, batch, len);
  }

  /** Mean of the last hidden state (batch x len x dim, row-major) over each text's real tokens, L2-normalised. */
  public static float[][] meanPool(float[] hidden, long[] mask, int batch, int len, int dim) {
    float[][] result = new float[batch][dim];
    for (int i = 0; i < batch; i++) {
      float tokens = 0;
      for (int t = 0; t < len; t++) {
        if (mask[i * len + t] == 0) {
          continue;
        }
        tokens++;
        int base = (i * len + t) * dim;
        for (int k = 0; k < dim; k++) {
          result[i][k] += hidden[base + k];
        }
      }
      double norm = 0;
      for (int k = 0; k < dim; k++) {
        result[i][k] /= Math.max(tokens, 1);
        norm += (double) result[i][k] * result[i][k];
      }
      float inv = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
      for (int k = 0; k < dim; k++) {
        result[i][k] *= inv;
      }
    }
    return result;
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      closeLocked();
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void closeLocked() {
    synchronized (predictors) {
      predictors.forEach(Predictor::close);
      predictors.clear();
    }
    model.close();
    tokenizer.close();
  }
}
