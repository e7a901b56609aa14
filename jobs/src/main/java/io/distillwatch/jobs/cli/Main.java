package io.distillwatch.jobs.cli;

import io.distillwatch.jobs.commands.AttributeCommand;
import io.distillwatch.jobs.commands.VerdictCommand;
import io.distillwatch.jobs.commands.BenchAttributionCommand;
import io.distillwatch.jobs.commands.BenchDriftCommand;
import io.distillwatch.jobs.commands.BenchEmbedCommand;
import io.distillwatch.jobs.commands.BenchFeaturesCommand;
import io.distillwatch.jobs.commands.BenchLshCommand;
import io.distillwatch.jobs.commands.DemoCommand;
import io.distillwatch.jobs.commands.DriftCommand;
import io.distillwatch.jobs.commands.FeaturesCommand;
import io.distillwatch.jobs.commands.IngestCommand;
import io.distillwatch.jobs.commands.CampaignsCommand;
import io.distillwatch.jobs.commands.DiscoverCommand;
import io.distillwatch.jobs.commands.EvaluateCommand;
import io.distillwatch.jobs.commands.ExportCampaignsCommand;
import io.distillwatch.jobs.commands.LinkCommand;
import io.distillwatch.jobs.commands.NightlyCommand;
import io.distillwatch.jobs.commands.SimulateCommand;
import io.distillwatch.jobs.commands.ReportCommand;
import io.distillwatch.jobs.commands.PurgeCommand;
import io.distillwatch.jobs.commands.ExportAnalystCommand;
import io.distillwatch.jobs.commands.ShareExportCommand;
import io.distillwatch.jobs.commands.ShareMatchCommand;

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
