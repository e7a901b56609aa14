package io.distillwatch.jobs.bench;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.simulate.PromptFactory;
import io.distillwatch.models.ModelSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.INT;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;

/** {@code bench embed}: DJL against raw ONNX Runtime Java on the same model and texts; batch sizes, threads. */
public final class BenchEmbedCommand implements Command {
  @Override
  public String name() {
    return "bench";
  }

  @Override
  public List<String> positionals() {
    return List.of("embed");
  }

  @Override
  public String summary() {
    return "bench embed: sentences per second through DJL and through ONNX Runtime directly, by batch size and threads";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.optional("texts", TEXT, "", "a file with one text per line (default: simulated prompts and responses)"),
        OptionSpec.optional("count", INT, "500", "texts to embed per run"),
        OptionSpec.optional("batches", TEXT, "1,8,32,128", "batch sizes"),
        OptionSpec.optional("threads", TEXT, "0,1", "ONNX Runtime intra-op threads of the raw path (0: its default)"),
        OptionSpec.optional("rounds", INT, "3", "interleaved rounds per setting (the median is reported)"),
        OptionSpec.optional("embedding-model", TEXT, "bundled", "bundled or a directory with model.onnx and tokenizer.json"),
        OptionSpec.optional("out", TEXT, "", "also write the table (Markdown) to this file"));
  }

  @Override
  public void validate(Args args) {
    ints(args, "batches", 1, 1024);
    ints(args, "threads", 0, 64);
    if (args.integer("count") < 10 || args.integer("count") > 1_000_000) {
      throw new UsageException("--count must be in [10, 1000000]");
    }
    if (args.integer("rounds") < 1 || args.integer("rounds") > 20) {
      throw new UsageException("--rounds must be in [1, 20]");
    }
  }

  static int[] ints(Args args, String name, int min, int max) {
    try {
      int[] v = Arrays.stream(args.text(name).split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
      if (v.length == 0 || Arrays.stream(v).anyMatch(x -> x < min || x > max)) {
        throw new UsageException("--" + name + " must be numbers in [" + min + ", " + max + "]");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be comma-separated numbers, got '" + args.text(name) + "'");
    }
  }

  @Override
  public void preflight(Args args) {
    if (!args.text("texts").isEmpty() && !Files.isRegularFile(Path.of(args.text("texts")))) {
      throw new InvalidInputException("no texts file " + args.text("texts"));
    }
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    int count = (int) args.integer("count");
    List<String> texts = args.text("texts").isEmpty() ? simulated(count)
        : Files.readAllLines(Path.of(args.text("texts")), StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank())
            .limit(count).toList();
    ModelSource source = args.text("embedding-model").equals("bundled") ? ModelSource.bundled()
        : ModelSource.directory(Path.of(args.text("embedding-model")));
    int rounds = (int) args.integer("rounds");
    try (EmbeddingBench bench = new EmbeddingBench(source)) {
      double diff = bench.maxDifference(texts.subList(0, Math.min(64, texts.size())));
      List<EmbeddingBench.Row> rows = bench.run(texts, ints(args, "batches", 1, 1024), ints(args, "threads", 0, 64),
          rounds, ctx::progress);
      String md = EmbeddingBench.markdown(rows, texts.size(), rounds, diff);
      ctx.out().println(md);
      if (!args.text("out").isEmpty()) {
        Files.writeString(Path.of(args.text("out")), md, StandardCharsets.UTF_8);
      }
    }
    return 0;
  }

  /** Prompts and responses as the simulator writes them: short chat and coding requests, longer answers. */
  static List<String> simulated(int count) {
    SplittableRandom rng = new SplittableRandom(42);
    List<String> texts = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      texts.add(switch (i % 3) {
        case 0 -> PromptFactory.chat(rng);
        case 1 -> PromptFactory.coding(rng);
        default -> PromptFactory.response(rng.nextBoolean(), rng);
      });
    }
    return texts;
  }
}
