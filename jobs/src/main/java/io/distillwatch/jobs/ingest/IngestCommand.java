package io.distillwatch.jobs.ingest;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.lake.Lake;

import java.util.List;

public final class IngestCommand implements Command {
  @Override
  public String name() {
    return "ingest";
  }

  @Override
  public String summary() {
    return "validate one landing day and load it into bronze (invalid lines to quarantine)";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(CommonOptions.LANDING, CommonOptions.LAKE, CommonOptions.DATE_REQUIRED,
        CommonOptions.MAX_LATENESS, CommonOptions.MAX_PROMPT, CommonOptions.MAX_QUARANTINE);
  }

  @Override
  public void validate(Args args) {
    options(args);
  }

  public static IngestJob.Options options(Args args) {
    return new IngestJob.Options(args.text("landing"), args.date("date"), CommonOptions.limits(args),
        CommonOptions.ratio(args, "max-quarantine-ratio"));
  }

  @Override
  public void preflight(Args args) {
    CommonOptions.requireLocalLanding(args.text("landing"), args.date("date"));
    CommonOptions.requireWritableLocalLake(args.text("lake"));
  }

  @Override
  public int run(Args args, CliContext ctx) {
    Lake lake = Lake.open(ctx.spark(), args.text("lake"));
    IngestJob.Result r = new IngestJob(lake, options(args)).execute();
    ctx.progress("ingest " + args.date("date") + ": " + r.summary());
    return 0;
  }
}
