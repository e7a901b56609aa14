package io.distillwatch.jobs.features;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.lake.Lake;

import java.time.LocalDate;
import java.util.List;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.INT;

public final class FeaturesCommand implements Command {
  static final OptionSpec BANDS = OptionSpec.optional("bands", INT, String.valueOf(FeaturesJob.Options.DEFAULT_BANDS),
      "MinHash bands b (OR amplification); fixed for the life of a lake");
  static final OptionSpec ROWS = OptionSpec.optional("rows", INT, String.valueOf(FeaturesJob.Options.DEFAULT_ROWS),
      "MinHash rows per band r (AND amplification); fixed for the life of a lake");
  static final OptionSpec SHINGLE = OptionSpec.optional("shingle", INT, String.valueOf(FeaturesJob.Options.DEFAULT_SHINGLE),
      "words per shingle; fixed for the life of a lake");
  static final OptionSpec MIN_SIMILARITY = OptionSpec.optional("min-similarity", OptionSpec.Kind.DOUBLE,
      String.valueOf(io.distillwatch.features.templates.TemplateAssignment.DEFAULT_MIN_SIMILARITY),
      "estimated Jaccard similarity two prompts of one bucket need to join one template");
  static final OptionSpec MIN_TEMPLATE_REQUESTS = OptionSpec.optional("min-template-requests", INT, "2",
      "requests a template needs on a day to enter the band index and silver.templates");

  static final OptionSpec EMBEDDING_MODEL = OptionSpec.optional("embedding-model", OptionSpec.Kind.TEXT, "bundled",
      "embedding classifier model: bundled (all-MiniLM-L6-v2), a directory with model.onnx and tokenizer.json, or none");
  public static final OptionSpec DEVICE = OptionSpec.optional("device", OptionSpec.Kind.TEXT, "auto",
      "where the model runs: auto (GPU when present), cpu, gpu or gpu:N");

  public static final List<OptionSpec> FEATURE_OPTIONS = List.of(BANDS, ROWS, SHINGLE, MIN_SIMILARITY, MIN_TEMPLATE_REQUESTS,
      EMBEDDING_MODEL, DEVICE);

  @Override
  public String name() {
    return "features";
  }

  @Override
  public String summary() {
    return "prompt templates, account-day features and rolling windows for one date";
  }

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> o = new java.util.ArrayList<>(List.of(CommonOptions.LAKE, CommonOptions.DATE_REQUIRED));
    o.addAll(FEATURE_OPTIONS);
    return o;
  }

  @Override
  public void validate(Args args) {
    options(args, args.date("date"));
  }

  public static FeaturesJob.Options options(Args args, LocalDate date) {
    try {
      return new FeaturesJob.Options(date, (int) args.integer("bands"), (int) args.integer("rows"),
          (int) args.integer("shingle"), args.number("min-similarity"), (int) args.integer("min-template-requests"),
          args.text("embedding-model"), args.text("device"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  @Override
  public void preflight(Args args) {
    CommonOptions.requireWritableLocalLake(args.text("lake"));
  }

  @Override
  public int run(Args args, CliContext ctx) {
    Lake lake = Lake.open(ctx.spark(), args.text("lake"));
    FeaturesJob.Result r = new FeaturesJob(lake, options(args, args.date("date"))).execute();
    ctx.progress("features " + args.date("date") + ": " + r.summary());
    return 0;
  }
}
