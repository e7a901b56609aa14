package io.distillwatch.jobs.export;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.evaluate.EvaluateJob;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;

import java.time.LocalDate;
import java.util.List;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DATE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;

/** {@code export campaigns}: the enforcement CSV of DESIGN.md. */
public final class ExportCampaignsCommand implements Command {
  @Override
  public String name() {
    return "export";
  }

  @Override
  public List<String> positionals() {
    return List.of("campaigns");
  }

  @Override
  public String summary() {
    return "export campaigns: one CSV row per (flagged campaign, account): " + ExportCampaigns.HEADER;
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(CommonOptions.LAKE,
        OptionSpec.required("out", TEXT, "the CSV file to write (local path or s3a://); replaced atomically"),
        OptionSpec.optional("date", DATE, null, "the night to export (default: the latest with campaigns)"));
  }

  @Override
  public void preflight(Args args) {
    CommonOptions.requireOutsideTables(args.text("out"), args.text("lake"));
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    Lake lake = Lake.open(ctx.spark(), args.text("lake"));
    LocalDate d = args.has("date") ? args.date("date") : EvaluateJob.latestDate(lake, CampaignTables.NIGHTLY);
    long n = ExportCampaigns.write(lake, CampaignTables.NIGHTLY, d, args.text("out"));
    ctx.progress(String.format("export campaigns %s: %,d rows written to %s", d, n, args.text("out")));
    return 0;
  }
}
