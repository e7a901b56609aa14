package io.distillwatch.jobs.nightly;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.drift.DriftCommand;
import io.distillwatch.jobs.features.FeaturesCommand;
import io.distillwatch.jobs.ingest.IngestCommand;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.link.CampaignsCommand;
import io.distillwatch.jobs.link.LinkCommand;

import java.util.List;

public final class NightlyCommand implements Command {
  @Override
  public String name() {
    return "nightly";
  }

  @Override
  public String summary() {
    return "one night: ingest, features, drift, link and campaigns for one date";
  }

  static final OptionSpec DRIFT = OptionSpec.optional("drift", OptionSpec.Kind.TEXT, "on",
      "the query-drift stage (between features and link): on or off");

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> o = new java.util.ArrayList<>(List.of(CommonOptions.LANDING, CommonOptions.LAKE,
        CommonOptions.DATE_REQUIRED, CommonOptions.MAX_LATENESS, CommonOptions.MAX_PROMPT, CommonOptions.MAX_QUARANTINE));
    o.addAll(FeaturesCommand.FEATURE_OPTIONS);
    o.add(DRIFT);
    o.addAll(DriftCommand.DRIFT_OPTIONS);
    o.addAll(LinkCommand.LINK_OPTIONS);
    o.addAll(CampaignsCommand.CAMPAIGN_OPTIONS);
    return o;
  }

  @Override
  public void validate(Args args) {
    options(args);
  }

  static NightlyJob.Options options(Args args) {
    java.time.LocalDate d = args.date("date");
    String drift = args.text("drift");
    if (!drift.equals("on") && !drift.equals("off")) {
      throw new io.distillwatch.jobs.cli.UsageException("--drift must be on or off, got " + drift);
    }
    return new NightlyJob.Options(d, IngestCommand.options(args), FeaturesCommand.options(args, d),
        drift.equals("on") ? DriftCommand.options(args, d, args.text("embedding-model")) : null,
        LinkCommand.options(args, d, io.distillwatch.jobs.lake.CampaignTables.NIGHTLY),
        CampaignsCommand.options(args, d, io.distillwatch.jobs.lake.CampaignTables.NIGHTLY));
  }

  @Override
  public void preflight(Args args) {
    CommonOptions.requireLocalLanding(args.text("landing"), args.date("date"));
    CommonOptions.requireWritableLocalLake(args.text("lake"));
  }

  @Override
  public int run(Args args, CliContext ctx) {
    Lake lake = Lake.open(ctx.spark(), args.text("lake"));
    new NightlyJob(lake, options(args)).execute(ctx::progress);
    return 0;
  }
}
