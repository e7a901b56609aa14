package io.distillwatch.jobs.simulate;

import io.distillwatch.jobs.cli.Args;
import io.distillwatch.jobs.cli.CliContext;
import io.distillwatch.jobs.cli.Command;
import io.distillwatch.jobs.cli.CommonOptions;
import io.distillwatch.jobs.cli.OptionSpec;
import io.distillwatch.jobs.cli.UsageException;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.distillwatch.jobs.cli.OptionSpec.Kind.DATE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.DOUBLE;
import static io.distillwatch.jobs.cli.OptionSpec.Kind.INT;

public final class SimulateCommand implements Command {
  @Override
  public String name() {
    return "simulate";
  }

  @Override
  public String summary() {
    return "write synthetic traffic, account snapshots and labels into a landing zone";
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(CommonOptions.LANDING,
        OptionSpec.required("from", DATE, "first day"),
        OptionSpec.required("to", DATE, "last day (inclusive)"),
        OptionSpec.optional("seed", INT, "42", "random seed: the same seed gives the same bytes"),
        OptionSpec.optional("scale", DOUBLE, "1", "multiplies every population's account count (1 = about 1M events in 30 days)"),
        OptionSpec.optional("spread", DOUBLE, "1", "spread every campaign over this many times more accounts at the same volume"),
        OptionSpec.optional("world", INT, "0", "0: the default world; N >= 1: campaigns and benign population sizes drawn from "
            + "the ranges of docs/campaigns.md (\"Worlds\")"));
  }

  @Override
  public void validate(Args args) {
    config(args);
  }

  static SimConfig config(Args args) {
    try {
      return SimConfig.of(args.date("from"), args.date("to"), args.integer("seed"), args.number("scale"))
          .withSpread(args.number("spread")).withWorld(args.integer("world"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  @Override
  public int run(Args args, CliContext ctx) {
    SimConfig cfg = config(args);
    long t0 = System.nanoTime();
    Simulator sim = new Simulator(cfg, args.text("landing"), CommonOptions.hadoop(args));
    AtomicInteger done = new AtomicInteger();
    Simulator.Result r = sim.run(d -> {
      int n = done.incrementAndGet();
      if (n % 5 == 0 || n == cfg.days()) {
        ctx.progress(String.format("simulate: %d/%d days written", n, cfg.days()));
      }
    });
    ctx.progress(String.format("simulate: %,d events (%,d lines, %,d malformed on purpose), %,d accounts (%,d in campaigns), "
            + "%d files, %,d MB in %.1f s",
        r.events(), r.lines(), r.malformed(), r.accounts(), r.campaignAccounts(), r.files(), r.bytes() >> 20,
        (System.nanoTime() - t0) / 1e9));
    return 0;
  }
}
