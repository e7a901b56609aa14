package io.distillwatch.jobs.cli;


import io.distillwatch.jobs.attribute.AttributeCommand;
import io.distillwatch.jobs.bench.BenchAttributionCommand;
import io.distillwatch.jobs.bench.BenchDriftCommand;
import io.distillwatch.jobs.bench.BenchEmbedCommand;
import io.distillwatch.jobs.bench.BenchFeaturesCommand;
import io.distillwatch.jobs.bench.BenchLshCommand;
import io.distillwatch.jobs.demo.DemoCommand;
import io.distillwatch.jobs.discover.DiscoverCommand;
import io.distillwatch.jobs.drift.DriftCommand;
import io.distillwatch.jobs.evaluate.EvaluateCommand;
import io.distillwatch.jobs.export.ExportAnalystCommand;
import io.distillwatch.jobs.export.ExportCampaignsCommand;
import io.distillwatch.jobs.features.FeaturesCommand;
import io.distillwatch.jobs.ingest.IngestCommand;
import io.distillwatch.jobs.link.CampaignsCommand;
import io.distillwatch.jobs.link.LinkCommand;
import io.distillwatch.jobs.nightly.NightlyCommand;
import io.distillwatch.jobs.purge.PurgeCommand;
import io.distillwatch.jobs.report.ReportCommand;
import io.distillwatch.jobs.share.ShareExportCommand;
import io.distillwatch.jobs.share.ShareMatchCommand;
import io.distillwatch.jobs.simulate.SimulateCommand;
import io.distillwatch.jobs.verdict.VerdictCommand;
import java.util.List;

/** Entry point of {@code bin/distillwatch} and of {@code spark-submit --class io.distillwatch.jobs.cli.Main}. */
public final class Main {
  private Main() {}

  public static List<Command> commands() {
    return List.of(new DemoCommand(), new SimulateCommand(), new IngestCommand(), new FeaturesCommand(), new DriftCommand(), new LinkCommand(), new CampaignsCommand(), new DiscoverCommand(), new EvaluateCommand(), new ExportCampaignsCommand(), new NightlyCommand(),
        new AttributeCommand(), new BenchLshCommand(), new BenchFeaturesCommand(), new BenchAttributionCommand(),
        new BenchEmbedCommand(), new BenchDriftCommand(), new ReportCommand(), new ExportAnalystCommand(), new PurgeCommand(), new VerdictCommand(),
        new ShareExportCommand(), new ShareMatchCommand());
  }

  public static void main(String[] args) {
    int code = new Cli(commands(), System.out, System.err).run(args);
    System.out.flush();
    System.exit(code);
  }
}
