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

public final class LinkCommand implements Command {
  public static final OptionSpec WINDOW = OptionSpec.optional("window-days", INT, String.valueOf(LinkJob.Options.DEFAULT_WINDOW),
      "days of traffic the link graph covers, ending at the date");
  public static final OptionSpec MIN_WEIGHT = OptionSpec.optional("min-weight", DOUBLE, String.valueOf(LinkJob.Options.DEFAULT_MIN_WEIGHT),
      "total evidence weight a pair of accounts needs to be linked");
  static final OptionSpec HUB_LIMIT = OptionSpec.optional("hub-limit", INT, "0",
      "drop attributes shared by more accounts than this (0: each kind's default, docs/campaigns.md)");
  static final OptionSpec STAR_ABOVE = OptionSpec.optional("star-above", INT, String.valueOf(LinkJob.Options.DEFAULT_STAR_ABOVE),
      "attribute groups larger than this are linked as a star to their smallest member instead of all pairs");
  static final OptionSpec BEHAVIOUR = OptionSpec.optional("behaviour-distance", DOUBLE,
      String.valueOf(LinkJob.Options.DEFAULT_BEHAVIOUR_DISTANCE),
      "standardised distance within which behaviour vectors are near neighbours (0: off)");
  static final OptionSpec MIN_SIZE = OptionSpec.optional("min-size", INT, String.valueOf(CampaignsJob.Options.DEFAULT_MIN_SIZE),
      "smallest cluster tracked as a campaign candidate");
  static final OptionSpec THRESHOLD = OptionSpec.optional("threshold", DOUBLE,
      String.valueOf(io.distillwatch.features.campaigns.CampaignScoring.DEFAULT_THRESHOLD),
      "campaign score at or above which a cluster is flagged");

  public static final List<OptionSpec> LINK_OPTIONS = List.of(WINDOW, MIN_WEIGHT, HUB_LIMIT, STAR_ABOVE, BEHAVIOUR);
  public static final List<OptionSpec> CAMPAIGN_OPTIONS = List.of(MIN_SIZE, THRESHOLD);

  @Override
  public String name() {
    return "link";
  }

  @Override
  public String summary() {
    return "account link graph for the window ending at a date";
  }

  @Override
  public List<OptionSpec> options() {
    List<OptionSpec> o = new ArrayList<>(List.of(CommonOptions.LAKE, CommonOptions.DATE_REQUIRED));
    o.addAll(LINK_OPTIONS);
    return o;
  }

  @Override
  public void validate(Args args) {
    options(args, args.date("date"), CampaignTables.NIGHTLY);
  }

  public static LinkJob.Options options(Args args, LocalDate date, CampaignTables tables) {
    try {
      return new LinkJob.Options(date, (int) args.integer("window-days"), args.number("min-weight"),
          (int) args.integer("hub-limit"), (int) args.integer("star-above"), args.number("behaviour-distance"), tables);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + e.getMessage());
    }
  }

  public static int campaignWindow(Args args) {
    long w = args.integer("window-days");
    if (w < 1 || w > 90) {
      throw new UsageException("--window-days must be in [1, 90]");
    }
    return (int) w;
  }

  public static CampaignsJob.Options campaignOptions(Args args, LocalDate date, CampaignTables tables) {
    try {
      return new CampaignsJob.Options(date, (int) args.integer("window-days"), args.number("min-weight"),
          (int) args.integer("min-size"), args.number("threshold"), tables);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + e.getMessage());
    }
  }

  @Override
  public void preflight(Args args) {
    CommonOptions.requireWritableLocalLake(args.text("lake"));
  }

  @Override
  public int run(Args args, CliContext ctx) {
    Lake lake = Lake.open(ctx.spark(), args.text("lake"));
    LinkJob.Result r = new LinkJob(lake, options(args, args.date("date"), CampaignTables.NIGHTLY)).execute();
    ctx.progress("link " + args.date("date") + ": " + r.summary());
    return 0;
  }
}
