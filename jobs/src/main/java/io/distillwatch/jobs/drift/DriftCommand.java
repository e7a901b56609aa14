package io.distillwatch.jobs.drift;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.features.FeaturesCommand;
import io.distillwatch.jobs.lake.Lake;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DOUBLE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.INT;

public final class DriftCommand implements Command {
  static final OptionSpec WINDOW = OptionSpec.optional("drift-window", INT, String.valueOf(DriftJob.Options.DEFAULT_WINDOW),
      "requests in each account's window (accounts with fewer are not scored)");
  static final OptionSpec HEAVY_WINDOW = OptionSpec.optional("drift-heavy-window", INT,
      String.valueOf(DriftJob.Options.DEFAULT_HEAVY_WINDOW), "requests in the window of a heavy account (one with at "
          + "least that many in the period), tested against other heavy accounts once each half of them holds enough "
          + "benign accounts to reach the alert level; 0: off");
  static final OptionSpec WINDOW_DAYS = OptionSpec.optional("drift-window-days", INT,
      String.valueOf(DriftJob.Options.DEFAULT_WINDOW_DAYS), "days of requests a window draws from");
  static final OptionSpec REFERENCE = OptionSpec.optional("drift-reference", INT,
      String.valueOf(DriftJob.Options.DEFAULT_REFERENCE), "benign prompts in each reference half");
  static final OptionSpec ALERT_LEVEL = OptionSpec.optional("drift-alert-level", DOUBLE,
      String.valueOf(DriftJob.Options.DEFAULT_ALERT_LEVEL), "p-value at or below which an account is alerted");

  public static final List<OptionSpec> DRIFT_OPTIONS = List.of(WINDOW, HEAVY_WINDOW, WINDOW_DAYS, REFERENCE, ALERT_LEVEL);

  @Override
  public String name() {
    return "drift";
  }

  @Override
  public String summary() {
    return "query drift: each account's recent prompts tested against benign traffic (MMD over embeddings) for one date";
  }

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> o = new ArrayList<>(List.of(CommonOptions.LAKE, CommonOptions.DATE_REQUIRED));
    o.addAll(DRIFT_OPTIONS);
    o.add(OptionSpec.optional("embedding-model", OptionSpec.Kind.TEXT, "bundled",
        "sentence embedding model: bundled (all-MiniLM-L6-v2) or a directory with model.onnx and tokenizer.json"));
    o.add(FeaturesCommand.DEVICE);
    return o;
  }

  @Override
  public void validate(Args args) {
    options(args, args.date("date"), args.text("embedding-model"));
  }

  /** The drift options of {@code args}; {@code model} "none" (the embedding classifier off) still embeds with the bundled model. */
  public static DriftJob.Options options(Args args, LocalDate date, String model) {
    try {
      return new DriftJob.Options(date, (int) args.integer("drift-window-days"), (int) args.integer("drift-window"),
          (int) args.integer("drift-heavy-window"), (int) args.integer("drift-reference"), args.number("drift-alert-level"),
          model.equals("none") ? "bundled" : model, args.text("device"));
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
    DriftJob.Result r = new DriftJob(lake, options(args, args.date("date"), args.text("embedding-model"))).execute();
    ctx.progress("drift " + args.date("date") + ": " + r.summary());
    return 0;
  }
}
