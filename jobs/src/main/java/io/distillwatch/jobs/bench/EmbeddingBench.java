package io.distillwatch.jobs.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.distillwatch.models.ModelSource;
import io.distillwatch.models.SentenceEmbedder;

import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The DJL path ({@link SentenceEmbedder}: DJL's ONNX Runtime engine) against ONNX Runtime's own
 * Java API on the same model file, the same tokenizer and the same pooling, so the difference is
 * DJL's overhead. Runs are interleaved (DJL, raw, DJL, raw, ...) and the median of the rounds is
 * reported, because the machine is noisy; the two paths' embeddings are compared too.
 */
public final class EmbeddingBench implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final SentenceEmbedder djl;
  private final OrtEnvironment env;
  private final byte[] modelBytes;

  public record Row(int batch, int threads, double djlPerSecond, double rawPerSecond, double overheadPercent) {}

  public EmbeddingBench(ModelSource source) throws Exception {
    this.tokenizer = HuggingFaceTokenizer.newInstance(source.directory().resolve("tokenizer.json"),
        Map.of("padding", "true", "truncation", "true", "maxLength", String.valueOf(SentenceEmbedder.MAX_TOKENS)));
    this.djl = SentenceEmbedder.shared(source, ai.djl.Device.cpu());
    this.env = OrtEnvironment.getEnvironment();
    this.modelBytes = java.nio.file.Files.readAllBytes(source.directory().resolve("model.onnx"));
  }

  /** ONNX Runtime directly: a session with {@code threads} intra-op threads (0: ONNX Runtime's default). */
  public OrtSession rawSession(int threads) throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    if (threads > 0) {
      options.setIntraOpNumThreads(threads);
    }
    return env.createSession(modelBytes, options);
  }

  /** The raw path: the same tokenisation and pooling as SentenceEmbedder, the model run by ONNX Runtime's own API. */
  public float[][] embedRaw(OrtSession session, List<String> texts) throws OrtException {
    SentenceEmbedder.Inputs in = SentenceEmbedder.encode(tokenizer, texts);
    long[] shape = {in.batch(), in.len()};
    try (OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(in.ids()), shape);
         OnnxTensor b = OnnxTensor.createTensor(env, LongBuffer.wrap(in.mask()), shape);
         OnnxTensor c = OnnxTensor.createTensor(env, LongBuffer.wrap(in.types()), shape);
         OrtSession.Result out = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
      OnnxTensor hidden = (OnnxTensor) out.get(0);
      long[] dims = hidden.getInfo().getShape(); // (batch, len, dim)
      java.nio.FloatBuffer buffer = hidden.getFloatBuffer();
      float[] flat = new float[buffer.remaining()];
      buffer.get(flat);
      return SentenceEmbedder.meanPool(flat, in.mask(), in.batch(), in.len(), (int) dims[2]);
    }
  }

  public float[][] embedDjl(List<String> texts) {
    return djl.embed(texts);
  }

  /** Largest absolute difference between the two paths' embeddings of {@code texts}. */
  public double maxDifference(List<String> texts) throws OrtException {
    try (OrtSession s = rawSession(0)) {
      float[][] a = embedDjl(texts);
      float[][] b = embedRaw(s, texts);
      double max = 0;
      for (int i = 0; i < a.length; i++) {
        for (int k = 0; k < a[i].length; k++) {
          max = Math.max(max, Math.abs(a[i][k] - b[i][k]));
        }
      }
      return max;
    }
  }

  /** Texts per second for each batch size; the raw path also at each thread count (DJL keeps ONNX Runtime's default). */
  public List<Row> run(List<String> texts, int[] batches, int[] threads, int rounds, Consumer<String> progress)
      throws OrtException {
    List<Row> rows = new ArrayList<>();
    for (int t : threads) {
      try (OrtSession session = rawSession(t)) {
        embedRaw(session, texts.subList(0, Math.min(32, texts.size()))); // warm-up
        embedDjl(texts.subList(0, Math.min(32, texts.size())));
        for (int b : batches) {
          double[] djlRate = new double[rounds];
          double[] rawRate = new double[rounds];
          for (int r = 0; r < rounds; r++) {
            djlRate[r] = rate(texts, b, batch -> embedDjl(batch));
            rawRate[r] = rate(texts, b, batch -> {
              try {
                embedRaw(session, batch);
              } catch (OrtException e) {
                throw new IllegalStateException(e);
              }
            });
          }
          double d = median(djlRate);
          double raw = median(rawRate);
          rows.add(new Row(b, t, d, raw, 100 * (raw / d - 1)));
          progress.accept(String.format(Locale.ROOT, "bench embed: batch %d, raw threads %s: DJL %.1f/s, raw %.1f/s",
              b, t == 0 ? "default" : String.valueOf(t), d, raw));
        }
      }
    }
    return rows;
  }

  private static double rate(List<String> texts, int batch, Consumer<List<String>> embed) {
    long t0 = System.nanoTime();
    for (int from = 0; from < texts.size(); from += batch) {
      embed.accept(texts.subList(from, Math.min(texts.size(), from + batch)));
    }
    return texts.size() / ((System.nanoTime() - t0) / 1e9);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  public static String markdown(List<Row> rows, int texts, int rounds, double maxDifference) {
    StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
        "%d texts, median of %d interleaved rounds; largest difference between the two paths' embeddings %.2g%n%n"
            + "| batch | raw ONNX Runtime intra-op threads | DJL texts/s | raw texts/s | DJL overhead |%n|---:|---:|---:|---:|---:|%n",
        texts, rounds, maxDifference));
    for (Row r : rows) {
      md.append(String.format(Locale.ROOT, "| %d | %s | %.1f | %.1f | %+.1f %% |%n", r.batch(),
          r.threads() == 0 ? "default" : String.valueOf(r.threads()), r.djlPerSecond(), r.rawPerSecond(),
          r.overheadPercent()));
    }
    return md.toString();
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
