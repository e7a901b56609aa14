package io.distillwatch.jobs.purge;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.lake.Lake;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DATE;

/** {@code purge --lake K --before D}: removes raw prompts and responses older than the retention period. */
public final class PurgeCommand implements Command {
  @Override
  public String name() {
    return "purge";
  }

  @Override
  public String summary() {
    return "remove raw prompts, responses and quarantined raw lines before a date (Delta update and vacuum); "
        + "features and campaigns stay";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(CommonOptions.LAKE,
        OptionSpec.required("before", DATE, "raw text of events before this date (UTC) is removed"));
  }

  @Override
  public void validate(Args args) {
    if (args.date("before").isAfter(LocalDate.now(ZoneOffset.UTC))) {
      throw new UsageException("--before must not be in the future");
    }
  }

  @Override
  public void preflight(Args args) {
    CommonOptions.requireWritableLocalLake(args.text("lake"));
  }

  @Override
  public int run(Args args, CliContext ctx) {
    LocalDate before = args.date("before");
    PurgeJob.Result r = new PurgeJob(Lake.open(ctx.spark(), args.text("lake")),
        new PurgeJob.Options(before, LocalDate.now(ZoneOffset.UTC))).execute();
    ctx.progress(r.summary(before));
    return 0;
  }
}
