package io.distillwatch.jobs.evaluate;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;

import java.time.LocalDate;
import java.util.List;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DATE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;

public final class EvaluateCommand implements Command {
  @Override
  public String name() {
    return "evaluate";
  }

  @Override
  public String summary() {
    return "the night's campaigns against labels: recall, precision, false-positive rates, by tactic";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(CommonOptions.LAKE,
        OptionSpec.required("labels", TEXT, "labels JSONL (account_id, campaign, tactic, profile), e.g. <landing>/labels/labels.jsonl"),
        OptionSpec.optional("date", DATE, null, "the night to evaluate (default: the latest with campaigns)"),
        CommonOptions.WINDOW_DAYS,
        OptionSpec.optional("tables", TEXT, "nightly", "whose campaigns: nightly (gold.*) or discovery (the last discover replay)"));
  }

  @Override
  public void validate(Args args) {
    CommonOptions.windowDays(args);
    tables(args);
  }

  static CampaignTables tables(Args args) {
    return switch (args.text("tables")) {
      case "nightly" -> CampaignTables.NIGHTLY;
      case "discovery" -> CampaignTables.DISCOVERY;
      default -> throw new io.distillwatch.jobs.cli.UsageException("--tables must be nightly or discovery");
    };
  }

  @Override
  public void preflight(Args args) {
    java.nio.file.Path local = CommonOptions.localPath(args.text("labels"));
    if (local != null && !java.nio.file.Files.isRegularFile(local)) {
      throw new io.distillwatch.jobs.failures.InvalidInputException("no labels file " + local);
    }
  }

  @Override
  public int run(Args args, CliContext ctx) {
    Lake lake = Lake.open(ctx.spark(), args.text("lake"));
    CampaignTables tables = tables(args);
    LocalDate d = args.has("date") ? args.date("date") : EvaluateJob.latestDate(lake, tables);
    EvaluateJob.Result r = new EvaluateJob(lake, new EvaluateJob.Options(d, args.text("labels"),
        CommonOptions.windowDays(args), tables)).execute();
    ctx.progress("evaluate " + d + " " + args.text("tables") + " (written to gold.evaluation):");
    r.table().forEach(ctx::progress);
    ctx.progress("clusters by label (campaign, flagged, label=accounts):");
    r.composition().forEach(c -> ctx.progress("  " + c));
    return 0;
  }
}
