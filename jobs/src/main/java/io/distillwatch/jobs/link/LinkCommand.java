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
  static final OptionSpec HUB_LIMIT = OptionSpec.optional("hub-limit", INT, "0",
      "drop attributes shared by more accounts than this (0: each kind's default, docs/campaigns.md)");
  static final OptionSpec STAR_ABOVE = OptionSpec.optional("star-above", INT, String.valueOf(LinkJob.Options.DEFAULT_STAR_ABOVE),
      "attribute groups larger than this are linked as a star to their smallest member instead of all pairs");
  static final OptionSpec BEHAVIOUR = OptionSpec.optional("behaviour-distance", DOUBLE,
      String.valueOf(LinkJob.Options.DEFAULT_BEHAVIOUR_DISTANCE),
      "standardised distance within which behaviour vectors are near neighbours (0: off)");

  /** The link stage's options, also offered by the commands that run it (nightly, discover). */
  public static final List<OptionSpec> LINK_OPTIONS = List.of(CommonOptions.WINDOW_DAYS, CommonOptions.MIN_WEIGHT, HUB_LIMIT, STAR_ABOVE, BEHAVIOUR);

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
