package io.distillwatch.jobs.simulate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Worlds drawn from ranges, not only from a seed. World 0 is the default world (the populations
 * and six campaigns written in {@link Population} and {@link Campaigns}); world {@code N >= 1}
 * draws its campaigns' shapes and its benign populations' sizes from the ranges below, from
 * {@code (seed, N)} alone, so a quality gate meets campaigns and crowds it was not written for.
 * Every campaign signal has, in some worlds, a campaign that dodges it (its condition false, the
 * others as they come): aged accounts, own cards, spread sign-ups, own residential addresses, no
 * chain-of-thought, ordinary capabilities mixed in, many templates, ordinary timing, rates above
 * any "low volume" limit. docs/campaigns.md ("Worlds") lists each range and where it comes from.
 */
final class World {
  private World() {}

  /** The tactics a drawn world's campaigns are named after (the first ones of a world are one of each). */
  static final String[] TACTICS = {"hydra", "proxy_mix", "edu_abuse", "model_pivot", "multilingual", "low_and_slow"};
  private static final String[] DISTILL = {"reasoning", "rubric_grading", "agentic_coding", "tool_use"};
  private static final String[] ORDINARY = {"general_chat", "other", "translation"};
  private static final String[] CLIENTS = {"python-httpx/0.27.2", "OpenAI/Python 1.51.0", "node-fetch/3.3.2",
      "python-requests/2.32.3", Population.UA_OFFICIAL[0], Population.UA_OFFICIAL[1]};

  private static SplittableRandom rng(SimConfig cfg, long salt) {
    return new SplittableRandom(Ids.mix(cfg.seed(), 0x3071DL + salt, cfg.world()));
  }

  /**
   * A benign population's size relative to the default world: 0.5x to 2x, agentic-coding power
   * users 0.5x to 4x (how common distillation-shaped work is among ordinary customers varies most).
   */
  static double benignFactor(SimConfig cfg, String group) {
    if (cfg.world() == 0) {
      return 1.0;
    }
    double u = rng(cfg, group.hashCode()).nextDouble();
    return group.equals("coding_power") ? 0.5 + 3.5 * u : 0.5 + 1.5 * u;
  }

  /** The drawn campaigns of a world: 4 to 7, the first ones one of each tactic. */
  static List<Group> campaigns(SimConfig cfg, SplittableRandom rng, Instant start, int[] templateIds) {
    SplittableRandom w = rng(cfg, 0);
    int count = 4 + w.nextInt(4);
    List<Group> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String tactic = i < TACTICS.length ? TACTICS[(i + (int) (cfg.world() % TACTICS.length)) % TACTICS.length]
          : TACTICS[w.nextInt(TACTICS.length)];
      out.add(campaign(cfg, w, rng, start, templateIds, String.format("C%02d", i + 1), tactic));
    }
    return out;
  }

  private static Group campaign(SimConfig cfg, SplittableRandom w, SplittableRandom rng, Instant start, int[] templateIds,
                                String id, String tactic) {
    boolean proxy = tactic.equals("proxy_mix");
    // accounts at scale 1: campaigns of 20-600 accounts in a world of ~4,000 (the disclosures' 24,000 of
    // millions is rarer still); a reseller relays 10-60 customer accounts
    int accounts = proxy ? 10 + w.nextInt(51) : tactic.equals("hydra") ? 100 + w.nextInt(501) : 20 + w.nextInt(181);
    // requests per account-day: 5-60 around the disclosed ~26; a reseller carries its customers' 100-400
    double rate = proxy ? 100 + 300 * w.nextDouble() : 5 + 55 * w.nextDouble();
    Group g = Campaigns.campaign(cfg, id, tactic, accounts, rate, 0.5 * w.nextDouble());
    g.rate = proxy ? rate : rate / cfg.spread(); // no cap: a campaign may send more than a "low volume" rule assumes
    g.timing = switch (w.nextInt(3)) {
      case 0 -> Group.Timing.ROUND_ROBIN;
      case 1 -> Group.Timing.DIURNAL;
      default -> Group.Timing.UNIFORM;
    };
    if (proxy) {
      g.timing = Group.Timing.DIURNAL;
      g.freeText = Group.Text.CHAT;
    }
    // templates: 5-200 (many templates dodge concentration); chain-of-thought in none (a quarter of
    // worlds) or 20-90 % of them; ordinary capabilities mixed into 0-60 % of them
    int templates = 5 + w.nextInt(196);
    double cot = w.nextDouble() < 0.25 ? 0 : 0.2 + 0.7 * w.nextDouble();
    double ordinary = w.nextDouble() < 0.3 ? 0.6 * w.nextDouble() : 0;
    for (int t = 0; t < templates; t++) {
      String cap = w.nextDouble() < ordinary ? ORDINARY[w.nextInt(ORDINARY.length)] : DISTILL[w.nextInt(DISTILL.length)];
      g.templates.add(tactic.equals("multilingual") && t % 3 == 0
          ? PromptFactory.foreignTemplate(templateIds[0]++, new String[] {"zh", "ru", "es"}[t % 9 / 3], t / 3)
          : PromptFactory.template(templateIds[0]++, cap, w.nextDouble() < cot, rng));
    }
    g.pivot = tactic.equals("model_pivot") || w.nextDouble() < 0.1;
    // cards: each account its own (a third of worlds) or 2-50 accounts per card
    int perPayment = w.nextDouble() < 0.33 ? 1 : 2 + w.nextInt(49);
    // sign-ups: fresh accounts in bursts of 5-150 (60 %), or aged accounts bought or reused, created
    // 30-900 days before with no burst
    boolean fresh = w.nextDouble() < 0.6;
    int perBurst = 5 + w.nextInt(146);
    String program = tactic.equals("edu_abuse") ? "education" : w.nextDouble() < 0.15 ? "startup" : null;
    // networks: a rotating proxy pool of 5-200 /24s, a sticky proxy per account, or own residential addresses
    int network = w.nextInt(3);
    SimAccount.IpPool pool = network == 0 ? Population.proxyPool(rng, 5 + w.nextInt(196), 2 + w.nextInt(9), 1 + w.nextInt(4))
        : null;
    Campaigns.accounts(cfg, g, rng, start, pool, CLIENTS[w.nextInt(CLIENTS.length)], perPayment, perBurst, program);
    SimAccount.IpPool sticky = network == 1 ? Population.proxyPool(rng, 10 + w.nextInt(50), 10, 2) : null;
    Instant campaignStart = start.plusSeconds(86_400L * g.startDay);
    for (SimAccount a : g.accounts) {
      if (!fresh) {
        a.createdAt = campaignStart.minusSeconds(86_400L * (30 + w.nextInt(871)) + w.nextInt(86_400));
        a.emailDomain = w.nextDouble() < 0.5 ? "gmail.com" : "company" + w.nextInt(5000) + ".com";
        a.verified = w.nextDouble() < 0.5;
      }
      if (network == 1) {
        int k = w.nextInt(sticky.size());
        a.network = new SimAccount.IpPool(new String[] {sticky.ips()[k]}, new int[] {sticky.asns()[k]},
            new String[] {sticky.countries()[k]});
      } else if (network == 2) {
        Population.IpAddress home = Population.IpAddress.residential(rng);
        a.network = new SimAccount.IpPool(new String[] {home.ip()}, new int[] {home.asn()}, new String[] {home.country()});
        a.signupIp = home.ip();
      }
      if (proxy) {
        a.createdAt = campaignStart.minusSeconds(86_400L * (60 + w.nextInt(300)));
        a.distillShare = 0.05 + 0.45 * w.nextDouble();
        a.tier = "scale";
        a.verified = true;
        a.rateFactor = 0.6 + 0.8 * w.nextDouble();
      }
      if (g.pivot) {
        a.pivotHour = w.nextInt(24);
      }
    }
    return g;
  }
}
