package io.distillwatch.jobs.share;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.lake.Lake;

import java.util.List;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DATE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;

/** {@code share match}: a peer lab's STIX bundle evaluated against our traffic (docs/sharing.md). */
public final class ShareMatchCommand implements Command {
  @Override
  public String name() {
    return "share";
  }

  @Override
  public List<String> positionals() {
    return List.of("match");
  }

  @Override
  public String summary() {
    return "share match: a peer's STIX 2.1 bundle against our traffic of the week ending at the date: matched accounts, "
        + "leads (share.peer_matches, link evidence peer_indicator for the next link), our campaigns that hold them";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(CommonOptions.LAKE,
        OptionSpec.required("bundle", TEXT, "the peer's STIX 2.1 bundle (local path or s3a://)"),
        OptionSpec.required("out", TEXT, "folder for matches.csv and overlaps.csv"),
        OptionSpec.optional("date", DATE, null, "the night to match (default: the latest with features)"));
  }

  @Override
  public void preflight(Args args) {
    CommonOptions.requireOutsideTables(args.text("out"), args.text("lake"));
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    CommunityKey key = CommunityKey.fromEnvironmentIfSet(System.getenv());
    Lake lake = Lake.open(ctx.spark(), args.text("lake"));
    ShareMatch.Result r = new ShareMatch(lake, new ShareMatch.Options(args.has("date") ? args.date("date") : null,
        args.text("bundle"), args.text("out"), key)).execute();
    ctx.progress(r.summary() + "; matches.csv and overlaps.csv in " + args.text("out"));
    return 0;
  }
}
