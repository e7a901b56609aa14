package io.distillwatch.jobs.share;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.lake.Lake;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DATE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.DOUBLE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.INT;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;

/** {@code share export}: the night's campaigns as a STIX 2.1 bundle for peer labs (docs/sharing.md). */
public final class ShareExportCommand implements Command {
  @Override
  public String name() {
    return "share";
  }

  @Override
  public List<String> positionals() {
    return List.of("export");
  }

  @Override
  public String summary() {
    return "share export: campaign indicators a peer lab can match without learning our customers, as a STIX 2.1 bundle "
        + "(identity values as HMACs under " + CommunityKey.VARIABLE + ")";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(CommonOptions.LAKE,
        OptionSpec.required("out", TEXT, "the bundle file to write (local path or s3a://); replaced atomically"),
        OptionSpec.optional("date", DATE, null, "the night to export (default: the latest with campaigns)"),
        OptionSpec.optional("campaign", TEXT, null, "comma-separated campaign ids to export (default: all that qualify)"),
        OptionSpec.optional("min-score", DOUBLE, null, "export campaigns at or above this score, flagged or not "
            + "(default: the flagged ones)"),
        OptionSpec.optional("min-accounts", INT, String.valueOf(ShareExport.DEFAULT_MIN_ACCOUNTS),
            "an indicator must be held by at least this many of the campaign's accounts"),
        OptionSpec.optional("tlp", TEXT, "amber", "traffic light protocol marking: white, green, amber or red"),
        OptionSpec.optional("lab-name", TEXT, "distillwatch", "the sharing lab's name in the bundle's identity"));
  }

  @Override
  public void validate(Args args) {
    options(args, null);
  }

  @Override
  public void preflight(Args args) {
    CommonOptions.requireOutsideTables(args.text("out"), args.text("lake"));
  }

  private static ShareExport.Options options(Args args, CommunityKey key) {
    List<String> campaigns = args.has("campaign")
        ? Arrays.stream(args.text("campaign").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList() : List.of();
    try {
      return new ShareExport.Options(args.has("date") ? args.date("date") : null, campaigns,
          args.has("min-score") ? args.number("min-score") : null, (int) Math.min(Integer.MAX_VALUE, args.integer("min-accounts")),
          args.text("tlp").toLowerCase(Locale.ROOT), args.text("lab-name"), args.text("out"), key);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    CommunityKey key = CommunityKey.fromEnvironmentIfSet(System.getenv());
    Lake lake = Lake.open(ctx.spark(), args.text("lake"));
    ShareExport.Result r = new ShareExport(lake, options(args, key)).execute();
    ctx.progress(r.summary() + "; bundle " + r.bundleId() + " written to " + args.text("out"));
    return 0;
  }
}
