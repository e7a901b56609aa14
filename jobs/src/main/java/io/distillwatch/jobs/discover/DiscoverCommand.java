package io.distillwatch.jobs.discover;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.link.CampaignsCommand;
import io.distillwatch.jobs.link.LinkCommand;

import java.util.ArrayList;
import java.util.List;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DATE;

public final class DiscoverCommand implements Command {
  @Override
  public String name() {
    return "discover";
  }

  @Override
  public String summary() {
    return "retrospective campaign discovery over a range, compared with what the nightly runs flagged";
  }

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> o = new ArrayList<>(List.of(CommonOptions.LAKE,
        OptionSpec.required("from", DATE, "first night of the replay"),
        OptionSpec.required("to", DATE, "last night of the replay")));
    o.addAll(LinkCommand.LINK_OPTIONS);
    o.addAll(CampaignsCommand.CAMPAIGN_OPTIONS);
    return o;
  }

  @Override
  public void validate(Args args) {
    options(args);
  }

  static DiscoverJob.Options options(Args args) {
    if (args.date("to").isBefore(args.date("from"))) {
      throw new UsageException("--to " + args.date("to") + " is before --from " + args.date("from"));
    }
    return new DiscoverJob.Options(args.date("from"), args.date("to"),
        LinkCommand.options(args, args.date("from"), CampaignTables.DISCOVERY),
        CampaignsCommand.options(args, args.date("from"), CampaignTables.DISCOVERY));
  }

  @Override
  public void preflight(Args args) {
    CommonOptions.requireWritableLocalLake(args.text("lake"));
  }

  @Override
  public int run(Args args, CliContext ctx) {
    Lake lake = Lake.open(ctx.spark(), args.text("lake"));
    DiscoverJob.Result r = new DiscoverJob(lake, options(args)).execute(ctx::progress);
    ctx.progress(String.format("discover %s .. %s: %d campaigns flagged by the replay; %d missed and %d found late by the nights "
        + "(written to gold.discoveries):", args.date("from"), args.date("to"), r.findings().size(), r.count("missed"),
        r.count("late")));
    r.table().forEach(ctx::progress);
    return 0;
  }
}
