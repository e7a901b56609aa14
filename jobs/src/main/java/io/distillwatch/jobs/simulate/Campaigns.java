package io.distillwatch.jobs.simulate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The distillation campaigns of the simulation, one per tactic of DESIGN.md. All stay at or
 * under 30 requests per account per day except the proxy accounts, whose volume is mostly their
 * customers' traffic.
 */
final class Campaigns {
  private Campaigns() {}

  static List<Group> build(SimConfig cfg, SplittableRandom rng, Instant start, int[] templateIds) {
    List<Group> out = new ArrayList<>();

    Group hydra = campaign(cfg, "C01", "hydra", 240, 26, 0.0);
    hydra.templates = templates(30, new String[] {"reasoning", "reasoning", "rubric_grading", "agentic_coding"}, 0.8, rng, templateIds);
    accounts(cfg, hydra, rng, start, Population.proxyPool(rng, 40, 8, 3), "python-httpx/0.27.2", 20, 30, null);
    out.add(hydra);

    Group proxy = campaign(cfg, "C02", "proxy_mix", 10, 250, 0.07);
    proxy.timing = Group.Timing.DIURNAL;
    proxy.freeText = Group.Text.CHAT;
    proxy.templates = templates(15, new String[] {"tool_use", "agentic_coding"}, 0.5, rng, templateIds);
    accounts(cfg, proxy, rng, start, null, "atlas-sdk-node/1.5.2", 5, 1, null);
    SimAccount.IpPool resellerNet = Population.proxyPool(rng, 4, 6, 1);
    for (SimAccount a : proxy.accounts) {
      // established reseller accounts that relay their customers' traffic and mix the campaign in
      a.createdAt = start.minusSeconds(86_400L * (60 + rng.nextInt(300)));
      a.distillShare = 0.05 + 0.45 * rng.nextDouble();
      a.network = resellerNet;
      a.tier = "scale";
      a.verified = true;
      a.rateFactor = 0.6 + 0.8 * rng.nextDouble();
    }
    out.add(proxy);

    Group edu = campaign(cfg, "C03", "edu_abuse", 120, 22, 0.2);
    edu.templates = templates(20, new String[] {"rubric_grading", "reasoning"}, 0.7, rng, templateIds);
    accounts(cfg, edu, rng, start, Population.proxyPool(rng, 25, 8, 2), Population.UA_OFFICIAL[0], 40, 120, "education");
    out.add(edu);

    Group pivot = campaign(cfg, "C04", "model_pivot", 80, 24, 0.1);
    pivot.templates = templates(20, new String[] {"agentic_coding", "tool_use"}, 0.6, rng, templateIds);
    pivot.pivot = true;
    accounts(cfg, pivot, rng, start, Population.proxyPool(rng, 20, 8, 2), "OpenAI/Python 1.51.0", 10, 40, null);
    for (SimAccount a : pivot.accounts) {
      a.pivotHour = rng.nextInt(20);
    }
    out.add(pivot);

    Group lang = campaign(cfg, "C05", "multilingual", 60, 20, 0.33);
    List<PromptFactory.Template> foreign = new ArrayList<>();
    String[] langs = {"zh", "zh", "zh", "ru", "ru", "es", "es"};
    int[] index = {0, 1, 2, 0, 1, 0, 1};
    for (int i = 0; i < langs.length; i++) {
      foreign.add(PromptFactory.foreignTemplate(templateIds[0]++, langs[i], index[i]));
    }
    foreign.addAll(templates(5, new String[] {"reasoning"}, 0.8, rng, templateIds));
    lang.templates = foreign;
    accounts(cfg, lang, rng, start, Population.proxyPool(rng, 20, 6, 2), "node-fetch/3.3.2", 15, 20, null);
    String[] cc = {"CN", "RU", "ES", "HK"};
    for (SimAccount a : lang.accounts) {
      a.country = cc[rng.nextInt(cc.length)];
    }
    out.add(lang);

    Group slow = campaign(cfg, "C06", "low_and_slow", 50, 8, 0.03);
    slow.timing = Group.Timing.UNIFORM;
    slow.templates = templates(12, new String[] {"tool_use"}, 0.4, rng, templateIds);
    accounts(cfg, slow, rng, start, null, "python-requests/2.32.3", 25, 10, null);
    SimAccount.IpPool sticky = Population.proxyPool(rng, 12, 10, 2);
    for (SimAccount a : slow.accounts) {
      int k = rng.nextInt(sticky.size()); // one sticky residential proxy per account
      a.network = new SimAccount.IpPool(new String[] {sticky.ips()[k]}, new int[] {sticky.asns()[k]},
          new String[] {sticky.countries()[k]});
    }
    out.add(slow);
    return out;
  }

  static Group campaign(SimConfig cfg, String id, String tactic, int accounts, double rate, double startAt) {
    Group g = new Group(id, tactic + "_member", id + "-" + tactic, tactic);
    g.timing = Group.Timing.ROUND_ROBIN;
    g.rate = rate / cfg.spread();
    g.startDay = cfg.dayAt(startAt);
    g.templateShare = 1.0;
    g.maxTokens = new int[] {4096, 8192};
    g.temperatures = new double[] {0.7, 1.0};
    g.errorRate = 0.03; // they run into rate limits
    g.responseShare = 0.6;
    g.longOutputs = true;
    g.freeCotShare = 0;
    g.baseAccounts = accounts;
    g.activeProb = 1.0;
    g.rate = Math.min(g.rate, 30);
    if (tactic.equals("proxy_mix")) {
      g.rate = rate; // proxies carry their customers' volume
    }
    return g;
  }

  private static List<PromptFactory.Template> templates(int count, String[] capabilities, double cot,
                                                        SplittableRandom rng, int[] templateIds) {
    List<PromptFactory.Template> t = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      t.add(PromptFactory.template(templateIds[0]++, capabilities[i % capabilities.length], rng.nextDouble() < cot, rng));
    }
    return t;
  }

  /**
   * Campaign accounts: each its own org, created in signup bursts shortly before the campaign
   * starts, sharing payment fingerprints in groups and throwaway e-mail domains per burst.
   */
  static void accounts(SimConfig cfg, Group g, SplittableRandom rng, Instant start, SimAccount.IpPool pool,
                               String userAgent, int perPayment, int perBurst, String program) {
    int count = (int) Math.round(Population.n(cfg, g.name, g.baseAccounts) * (g.tactic.equals("proxy_mix") ? 1 : cfg.spread()));
    Instant campaignStart = start.plusSeconds(86_400L * g.startDay);
    Instant burst = campaignStart;
    String domain = null;
    for (int i = 0; i < count; i++) {
      SimAccount a = new SimAccount("acct_" + Ids.hex(cfg.seed(), g.name.hashCode(), i, 11), g);
      a.orgId = "org_" + Ids.hex(cfg.seed(), g.name.hashCode(), i, 12);
      a.apiKeys = new String[] {"key_" + Ids.hex(cfg.seed(), g.name.hashCode(), i, 13),
          "key_" + Ids.hex(cfg.seed(), g.name.hashCode(), i, 14)};
      if (i % perBurst == 0) {
        // a new burst of sign-ups, 1-3 days before the account is first used
        burst = campaignStart.minusSeconds(86_400L + rng.nextInt(2 * 86_400));
        if (program != null && g.startDay > 0) {
          burst = campaignStart.minusSeconds(3_600L * (1 + rng.nextInt(10)));
        }
        domain = program != null ? "student-mail" + rng.nextInt(1000) + ".edu" : "mail" + rng.nextInt(100_000) + ".xyz";
      }
      a.createdAt = burst.plusSeconds(rng.nextInt(20 * 60));
      a.emailDomain = domain;
      a.payment = "pm_" + Ids.hex(cfg.seed(), g.name.hashCode(), i / perPayment, 15);
      a.network = pool;
      if (pool != null) {
        a.signupIp = pool.ips()[rng.nextInt(pool.size())];
        a.country = pool.countries()[rng.nextInt(pool.size())];
      } else {
        a.signupIp = Population.IpAddress.residential(rng).ip();
        a.country = "US";
      }
      a.tier = "build";
      a.verified = false;
      a.program = program;
      a.userAgent = userAgent;
      g.accounts.add(a);
    }
  }
}
