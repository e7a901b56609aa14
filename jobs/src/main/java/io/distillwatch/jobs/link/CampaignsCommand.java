package io.distillwatch.jobs.link;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;

import java.util.ArrayList;
import java.util.List;

public final class CampaignsCommand implements Command {
  @Override
  public String name() {
    return "campaigns";
  }

  @Override
  public String summary() {
    return "clusters of the date's link graph: stable campaign ids, scores, alerts";
  }

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> o = new ArrayList<>(List.of(CommonOptions.LAKE, CommonOptions.DATE_REQUIRED,
        LinkCommand.WINDOW, LinkCommand.MIN_WEIGHT));
    o.addAll(LinkCommand.CAMPAIGN_OPTIONS);
    return o;
  }

  @Override
  public void validate(Args args) {
    LinkCommand.campaignOptions(args, args.date("date"), CampaignTables.NIGHTLY);
  }

  @Override
  public void preflight(Args args) {
    CommonOptions.requireWritableLocalLake(args.text("lake"));
  }

  @Override
  public int run(Args args, CliContext ctx) {
    Lake lake = Lake.open(ctx.spark(), args.text("lake"));
    CampaignsJob.Result r = new CampaignsJob(lake,
        LinkCommand.campaignOptions(args, args.date("date"), CampaignTables.NIGHTLY)).execute();
    ctx.progress("campaigns " + args.date("date") + ": " + r.summary());
    CampaignSummary.top(lake, CampaignTables.NIGHTLY, args.date("date"), 20)
        .forEach(ctx::progress);
    return 0;
  }
}
