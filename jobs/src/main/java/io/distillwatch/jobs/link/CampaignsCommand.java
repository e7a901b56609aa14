package io.distillwatch.jobs.link;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DOUBLE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.INT;

public final class CampaignsCommand implements Command {
  @Override
  public String name() {
    return "campaigns";
  }

  static final OptionSpec MIN_SIZE = OptionSpec.optional("min-size", INT, String.valueOf(CampaignsJob.Options.DEFAULT_MIN_SIZE),
      "smallest cluster tracked as a campaign candidate");
  static final OptionSpec THRESHOLD = OptionSpec.optional("threshold", DOUBLE,
      String.valueOf(io.distillwatch.features.campaigns.CampaignScoring.DEFAULT_THRESHOLD),
      "campaign score at or above which a cluster is flagged");
  /** The campaigns stage's own options (beside the window and weight it shares with link). */
  public static final List<OptionSpec> CAMPAIGN_OPTIONS = List.of(MIN_SIZE, THRESHOLD);

  public static CampaignsJob.Options options(Args args, LocalDate date, CampaignTables tables) {
    try {
      return new CampaignsJob.Options(date, CommonOptions.windowDays(args), args.number("min-weight"),
          (int) args.integer("min-size"), args.number("threshold"), tables);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + e.getMessage());
    }
  }

  @Override
  public String summary() {
    return "clusters of the date's link graph: stable campaign ids, scores, alerts";
  }

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> o = new ArrayList<>(List.of(CommonOptions.LAKE, CommonOptions.DATE_REQUIRED,
        CommonOptions.WINDOW_DAYS, CommonOptions.MIN_WEIGHT));
    o.addAll(CAMPAIGN_OPTIONS);
    return o;
  }

  @Override
  public void validate(Args args) {
    options(args, args.date("date"), CampaignTables.NIGHTLY);
  }

  @Override
  public void preflight(Args args) {
    CommonOptions.requireWritableLocalLake(args.text("lake"));
  }

  @Override
  public int run(Args args, CliContext ctx) {
    Lake lake = Lake.open(ctx.spark(), args.text("lake"));
    CampaignsJob.Result r = new CampaignsJob(lake,
        options(args, args.date("date"), CampaignTables.NIGHTLY)).execute();
    ctx.progress("campaigns " + args.date("date") + ": " + r.summary());
    CampaignSummary.top(lake, CampaignTables.NIGHTLY, args.date("date"), 20)
        .forEach(ctx::progress);
    return 0;
  }
}
