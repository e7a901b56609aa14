package io.distillwatch.jobs.simulate;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The simulated customer base: benign populations (including the hard negatives of DESIGN.md:
 * evaluation harnesses, batch synthetic-data jobs, agentic-coding power users, enterprises behind
 * one NAT) and campaigns using the documented tactics. Sizes are for scale 1 (about 1M events
 * in 30 days); every account count is multiplied by the scale.
 */
final class Population {
  private Population() {}

  static final String[] UA_OFFICIAL = {"atlas-sdk-python/1.8.0", "atlas-sdk-node/1.5.2", "atlas-sdk-python/1.7.3"};
  private static final int[] ISP_ASNS = {7922, 3320, 2856, 5089, 701, 20115, 3215, 6830, 7018, 22773, 12322, 1136};
  private static final String[] ISP_COUNTRIES = {"US", "DE", "GB", "GB", "US", "US", "FR", "AT", "US", "US", "FR", "NL"};
  private static final int[] CLOUD_ASNS = {16509, 15169, 8075, 14061};
  private static final int[] PROXY_ASNS = {9009, 20473, 51167, 62240, 24940, 212238, 60068, 136258};
  private static final String[] PROXY_COUNTRIES = {"US", "DE", "NL", "SG", "BR", "IN", "PL", "JP", "CA", "VN"};

  static List<Group> build(SimConfig cfg) {
    SplittableRandom rng = new SplittableRandom(Ids.mix(cfg.seed(), 0x9090L));
    Instant start = cfg.from().atStartOfDay().toInstant(ZoneOffset.UTC);
    List<Group> groups = new ArrayList<>();
    int[] templateIds = {1};

    // a public benchmark that thousands of unrelated accounts run (a hub the linkage must ignore)
    List<PromptFactory.Template> benchmark = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      benchmark.add(PromptFactory.template(templateIds[0]++, i % 2 == 0 ? "reasoning" : "other", false, rng));
    }

    Group hobbyist = new Group("hobbyist", "hobbyist", null, null);
    hobbyist.rate = 4;
    hobbyist.activeProb = 0.35;
    hobbyist.freeCotShare = 0.03;
    hobbyist.maxTokens = new int[] {512, 1024, 2048};
    hobbyist.responseShare = 0.8;
    benign(cfg, hobbyist, n(cfg, hobbyist.name, 2400), rng, start, Net.RESIDENTIAL);
    groups.add(hobbyist);

    Group student = new Group("student", "student", null, null);
    student.rate = 6;
    student.activeProb = 0.2;
    student.templateShare = 0.5;
    student.sharedTemplates = benchmark;
    student.sharedShare = 1.0;
    student.temperatures = new double[] {0.0, 0.7};
    benign(cfg, student, n(cfg, student.name, 600), rng, start, Net.RESIDENTIAL);
    for (SimAccount a : student.accounts) {
      if (rng.nextDouble() < 0.3) {
        a.program = "education"; // legitimate use of the education programme
        a.emailDomain = "uni" + rng.nextInt(40) + ".edu";
      }
    }
    groups.add(student);

    Group chatApp = new Group("chat_app", "chat_app", null, null);
    chatApp.rate = 200;
    chatApp.systemPrompt = "You are a friendly assistant inside a consumer app. Be concise and kind.";
    chatApp.maxTokens = new int[] {512, 1024};
    chatApp.responseShare = 0.9;
    benign(cfg, chatApp, n(cfg, chatApp.name, 30), rng, start, Net.CLOUD);
    for (SimAccount a : chatApp.accounts) {
      a.rateFactor = 0.25 + 1.75 * rng.nextDouble();
      a.userAgent = "atlas-sdk-node/1.5.2";
      a.tier = "scale";
    }
    groups.add(chatApp);

    Group coder = new Group("coding_power", "coding_power_user", null, null);
    coder.timing = Group.Timing.WORKDAYS;
    coder.rate = 120;
    coder.freeText = Group.Text.CODING;
    coder.toolsMax = 12;
    coder.turnsMax = 60;
    coder.maxTokens = new int[] {8192, 16384};
    coder.temperatures = new double[] {0.0, 1.0};
    coder.longOutputs = true;
    coder.freeCotShare = 0.05;
    benign(cfg, coder, n(cfg, coder.name, 50), rng, start, Net.RESIDENTIAL);
    for (SimAccount a : coder.accounts) {
      a.rateFactor = 0.5 + 1.5 * rng.nextDouble();
      a.userAgent = "atlas-code-cli/2.1.0";
      a.tier = "scale";
    }
    groups.add(coder);

    Group eval = new Group("eval_harness", "eval_harness", null, null);
    eval.timing = Group.Timing.BURST;
    eval.rate = 600;
    eval.activeProb = 0.3;
    eval.templateShare = 1.0;
    eval.sharedTemplates = benchmark;
    eval.sharedShare = 0.6;
    eval.temperatures = new double[] {0.0};
    eval.maxTokens = new int[] {256, 512, 1024};
    eval.logprobsProb = 0.5;
    eval.responseShare = 0.9;
    benign(cfg, eval, n(cfg, eval.name, 25), rng, start, Net.CLOUD);
    for (SimAccount a : eval.accounts) {
      a.userAgent = "python-httpx/0.27.2"; // the same client as a hydra cluster: not evidence alone
      a.tier = "scale";
    }
    privateTemplates(eval, 4, new String[] {"reasoning", "rubric_grading", "other"}, 0.1, rng, templateIds);
    groups.add(eval);

    Group batch = new Group("batch_synthetic", "batch_synthetic", null, null);
    batch.timing = Group.Timing.UNIFORM;
    batch.rate = 500;
    batch.templateShare = 1.0;
    batch.endpoint = "batch";
    batch.nMultiProb = 0.5;
    batch.temperatures = new double[] {0.8, 1.0};
    batch.maxTokens = new int[] {2048};
    benign(cfg, batch, n(cfg, batch.name, 8), rng, start, Net.CLOUD);
    for (SimAccount a : batch.accounts) {
      a.rateFactor = 0.6 + 0.8 * rng.nextDouble();
      a.tier = "enterprise";
    }
    privateTemplates(batch, 3, new String[] {"other", "general_chat"}, 0.0, rng, templateIds);
    groups.add(batch);

    int[] natSizes = {50, 40, 30};
    for (int o = 0; o < natSizes.length; o++) {
      Group nat = new Group("enterprise_nat_" + (o + 1), "enterprise_nat", null, null);
      nat.timing = Group.Timing.WORKDAYS;
      nat.rate = 10;
      nat.freeText = o == 1 ? Group.Text.CODING : Group.Text.CHAT;
      nat.freeCotShare = 0.02;
      benign(cfg, nat, n(cfg, nat.name, natSizes[o]), rng, start, Net.RESIDENTIAL);
      String org = "org_" + Ids.hex(cfg.seed(), 77, o, 0);
      String payment = "pm_" + Ids.hex(cfg.seed(), 78, o, 0);
      String domain = "corp" + (o + 1) + "-example.com";
      IpAddress natIp = IpAddress.residential(rng);
      for (SimAccount a : nat.accounts) {
        a.orgId = org;
        a.payment = payment;
        a.emailDomain = domain;
        a.network = new SimAccount.IpPool(new String[] {natIp.ip()}, new int[] {natIp.asn()}, new String[] {natIp.country()});
        a.signupIp = natIp.ip();
        a.tier = "enterprise";
        a.verified = true;
        a.rateFactor = 0.2 + 1.6 * rng.nextDouble();
      }
      groups.add(nat);
    }

    groups.addAll(benignClusters(cfg, rng, start, templateIds));
    groups.addAll(cfg.world() == 0 ? Campaigns.build(cfg, rng, start, templateIds) : World.campaigns(cfg, rng, start, templateIds));
    return groups;
  }

  /**
   * Benign people who share what a link looks at, or behave the way a campaign signal looks for,
   * so the link graph forms benign clusters and scoring meets them (docs/campaigns.md, "Benign
   * clusters"): households on one card; a university course that signed up together in its first
   * lecture, on the campus network, and works on shared assignments in the same hours; agencies
   * that pay for their clients' accounts and do agentic coding from one office. None of them harvests.
   */
  private static List<Group> benignClusters(SimConfig cfg, SplittableRandom rng, Instant start, int[] templateIds) {
    List<Group> out = new ArrayList<>();

    Group family = new Group("family_card", "family_card", null, null);
    family.rate = 4;
    family.activeProb = 0.35;
    family.freeCotShare = 0.03;
    benign(cfg, family, n(cfg, family.name, 90), rng, start, Net.RESIDENTIAL);
    for (int i = 0; i < family.accounts.size(); i++) {
      SimAccount a = family.accounts.get(i);
      a.payment = "pm_" + Ids.hex(cfg.seed(), 79, i / 3, 0); // three personal accounts, one household card
    }
    out.add(family);

    Group course = new Group("course_cohort", "course_cohort", null, null);
    course.rate = 6;
    course.activeProb = 0.5;
    course.templateShare = 0.4;
    course.sharedShare = 1.0;
    course.freeCotShare = 0.05;
    for (int i = 0; i < 4; i++) { // the assignments: one asks students to show their reasoning
      course.sharedTemplates.add(PromptFactory.template(templateIds[0]++, i % 2 == 0 ? "reasoning" : "other", i == 0, rng));
    }
    benign(cfg, course, n(cfg, course.name, 45), rng, start, Net.RESIDENTIAL);
    IpAddress campus = IpAddress.residential(rng);
    String campusNet = campus.ip().substring(0, campus.ip().lastIndexOf('.') + 1);
    Instant firstLecture = start.minusSeconds(86_400L * (5 + rng.nextInt(10)));
    for (SimAccount a : course.accounts) {
      String ip = campusNet + (1 + rng.nextInt(4));
      a.network = new SimAccount.IpPool(new String[] {ip, a.network.ips()[0]}, new int[] {campus.asn(), a.network.asns()[0]},
          new String[] {campus.country(), a.network.countries()[0]});
      a.signupIp = ip;
      a.createdAt = firstLecture.plusSeconds(rng.nextInt(40 * 60));
      a.emailDomain = "students.uni-course.edu";
      a.program = "education";
      a.verified = true;
      a.tzOffsetHours = 1;
    }
    out.add(course);

    Group agency = new Group("agency_clients", "agency_clients", null, null);
    agency.timing = Group.Timing.WORKDAYS;
    agency.rate = 25;
    agency.freeText = Group.Text.CODING;
    agency.toolsMax = 8;
    agency.turnsMax = 20;
    agency.maxTokens = new int[] {4096, 8192};
    agency.freeCotShare = 0.03;
    agency.newModelAdoption = 0.15; // early adopters, not a 24-hour pivot
    benign(cfg, agency, n(cfg, agency.name, 24), rng, start, Net.RESIDENTIAL);
    SimAccount.IpPool office = null;
    for (int i = 0; i < agency.accounts.size(); i++) {
      SimAccount a = agency.accounts.get(i);
      if (i % 12 == 0) {
        IpAddress gateway = IpAddress.residential(rng); // the office's business line: two egress addresses in one /24
        String net = gateway.ip().substring(0, gateway.ip().lastIndexOf('.') + 1);
        office = new SimAccount.IpPool(new String[] {gateway.ip(), net + (1 + rng.nextInt(254))},
            new int[] {gateway.asn(), gateway.asn()}, new String[] {gateway.country(), gateway.country()});
      }
      a.payment = "pm_" + Ids.hex(cfg.seed(), 80, i / 12, 0); // the agency pays for each client's account
      a.network = office;
      a.tier = "build";
      a.verified = true;
      a.rateFactor = 0.5 + rng.nextDouble();
    }
    out.add(agency);
    return out;
  }

  static int n(SimConfig cfg, String group, int base) {
    Integer override = cfg.accountOverrides().get(group);
    return override != null ? override : Math.max(1, (int) Math.round(base * cfg.scale()));
  }

  enum Net { RESIDENTIAL, CLOUD }

  /** Benign accounts: their own org, payment and address, created up to two years ago. */
  private static void benign(SimConfig cfg, Group g, int baseCount, SplittableRandom rng, Instant start, Net net) {
    int count = Math.max(1, (int) Math.round(baseCount * World.benignFactor(cfg, g.name)));
    for (int i = 0; i < count; i++) {
      SimAccount a = new SimAccount("acct_" + Ids.hex(cfg.seed(), g.name.hashCode(), i, 1), g);
      a.orgId = "org_" + Ids.hex(cfg.seed(), g.name.hashCode(), i, 2);
      a.apiKeys = new String[] {"key_" + Ids.hex(cfg.seed(), g.name.hashCode(), i, 3)};
      a.createdAt = start.minusSeconds(86_400L * (5 + rng.nextInt(700)) + rng.nextInt(86_400));
      a.emailDomain = rng.nextDouble() < 0.5 ? "gmail.com" : "company" + rng.nextInt(5000) + ".com";
      a.payment = "pm_" + Ids.hex(cfg.seed(), g.name.hashCode(), i, 4);
      int ips = 1 + (rng.nextDouble() < 0.4 ? 1 : 0);
      String[] addr = new String[ips];
      int[] asn = new int[ips];
      String[] cc = new String[ips];
      for (int k = 0; k < ips; k++) {
        IpAddress ip = net == Net.RESIDENTIAL ? IpAddress.residential(rng) : IpAddress.cloud(rng);
        addr[k] = ip.ip();
        asn[k] = ip.asn();
        cc[k] = ip.country();
      }
      a.network = new SimAccount.IpPool(addr, asn, cc);
      a.signupIp = addr[0];
      a.country = cc[0];
      a.tier = rng.nextDouble() < 0.6 ? "free" : "build";
      a.verified = rng.nextDouble() < 0.8;
      a.userAgent = rng.nextDouble() < 0.85 ? UA_OFFICIAL[rng.nextInt(UA_OFFICIAL.length)]
          : rng.nextBoolean() ? "curl/8.5.0" : "python-requests/2.32.3";
      a.tzOffsetHours = new int[] {-8, -5, 0, 1, 2, 5, 8, 9}[rng.nextInt(8)];
      g.accounts.add(a);
    }
  }

  /** Templates of each account's own (an evaluation suite, a batch job): not shared with anyone. */
  static void privateTemplates(Group g, int perAccount, String[] capabilities, double cot, SplittableRandom rng,
                               int[] templateIds) {
    for (SimAccount a : g.accounts) {
      for (int i = 0; i < perAccount; i++) {
        a.ownTemplates.add(PromptFactory.template(templateIds[0]++, capabilities[i % capabilities.length],
            rng.nextDouble() < cot, rng));
      }
    }
  }

  /** An address with its network's ASN and country. */
  record IpAddress(String ip, int asn, String country) {
    static IpAddress residential(SplittableRandom rng) {
      int k = rng.nextInt(ISP_ASNS.length);
      return new IpAddress((24 + 7 * k) + "." + rng.nextInt(256) + "." + rng.nextInt(256) + "." + (1 + rng.nextInt(254)),
          ISP_ASNS[k], ISP_COUNTRIES[k]);
    }

    static IpAddress cloud(SplittableRandom rng) {
      int k = rng.nextInt(CLOUD_ASNS.length);
      return new IpAddress((3 + 31 * k) + "." + rng.nextInt(256) + "." + rng.nextInt(256) + "." + (1 + rng.nextInt(254)),
          CLOUD_ASNS[k], "US");
    }
  }

  /** A rotating proxy pool: {@code prefixes} /24 networks of {@code perPrefix} addresses in a few ASNs. */
  static SimAccount.IpPool proxyPool(SplittableRandom rng, int prefixes, int perPrefix, int asnCount) {
    int[] asns = new int[asnCount];
    for (int i = 0; i < asnCount; i++) {
      asns[i] = PROXY_ASNS[rng.nextInt(PROXY_ASNS.length)];
    }
    String[] ips = new String[prefixes * perPrefix];
    int[] asn = new int[ips.length];
    String[] cc = new String[ips.length];
    for (int p = 0; p < prefixes; p++) {
      String net = (100 + rng.nextInt(120)) + "." + rng.nextInt(256) + "." + rng.nextInt(256) + ".";
      int a = asns[p % asnCount];
      String country = PROXY_COUNTRIES[rng.nextInt(PROXY_COUNTRIES.length)];
      for (int k = 0; k < perPrefix; k++) {
        ips[p * perPrefix + k] = net + (1 + rng.nextInt(254));
        asn[p * perPrefix + k] = a;
        cc[p * perPrefix + k] = country;
      }
    }
    return new SimAccount.IpPool(ips, asn, cc);
  }
}
