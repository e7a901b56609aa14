package io.distillwatch.jobs.simulate;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes synthetic API traffic in the landing layout of DESIGN.md: events and account-registry
 * snapshots per date, and the labels for evaluation. Deterministic: every day draws from its own
 * random stream derived from the seed, so days are generated in parallel and the same seed gives
 * the same bytes.
 *
 * <p>Files per day: {@code part-00000.jsonl} (plain, with a few malformed lines on purpose),
 * {@code part-0000k.jsonl.gz} for the rest, and {@code late-from-<previous day>.jsonl} holding
 * events of the previous day delivered late or twice.
 */
public final class Simulator {
  static final String MODEL = "atlas-3";
  static final String MINI = "atlas-3-mini";
  static final String LEGACY = "atlas-2";
  static final String NEW_MODEL = "atlas-4";

  /** What was written. */
  public record Result(long events, long lines, long malformed, long accounts, long campaignAccounts, int files,
                       long bytes) {}

  private final SimConfig cfg;
  private final FileSystem fs; // null for a local landing zone, written with java.nio
  private final Path landing;
  private final List<Group> groups;

  public Simulator(SimConfig cfg, String landing, Configuration hadoop) {
    this.cfg = cfg;
    try {
      Path p = new Path(landing);
      String scheme = p.toUri().getScheme();
      if (scheme == null || scheme.equals("file")) {
        // Hadoop's local file system logs in a user, forks a chmod per file and writes .crc files
        this.fs = null;
        this.landing = new Path(java.nio.file.Path.of(p.toUri().getPath()).toAbsolutePath().toUri());
      } else {
        this.fs = p.getFileSystem(hadoop);
        this.landing = fs.makeQualified(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.groups = Population.build(cfg);
  }

  /** The populations with their sizes, rates and start days (what the run will produce). */
  public List<GroupPlan> plan() {
    List<GroupPlan> out = new ArrayList<>();
    for (Group g : groups) {
      double factors = g.accounts.stream().mapToDouble(a -> a.rateFactor).sum();
      out.add(new GroupPlan(g.name, g.profile, g.campaign, g.tactic, g.accounts.size(), g.rate, g.activeProb,
          factors, g.startDay, g.timing.name()));
    }
    return out;
  }

  /** One population: {@code rateFactorSum} is the sum over its accounts of their rate multipliers. */
  public record GroupPlan(String group, String profile, String campaign, String tactic, int accounts, double rate,
                          double activeProb, double rateFactorSum, int startDay, String timing) {}

  public Result run(IntConsumer dayDone) {
    AtomicLong events = new AtomicLong();
    AtomicLong lines = new AtomicLong();
    AtomicLong malformed = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicLong files = new AtomicLong();
    // days are independent: one task each on a plain thread pool. Not a ForkJoinPool: waiting on a
    // fork-join task from a fork-join worker (JUnit runs test classes on one) lets that worker run other
    // queued work meanwhile, such as another test class that then asks for the same simulation
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
    try {
      List<Future<?>> days = new ArrayList<>();
      for (int day = 0; day < cfg.days(); day++) {
        int d = day;
        days.add(pool.submit(() -> {
          DayStats s = new DayWriter(d).write();
          events.addAndGet(s.events);
          lines.addAndGet(s.lines);
          malformed.addAndGet(s.malformed);
          bytes.addAndGet(s.bytes);
          files.addAndGet(s.files);
          dayDone.accept(d);
        }));
      }
      for (Future<?> day : days) {
        day.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    long accounts = 0;
    long campaignAccounts = 0;
    try {
      bytes.addAndGet(writeLabels());
      files.incrementAndGet();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Group g : groups) {
      accounts += g.accounts.size();
      campaignAccounts += g.isCampaign() ? g.accounts.size() : 0;
    }
    return new Result(events.get(), lines.get(), malformed.get(), accounts, campaignAccounts, (int) files.get(), bytes.get());
  }

  private long writeLabels() throws IOException {
    Path p = new Path(landing, "labels/labels.jsonl");
    JsonLine j = new JsonLine();
    try (CountingWriter w = open(p, false)) {
      for (Group g : groups) {
        for (SimAccount a : g.accounts) {
          w.line(j.begin().str("account_id", a.id).raw("campaign", g.campaign == null ? "null" : "\"" + g.campaign + "\"")
              .raw("tactic", g.tactic == null ? "null" : "\"" + g.tactic + "\"").str("profile", g.profile).end());
        }
      }
      return w.bytes;
    }
  }

  private record DayStats(long events, long lines, long malformed, long bytes, int files) {}

  /** Generates and writes one day; everything random comes from the day's own stream. */
  private final class DayWriter {
    private final int day;
    private final LocalDate date;
    private final Instant dayStart;
    private final Instant releaseAt;
    private final SplittableRandom rng;
    private final JsonLine json = new JsonLine();
    private final CountingWriter[] parts;
    private final CountingWriter late;
    private long events;
    private long lines;
    private long eventCounter;
    private String lastLine;

    DayWriter(int day) {
      this.day = day;
      this.date = cfg.from().plusDays(day);
      this.dayStart = date.atStartOfDay().toInstant(ZoneOffset.UTC);
      this.releaseAt = cfg.releaseDate().atStartOfDay().toInstant(ZoneOffset.UTC);
      this.rng = new SplittableRandom(Ids.mix(cfg.seed(), 0xDA7L, day));
      Path dir = new Path(landing, "events/date=" + date);
      try {
        parts = new CountingWriter[cfg.partsPerDay()];
        for (int i = 0; i < parts.length; i++) {
          parts[i] = open(new Path(dir, String.format("part-%05d.jsonl%s", i, i == 0 ? "" : ".gz")), i != 0);
        }
        late = day + 1 < cfg.days()
            ? open(new Path(landing, "events/date=" + date.plusDays(1) + "/late-from-" + date + ".jsonl"), false) : null;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    DayStats write() {
      long bytes = 0;
      int files = 0;
      long malformed;
      try {
        for (Group g : groups) {
          generate(g);
        }
        malformed = writeMalformed();
        for (CountingWriter w : parts) {
          w.close();
          bytes += w.bytes;
          files++;
        }
        if (late != null) {
          late.close();
          bytes += late.bytes;
          files++;
        }
        bytes += writeAccounts();
        files++;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new DayStats(events, lines, malformed, bytes, files);
    }

    private List<SimAccount> members(Group g) {
      List<SimAccount> m = new ArrayList<>();
      if (day < g.startDay) {
        return m;
      }
      Instant end = dayStart.plusSeconds(86_400);
      for (SimAccount a : g.accounts) {
        if (a.createdAt.isBefore(end)) {
          m.add(a);
        }
      }
      return m;
    }

    private void generate(Group g) throws IOException {
      List<SimAccount> members = members(g);
      if (members.isEmpty()) {
        return;
      }
      boolean weekend = date.getDayOfWeek() == DayOfWeek.SATURDAY || date.getDayOfWeek() == DayOfWeek.SUNDAY;
      switch (g.timing) {
        case ROUND_ROBIN -> {
          // a load balancer in front of the accounts: a steady stream, one account after the other
          double sum = 0;
          for (SimAccount a : members) {
            sum += g.rate * a.rateFactor;
          }
          int total = (int) Math.round(sum * (0.95 + 0.1 * rng.nextDouble()));
          double spacing = 86_400.0 / Math.max(1, total);
          int offset = rng.nextInt(members.size());
          for (int i = 0; i < total; i++) {
            double t = (i + 0.5 + 0.3 * (rng.nextDouble() - 0.5)) * spacing;
            emit(g, members.get((offset + i) % members.size()), at(t));
          }
        }
        case BURST -> {
          for (SimAccount a : members) {
            if (rng.nextDouble() >= g.activeProb) {
              continue;
            }
            int n = poisson(g.rate * a.rateFactor);
            double pace = 3 + 6 * rng.nextDouble();
            double start = rng.nextDouble() * Math.max(1, 86_400 - n * pace);
            for (int i = 0; i < n; i++) {
              emit(g, a, at(start + i * pace + rng.nextDouble()));
            }
          }
        }
        default -> {
          for (SimAccount a : members) {
            if (rng.nextDouble() >= g.activeProb) {
              continue;
            }
            double mean = g.rate * a.rateFactor * (weekend && g.timing == Group.Timing.WORKDAYS ? 0.3 : 1.0);
            int n = poisson(mean);
            for (int i = 0; i < n; i++) {
              double t = g.timing == Group.Timing.UNIFORM ? rng.nextDouble() * 86_400 : diurnal(a.tzOffsetHours);
              emit(g, a, at(t));
            }
          }
        }
      }
    }

    private Instant at(double secondsIntoDay) {
      double s = Math.max(0, Math.min(86_399.999, secondsIntoDay));
      return dayStart.plusMillis((long) (s * 1000));
    }

    /** Seconds into the UTC day, busiest in the account's local afternoon. */
    private double diurnal(int tz) {
      while (true) {
        double local = rng.nextDouble() * 24;
        double w = 0.08 + Math.exp(-Math.pow(local - 14.5, 2) / (2 * 3.5 * 3.5));
        if (rng.nextDouble() * 1.08 < w) {
          double utc = ((local - tz) % 24 + 24) % 24;
          return utc * 3600;
        }
      }
    }

    private int poisson(double mean) {
      if (mean <= 0) {
        return 0;
      }
      if (mean > 40) {
        double u1 = Math.max(1e-12, rng.nextDouble());
        double z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.nextDouble());
        return Math.max(0, (int) Math.round(mean + Math.sqrt(mean) * z));
      }
      double l = Math.exp(-mean);
      double p = 1;
      int k = 0;
      do {
        k++;
        p *= rng.nextDouble();
      } while (p > l);
      return k - 1;
    }

    private void emit(Group g, SimAccount a, Instant ts) throws IOException {
      boolean distill = g.isCampaign() && (!g.tactic.equals("proxy_mix") || rng.nextDouble() < a.distillShare);
      if (distill && g.tactic.equals("proxy_mix")) {
        ts = at(rng.nextDouble() * 86_400); // the relayed campaign runs around the clock
      }
      PromptFactory.Template t = null;
      if (distill) {
        t = PromptFactory.pick(g.templates, rng);
      } else if (g.templateShare > 0 && rng.nextDouble() < g.templateShare) {
        if (!g.sharedTemplates.isEmpty() && (a.ownTemplates.isEmpty() || rng.nextDouble() < g.sharedShare)) {
          t = PromptFactory.pick(g.sharedTemplates, rng);
        } else if (!a.ownTemplates.isEmpty()) {
          t = PromptFactory.pick(a.ownTemplates, rng);
        }
      }
      String prompt;
      boolean cot;
      if (t != null) {
        prompt = PromptFactory.render(t, rng);
        cot = t.cot();
      } else {
        prompt = g.freeText == Group.Text.CODING ? PromptFactory.coding(rng) : PromptFactory.chat(rng);
        cot = rng.nextDouble() < g.freeCotShare;
        if (cot) {
          prompt = prompt + " Let's think step by step.";
        }
      }
      int ipIndex = rng.nextInt(a.network.size());
      int maxTokens = g.maxTokens[rng.nextInt(g.maxTokens.length)];
      boolean error = rng.nextDouble() < g.errorRate;
      int status = error ? (rng.nextDouble() < 0.8 ? 429 : 500) : 200;
      int completion = error ? 0 : (int) Math.min(maxTokens,
          (g.longOutputs || cot ? 0.35 + 0.6 * rng.nextDouble() : 0.05 + 0.3 * rng.nextDouble()) * maxTokens);
      String response = null;
      if (!error && rng.nextDouble() < g.responseShare) {
        response = rng.nextDouble() < 0.05 ? "[redacted]" : PromptFactory.response(cot, rng);
      }
      int promptTokens = prompt.length() / 4 + (g.systemPrompt == null ? 0 : g.systemPrompt.length() / 4);
      int turns = g.turnsMax > 1 ? 1 + rng.nextInt(g.turnsMax) : 1 + (rng.nextDouble() < 0.2 ? rng.nextInt(6) : 0);
      promptTokens += (turns - 1) * 180;

      String eventId = "evt_" + Long.toHexString(Ids.mix(cfg.seed(), 0xE7L, day, eventCounter++));
      json.begin()
          .str("event_id", eventId)
          .str("ts", rng.nextDouble() < 0.03
              ? OffsetDateTime.ofInstant(ts, ZoneOffset.ofHours(2)).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)
              : DateTimeFormatter.ISO_INSTANT.format(ts))
          .str("account_id", a.id)
          .str("org_id", a.orgId)
          .str("api_key_id", a.apiKeys[rng.nextInt(a.apiKeys.length)])
          .str("ip", a.network.ips()[ipIndex])
          .num("asn", a.network.asns()[ipIndex])
          .str("country", a.network.countries()[ipIndex])
          .str("user_agent", a.userAgent)
          .str("endpoint", g.endpoint)
          .str("model", model(g, a, ts))
          .str("prompt", prompt)
          .str("system_prompt", g.systemPrompt)
          .str("response", response)
          .num("prompt_tokens", promptTokens)
          .num("completion_tokens", completion)
          .dbl("temperature", g.temperatures[rng.nextInt(g.temperatures.length)])
          .num("max_tokens", maxTokens)
          .num("n", g.nMultiProb > 0 && rng.nextDouble() < g.nMultiProb ? 2 + rng.nextInt(3) : 1)
          .bool("logprobs", rng.nextDouble() < g.logprobsProb)
          .num("tools", g.toolsMax > 0 ? rng.nextInt(g.toolsMax + 1) : (t != null && t.capability().equals("tool_use") ? 2 + rng.nextInt(4) : 0))
          .num("turns", turns)
          .num("status", status);
      if (rng.nextDouble() < 0.05) {
        json.str("x_gateway_region", "us-east-1"); // an unknown field: ignored by ingest
      }
      String line = json.end();
      events++;
      double r = rng.nextDouble();
      if (late != null && r < cfg.lateShare()) {
        late.line(line);
        lines++;
        return;
      }
      int part = Math.floorMod(a.id.hashCode(), parts.length);
      parts[part].line(line);
      lines++;
      lastLine = line;
      if (late != null && r < cfg.lateShare() + cfg.repeatShare()) {
        late.line(line); // delivered twice
        lines++;
      }
    }

    private String model(Group g, SimAccount a, Instant ts) {
      if (g.pivot) {
        return ts.isBefore(releaseAt.plusSeconds(3600L * a.pivotHour)) ? MODEL : NEW_MODEL;
      }
      if (g.isCampaign()) {
        return MODEL;
      }
      if (!ts.isBefore(releaseAt)) {
        long days = (ts.getEpochSecond() - releaseAt.getEpochSecond()) / 86_400 + 1;
        if (rng.nextDouble() < Math.min(0.5, g.newModelAdoption * days)) {
          return NEW_MODEL;
        }
      }
      double r = rng.nextDouble();
      return r < 0.7 ? MODEL : r < 0.95 ? MINI : LEGACY;
    }

    /** A few broken lines in part 0, so that quarantine is exercised every day. */
    private long writeMalformed() throws IOException {
      long n = 0;
      for (int i = 0; i < cfg.malformedPerDay(); i++) {
        String id = "evt_bad_" + Long.toHexString(Ids.mix(cfg.seed(), 0xBADL, day, i));
        String ts = DateTimeFormatter.ISO_INSTANT.format(dayStart.plusSeconds(3600L * (i + 1)));
        String line = switch (i % 5) {
          case 0 -> lastLine == null ? "{\"event_id\": \"" + id : lastLine.substring(0, lastLine.length() * 3 / 5);
          case 1 -> json.begin().str("event_id", id).str("ts", ts).str("account_id", "acct_unknown").str("model", MODEL).end();
          case 2 -> json.begin().str("event_id", id).str("ts", date + " 12:00:00").str("account_id", "acct_unknown")
              .str("model", MODEL).str("prompt", "hello").end();
          case 3 -> json.begin().str("event_id", id).str("ts", ts).str("account_id", "acct_unknown")
              .str("model", MODEL).str("prompt", "hello").str("asn", "AS13335").end();
          default -> json.begin().str("event_id", id).str("ts", ts).str("account_id", "acct_unknown")
              .str("model", MODEL).str("prompt", "hello").str("logprobs", "yes").end();
        };
        parts[0].line(line);
        lines++;
        n++;
      }
      return n;
    }

    /** The registry snapshot: on the first day every existing account, then the accounts created that day. */
    private long writeAccounts() throws IOException {
      Instant end = dayStart.plusSeconds(86_400);
      Path p = new Path(landing, "accounts/date=" + date + "/accounts.jsonl");
      try (CountingWriter w = open(p, false)) {
        for (Group g : groups) {
          for (SimAccount a : g.accounts) {
            boolean include = a.createdAt.isBefore(end) && (day == 0 || !a.createdAt.isBefore(dayStart));
            if (include) {
              w.line(json.begin().str("account_id", a.id).str("org_id", a.orgId)
                  .str("created_at", DateTimeFormatter.ISO_INSTANT.format(a.createdAt))
                  .str("email_domain", a.emailDomain).str("payment_fingerprint", a.payment)
                  .str("signup_ip", a.signupIp).str("country", a.country).str("tier", a.tier)
                  .bool("verified", a.verified).str("program", a.program).end());
            }
          }
        }
        return w.bytes;
      }
    }
  }

  private CountingWriter open(Path p, boolean gzip) throws IOException {
    OutputStream out;
    if (fs == null) {
      java.nio.file.Path local = java.nio.file.Path.of(p.toUri());
      java.nio.file.Files.createDirectories(local.getParent());
      out = java.nio.file.Files.newOutputStream(local);
    } else {
      out = fs.create(p, true);
    }
    if (gzip) {
      out = new GZIPOutputStream(out, 1 << 16) {
        {
          def.setLevel(Deflater.BEST_SPEED);
        }
      };
    }
    return new CountingWriter(new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16));
  }

  /** Writes lines and counts the (uncompressed) bytes. */
  private static final class CountingWriter implements AutoCloseable {
    private final Writer w;
    long bytes;

    CountingWriter(Writer w) {
      this.w = w;
    }

    void line(String s) throws IOException {
      w.write(s);
      w.write('\n');
      bytes += s.length() + 1;
    }

    @Override
    public void close() throws IOException {
      w.close();
    }
  }
}
