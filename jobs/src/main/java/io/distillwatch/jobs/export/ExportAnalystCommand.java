package io.distillwatch.jobs.export;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.report.Pseudonyms;

import java.nio.file.Path;
import java.util.List;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DATE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;

/** {@code export analyst --lake K --out DIR}: the CSV views the notebooks in notebooks/ read. */
public final class ExportAnalystCommand implements Command {
  @Override
  public String name() {
    return "export";
  }

  @Override
  public List<String> positionals() {
    return List.of("analyst");
  }

  @Override
  public String summary() {
    return "export analyst: CSV views of campaigns, members, their daily features, links, alerts and attribution for the notebooks";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(CommonOptions.LAKE,
        OptionSpec.required("out", TEXT, "local folder for the CSV files and manifest.json (files replaced atomically)"),
        OptionSpec.optional("date", DATE, null, "the night whose flagged accounts are exported (default: the newest)"),
        OptionSpec.flag("internal", "keep real account ids; without it ids are keyed pseudonyms and "
            + Pseudonyms.KEY_VARIABLE + " must be set"));
  }

  @Override
  public void validate(Args args) {
    if (CommonOptions.localPath(args.text("out")) == null) {
      throw new UsageException("--out must be a local folder");
    }
  }

  @Override
  public void preflight(Args args) {
    Pseudonyms.forReport(args.flag("internal"), System.getenv());
    CommonOptions.requireOutsideTables(args.text("out"), args.text("lake"));
    CommonOptions.requireWritableLocalLake(args.text("out"));
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    Path out = CommonOptions.localPath(args.text("out"));
    AnalystExport.Result r = AnalystExport.write(Lake.open(ctx.spark(), args.text("lake")),
        args.has("date") ? args.date("date") : null, Pseudonyms.forReport(args.flag("internal"), System.getenv()), out);
    ctx.progress("export analyst " + r.date() + ": " + out);
    r.rows().forEach((file, n) -> ctx.progress(String.format("  %-18s %,d rows", file, n)));
    return 0;
  }
}
