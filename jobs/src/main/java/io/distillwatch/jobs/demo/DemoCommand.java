package io.distillwatch.jobs.demo;

import io.distillwatch.features.validate.EventValidator;
import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;
import io.distillwatch.jobs.discover.DiscoverJob;
import io.distillwatch.jobs.evaluate.EvaluateJob;
import io.distillwatch.jobs.export.AnalystExport;
import io.distillwatch.jobs.export.ExportCampaigns;
import io.distillwatch.jobs.ingest.IngestJob;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import io.distillwatch.jobs.link.CampaignSummary;
import io.distillwatch.jobs.link.CampaignsJob;
import io.distillwatch.jobs.link.LinkJob;
import io.distillwatch.jobs.nightly.NightlyJob;
import io.distillwatch.jobs.report.Pseudonyms;
import io.distillwatch.jobs.report.ReportJob;
import io.distillwatch.jobs.share.CommunityKey;
import io.distillwatch.jobs.share.ShareExport;
import io.distillwatch.jobs.simulate.SimConfig;
import io.distillwatch.jobs.simulate.Simulator;
import io.distillwatch.jobs.spark.CachedData;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DATE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.DOUBLE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.INT;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.TEXT;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The embedded default: simulate five days at scale 0.1 (about 30,000 events; {@code --days 30
 * --scale 1} is the full month of about 1.2M) into {@code ./demo-lake/landing}, run every night into
 * {@code ./demo-lake} (ingest, features, drift, link, campaigns), replay the last week (the later
 * half of a shorter run) with {@code discover}, and end with the top campaigns, the enforcement CSV, the evaluation
 * against the simulator's labels, the notebooks' CSV views and the HTML briefing. Re-running reuses the simulated landing zone when it was
 * made with the same settings, and every night is idempotent, so a second demo changes nothing.
 */
public final class DemoCommand implements Command {
  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "simulate five days (or a month: --days 30 --scale 1) and run every night on it, all under ./demo-lake";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        OptionSpec.optional("dir", TEXT, "demo-lake", "where the landing zone and the lake go (a local folder)"),
        OptionSpec.optional("from", DATE, "2026-10-01", "first simulated day"),
        // five days at scale 0.1 end within 15 minutes on two cores (docs/benchmarks.md, "The demo")
        OptionSpec.optional("days", INT, "5", "number of days (30 for the month)"),
        OptionSpec.optional("seed", INT, "42", "simulator seed"),
        OptionSpec.optional("scale", DOUBLE, "0.1", "simulator scale (1 = about 40,000 events a day)"));
  }

  @Override
  public void validate(Args args) {
    long days = args.integer("days");
    if (days < 1 || days > 366) {
      throw new UsageException("--days must be in [1, 366]");
    }
  }

  @Override
  public int run(Args args, CliContext ctx) throws IOException, InterruptedException {
    Path dir = Path.of(args.text("dir")).toAbsolutePath().normalize();
    LocalDate from = args.date("from");
    LocalDate to = from.plusDays(args.integer("days") - 1);
    SimConfig cfg = SimConfig.of(from, to, args.integer("seed"), args.number("scale"));
    String landing = dir.resolve("landing").toString();
    long t0 = System.nanoTime();

    Path marker = dir.resolve("landing/_SIMULATED");
    String stamp = cfg.from() + " " + cfg.to() + " seed=" + cfg.seed() + " scale=" + cfg.scale();
    if (Files.exists(marker) && Files.readString(marker).strip().equals(stamp)) {
      ctx.progress("demo: landing zone already simulated (" + stamp + "), reusing " + landing);
    } else {
      ctx.progress("demo: simulating " + stamp + " into " + landing);
      Simulator.Result r = new Simulator(cfg, landing, new Configuration()).run(d -> { });
      ctx.progress(String.format("demo: simulated %,d events, %,d accounts (%,d in campaigns)",
          r.events(), r.accounts(), r.campaignAccounts()));
      Files.writeString(marker, stamp + "\n", StandardCharsets.UTF_8);
    }

    Lake lake = Lake.open(ctx.spark(), dir.toString());
    long read = 0;
    long quarantined = 0;
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      IngestJob.Options ingest = new IngestJob.Options(landing, d, EventValidator.defaults(), 0.1);
      NightlyJob.Result night = new NightlyJob(lake, NightlyJob.Options.defaults(ingest)).execute(ctx::progress);
      read += night.ingest().read();
      quarantined += night.ingest().quarantined();
      CachedData.freeUnreferenced(ctx.spark()); // a month of nights in one JVM: see CachedData
    }

    long events = lake.read(Tables.BRONZE_EVENTS).count();
    long accounts = lake.read(Tables.BRONZE_ACCOUNTS).count();
    ctx.progress("");
    ctx.progress("demo summary");
    ctx.progress(String.format("  days            %s .. %s (%d nights)", from, to, args.integer("days")));
    ctx.progress(String.format("  lines read      %,d", read));
    ctx.progress(String.format("  bronze.events   %,d distinct events", events));
    ctx.progress(String.format("  quarantined     %,d lines (see quarantine.events)", quarantined));
    ctx.progress(String.format("  accounts        %,d in bronze.accounts", accounts));
    ctx.progress(String.format("  templates       %,d recurring (silver.templates)", lake.read(Tables.SILVER_TEMPLATES).count()));
    ctx.progress(String.format("  account-days    %,d (gold.account_daily)", lake.read(Tables.GOLD_ACCOUNT_DAILY).count()));
    ctx.progress(String.format("  link edges      %,d on the last night (gold.account_links)",
        lake.read(CampaignTables.NIGHTLY.links()).where(col("date").equalTo(lit(java.sql.Date.valueOf(to)))).count()));
    ctx.progress(String.format("  lake            %s", dir));

    // retrospective discovery over the last week (the later half of a shorter run), compared with what
    // the nights flagged
    LocalDate discoverFrom = to.minusDays(Math.min(6, (args.integer("days") - 1) / 2));
    DiscoverJob.Result discovered = new DiscoverJob(lake, new DiscoverJob.Options(discoverFrom, to,
        LinkJob.Options.defaults(discoverFrom), CampaignsJob.Options.defaults(discoverFrom))).execute(ctx::progress);
    ctx.progress("");
    ctx.progress(String.format("discover %s .. %s: %d campaigns; %d missed and %d found late by the nights",
        discoverFrom, to, discovered.findings().size(), discovered.count("missed"), discovered.count("late")));

    ctx.progress("");
    ctx.progress("top campaigns on " + to + " (gold.campaigns; evidence in the table and in gold.alerts)");
    CampaignSummary.top(lake, CampaignTables.NIGHTLY, to, 10).forEach(line -> ctx.progress("  " + line));
    Path csv = dir.resolve("campaigns.csv");
    long exported = ExportCampaigns.write(lake, CampaignTables.NIGHTLY, to, csv.toString());
    ctx.progress(String.format("  %,d flagged accounts exported to %s", exported, csv));

    ctx.progress("");
    ctx.progress("evaluation against the simulator's labels (gold.evaluation)");
    EvaluateJob.Result evaluation = new EvaluateJob(lake, new EvaluateJob.Options(to,
        dir.resolve("landing/labels/labels.jsonl").toString(), LinkJob.Options.DEFAULT_WINDOW, CampaignTables.NIGHTLY))
        .execute();
    evaluation.table().forEach(line -> ctx.progress("  " + line));

    // the briefing and the notebooks' data: keyed pseudonyms when the team's key is set, else an internal
    // page (simulated accounts), marked as such
    Pseudonyms ids = System.getenv(Pseudonyms.KEY_VARIABLE) == null ? Pseudonyms.internal()
        : Pseudonyms.forReport(false, System.getenv());
    AnalystExport.Result analyst = AnalystExport.write(lake, to, ids, dir.resolve("analyst"));
    ReportJob.Result report = new ReportJob(lake, new ReportJob.Options(dir.resolve("report.html"), to, ids, null, null))
        .execute();
    ctx.progress("");
    ctx.progress(String.format("notebook data   %s (%,d flagged accounts; open notebooks/*.ipynb)", dir.resolve("analyst"),
        analyst.rows().get("members.csv")));
    ctx.progress(String.format("report          %s (%s)", report.html(), ids.isInternal()
        ? "INTERNAL: real account ids; set " + Pseudonyms.KEY_VARIABLE + " for pseudonyms" : "account ids pseudonymised"));
    // what a peer lab would receive: identity indicators only under the community's key, when the environment has one
    ShareExport.Result shared = new ShareExport(lake, new ShareExport.Options(to, List.of(), null,
        ShareExport.DEFAULT_MIN_ACCOUNTS, "amber", "distillwatch demo", dir.resolve("share-bundle.json").toString(),
        CommunityKey.fromEnvironmentIfSet(System.getenv()))).execute();
    ctx.progress(String.format("peer bundle     %s (STIX 2.1, TLP:AMBER: %d campaigns, %d indicators%s)",
        dir.resolve("share-bundle.json"), shared.campaigns(), shared.indicators(),
        shared.identityShared() ? "" : "; identity indicators left out: " + CommunityKey.VARIABLE + " not set"));
    ctx.progress("");
    ctx.progress(String.format("demo wall time %.1f s", (System.nanoTime() - t0) / 1e9));
    return 0;
  }
}
