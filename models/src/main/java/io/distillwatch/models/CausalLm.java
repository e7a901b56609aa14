package io.distillwatch.models;

import ai.djl.Device;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.TranslateException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A causal language model in ONNX, run by DJL's ONNX Runtime engine fully offline: a folder with
 * {@code model.onnx} (input {@code input_ids} int64 [batch, tokens], optionally
 * {@code attention_mask}; first output the logits [batch, tokens, vocabulary]) and the
 * HuggingFace {@code tokenizer.json} it was trained with.
 *
 * <p>{@link #logLikelihood} scores an answer given its prompt: the mean over the answer's tokens of
 * log p(token | everything before it), in nats per token, so answers of different lengths compare.
 * One instance per folder and device per JVM ({@link #shared}), one {@code Predictor} per thread,
 * closed at shutdown, as for {@link SentenceEmbedder}.
 */
public final class CausalLm implements AutoCloseable {
  /** Tokens per scored sequence (prompt and answer) at most; longer prompts lose their beginning, answers their end. */
  public static final int MAX_TOKENS = 512;

  private static final Map<String, CausalLm> SHARED = new ConcurrentHashMap<>();

  static {
    System.setProperty("ai.djl.offline", "true");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> SHARED.values().forEach(CausalLm::close), "distillwatch-lm-close"));
  }

  private final Path directory;
  private final Device device;
  private final ZooModel<NDList, NDList> model;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean wantsMask;
  private final List<Predictor<NDList, NDList>> predictors = new ArrayList<>();
  private final ThreadLocal<Predictor<NDList, NDList>> predictor;
  private final java.util.concurrent.locks.ReentrantReadWriteLock lock = new java.util.concurrent.locks.ReentrantReadWriteLock();
  private boolean closed;

  private CausalLm(Path directory, Device device) {
    this.directory = directory;
    this.device = device;
    for (String f : List.of("model.onnx", "tokenizer.json")) {
      if (!Files.isRegularFile(directory.resolve(f))) {
        throw new IllegalArgumentException("language model folder " + directory + " has no " + f);
      }
    }
    try {
      this.tokenizer = HuggingFaceTokenizer.newInstance(directory.resolve("tokenizer.json"),
          Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false"));
      this.model = Criteria.builder()
          .setTypes(NDList.class, NDList.class)
          .optModelPath(directory)
          .optModelName("model")
          .optEngine("OnnxRuntime")
          .optDevice(device)
          .build()
          .loadModel();
      this.wantsMask = model.describeInput().keys().contains("attention_mask");
    } catch (Exception e) {
      throw new IllegalStateException("cannot load language model from " + directory + ": " + e, e);
    }
    this.predictor = ThreadLocal.withInitial(() -> {
      Predictor<NDList, NDList> p = model.newPredictor();
      synchronized (predictors) {
        predictors.add(p);
      }
      return p;
    });
  }

  public static CausalLm shared(Path directory) {
    return shared(directory, SentenceEmbedder.defaultDevice());
  }

  public static CausalLm shared(Path directory, Device device) {
    Path dir = directory.toAbsolutePath().normalize();
    return SHARED.computeIfAbsent(dir + "@" + device, k -> new CausalLm(dir, device));
  }

  public Path directory() {
    return directory;
  }

  /**
   * Mean log-probability per answer token, in nats, of {@code answer} following {@code prompt}
   * (prompt and answer tokenised separately and concatenated). NaN when the answer has no token.
   */
  public double logLikelihood(String prompt, String answer) {
    long[] p = tokenizer.encode(prompt == null ? "" : prompt).getIds();
    long[] a = tokenizer.encode(answer == null ? "" : answer).getIds();
    if (a.length == 0) {
      return Double.NaN;
    }
    int answerTokens = Math.min(a.length, MAX_TOKENS - 1);
    int promptTokens = Math.min(p.length, MAX_TOKENS - answerTokens);
    // the first answer token needs a context: with no prompt token it is not scored
    long[] ids = new long[promptTokens + answerTokens];
    System.arraycopy(p, p.length - promptTokens, ids, 0, promptTokens);
    System.arraycopy(a, 0, ids, promptTokens, answerTokens);
    float[] logits;
    int vocabulary;
    lock.readLock().lock();
    try (NDManager nd = model.getNDManager().newSubManager(device)) {
      if (closed) {
        throw new IllegalStateException("language model " + directory + " is closed (the JVM is shutting down)");
      }
      Shape shape = new Shape(1, ids.length);
      NDArray idArray = nd.create(ids, shape);
      idArray.setName("input_ids");
      NDList in = new NDList(idArray);
      if (wantsMask) {
        long[] ones = new long[ids.length];
        java.util.Arrays.fill(ones, 1L);
        NDArray mask = nd.create(ones, shape);
        mask.setName("attention_mask");
        in.add(mask);
      }
      NDArray out = predictor.get().predict(in).get(0);
      vocabulary = (int) out.getShape().get(out.getShape().dimension() - 1);
      logits = out.toFloatArray();
    } catch (TranslateException e) {
      throw new IllegalStateException("language model " + directory + " failed: " + e.getMessage(), e);
    } finally {
      lock.readLock().unlock();
    }
    double sum = 0;
    int scored = 0;
    for (int t = Math.max(promptTokens, 1); t < ids.length; t++) {
      if (ids[t] >= vocabulary) {
        throw new IllegalStateException("language model " + directory + ": token id " + ids[t] + " is outside the model's "
            + vocabulary + " logits (tokenizer.json does not belong to model.onnx)");
      }
      sum += logSoftmax(logits, (t - 1) * vocabulary, vocabulary, (int) ids[t]);
      scored++;
    }
    return scored == 0 ? Double.NaN : sum / scored;
  }

  /** log softmax(logits[from .. from+v))[token], computed stably. */
  static double logSoftmax(float[] logits, int from, int v, int token) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < v; k++) {
      max = Math.max(max, logits[from + k]);
    }
    double z = 0;
    for (int k = 0; k < v; k++) {
      z += Math.exp(logits[from + k] - max);
    }
    return logits[from + token] - max - Math.log(z);
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      synchronized (predictors) {
        predictors.forEach(Predictor::close);
        predictors.clear();
      }
      model.close();
      tokenizer.close();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
