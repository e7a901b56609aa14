package io.distillwatch.features.accounts;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.sql.Date;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One account's day, tallied request by request: the counts, sets and distributions behind every
 * {@code gold.account_daily} column. Pure Java (no Spark): {@link AccountDaily} feeds it one
 * account's requests, which arrive in no fixed order after the shuffle; every figure is
 * independent of that order (times are sorted, distributions summed in sorted order), so a
 * re-run writes identical rows.
 */
final class AccountDayTally {
  /** The request fields a tally reads, in this order (prepared by {@link AccountDaily#tallyInput}). */
  static final List<String> INPUT = List.of("account_id", "ts_seconds", "hour", "template_id", "capability",
      "cot", "prompt_tokens", "completion_tokens", "high_max_tokens", "multi_sample", "logprobs",
      "temperature_zero", "error", "model", "ip", "asn", "user_agent", "country",
      "script", "non_latin", "tools", "turns");

  private final String accountId;
  private long requests;
  private long tokensIn;
  private long tokensOut;
  private final Map<String, Long> capabilities = new HashMap<>();
  private long cot;
  private long highMaxTokens;
  private long multiSample;
  private long logprobs;
  private long temperatureZero;
  private long errors;
  private long newModel;
  private long nonLatin;
  private long withTools;
  private long toolsSum;
  private long turnsSum;
  private long turnsMax = Long.MIN_VALUE;
  private final Map<Object, Long> templates = new HashMap<>();
  private final Map<Object, Long> hours = new HashMap<>();
  private double[] times = new double[16];
  private final Set<Object> models = new HashSet<>();
  private final Set<Object> ips = new HashSet<>();
  private final Set<Object> asns = new HashSet<>();
  private final Set<Object> userAgents = new HashSet<>();
  private final Set<Object> countries = new HashSet<>();
  private final Set<Object> scripts = new HashSet<>();

  private final Set<String> newModels;

  /** @param newModels models first seen within {@link AccountDaily#NEW_MODEL_DAYS} days of the date */
  AccountDayTally(String accountId, Set<String> newModels) {
    this.accountId = accountId;
    this.newModels = newModels;
  }

  String accountId() {
    return accountId;
  }

  /** Adds one request, a row with the fields of {@link #INPUT}; a null flag counts as false, a null value is not counted. */
  void add(Row r) {
    if (requests == times.length) {
      times = Arrays.copyOf(times, times.length * 2);
    }
    times[(int) requests] = r.getDouble(1);
    requests++;
    hours.merge(r.get(2), 1L, Long::sum);
    templates.merge(r.get(3), 1L, Long::sum);
    if (!r.isNullAt(4)) {
      capabilities.merge(r.getString(4), 1L, Long::sum);
    }
    cot += flag(r, 5);
    tokensIn += r.isNullAt(6) ? 0 : r.getLong(6);
    tokensOut += r.isNullAt(7) ? 0 : r.getLong(7);
    highMaxTokens += flag(r, 8);
    multiSample += flag(r, 9);
    logprobs += flag(r, 10);
    temperatureZero += flag(r, 11);
    errors += flag(r, 12);
    addIfPresent(models, r, 13);
    if (!r.isNullAt(13) && newModels.contains(r.getString(13))) {
      newModel++;
    }
    addIfPresent(ips, r, 14);
    addIfPresent(asns, r, 15);
    addIfPresent(userAgents, r, 16);
    addIfPresent(countries, r, 17);
    addIfPresent(scripts, r, 18);
    nonLatin += flag(r, 19);
    long tools = r.isNullAt(20) ? 0 : r.getLong(20);
    withTools += tools > 0 ? 1 : 0;
    toolsSum += tools;
    long turns = r.isNullAt(21) ? 1 : r.getLong(21);
    turnsSum += turns;
    turnsMax = Math.max(turnsMax, turns);
  }

  private static long flag(Row r, int i) {
    return !r.isNullAt(i) && r.getBoolean(i) ? 1 : 0;
  }

  private static void addIfPresent(Set<Object> set, Row r, int i) {
    if (!r.isNullAt(i)) {
      set.add(r.get(i));
    }
  }

  /** The account_daily row, fields in the order of {@link AccountDaily#SCHEMA}. */
  Row toRow(Date date) {
    Object[] v = new Object[AccountDaily.SCHEMA.size()];
    int i = 0;
    v[i++] = date;
    v[i++] = accountId;
    v[i++] = requests;
    v[i++] = tokensIn;
    v[i++] = tokensOut;
    v[i++] = (double) tokensOut / Math.max(tokensIn, 1L);
    Distribution t = Distribution.of(templates);
    v[i++] = t.distinct();
    v[i++] = t.topShare();
    v[i++] = t.entropy();
    double capabilityEntropy = 0;
    for (String c : AccountDaily.CAPABILITIES) {
      double p = share(capabilities.getOrDefault(c, 0L));
      v[i++] = p;
      capabilityEntropy -= p > 0 ? p * log2(p) : 0;
    }
    v[i++] = capabilityEntropy;
    v[i++] = share(cot);
    Distribution h = Distribution.of(hours);
    v[i++] = h.distinct();
    v[i++] = h.entropy();
    Gaps g = Gaps.of(Arrays.copyOf(times, (int) requests));
    // regular machine timing has a low coefficient of variation; bursts have a high one
    boolean enough = requests >= 3 && g.mean() != null;
    v[i++] = enough && g.mean() > 0 ? g.sd() / g.mean() : null;
    v[i++] = enough && g.sd() + g.mean() > 0 ? (g.sd() - g.mean()) / (g.sd() + g.mean()) : null;
    v[i++] = share(highMaxTokens);
    v[i++] = share(multiSample);
    v[i++] = share(logprobs);
    v[i++] = share(temperatureZero);
    v[i++] = share(errors);
    v[i++] = (long) models.size();
    v[i++] = share(newModel);
    v[i++] = (long) ips.size();
    v[i++] = ips.stream().map(ip -> ipPrefix((String) ip)).distinct().count(); // per distinct address, not per request
    v[i++] = (long) asns.size();
    v[i++] = (long) userAgents.size();
    v[i++] = (long) countries.size();
    v[i++] = (long) scripts.size();
    v[i++] = share(nonLatin);
    v[i++] = share(withTools);
    v[i++] = (double) toolsSum / requests;
    v[i++] = (double) turnsSum / requests;
    v[i++] = turnsMax;
    if (i != v.length) {
      throw new IllegalStateException("account_daily has " + v.length + " columns, the tally wrote " + i);
    }
    return RowFactory.create(v);
  }

  private static final Pattern IPV6_PREFIX = Pattern.compile("^([0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F]*)");
  private static final Pattern IPV4_PREFIX = Pattern.compile("^(\\d+\\.\\d+\\.\\d+)\\.");

  /** The /24 of an IPv4 address, the /48 of an IPv6 one (the first three groups as written); "" when neither. */
  static String ipPrefix(String ip) {
    Matcher m = (ip.contains(":") ? IPV6_PREFIX : IPV4_PREFIX).matcher(ip);
    return m.find() ? m.group(1) : "";
  }

  private double share(long count) {
    return (double) count / requests;
  }

  static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  /** How many distinct values, the share of the most common one, and the entropy in bits. */
  record Distribution(long distinct, double topShare, double entropy) {
    static Distribution of(Map<Object, Long> counts) {
      // summed in sorted order: requests reach the tally in shuffle order, and a sum of doubles in
      // another order can differ in the last bit, which would make a re-run's rows differ
      long[] sorted = counts.values().stream().mapToLong(Long::longValue).sorted().toArray();
      long n = 0;
      for (long c : sorted) {
        n += c;
      }
      double entropy = 0;
      for (long c : sorted) {
        double p = (double) c / n;
        entropy -= p * log2(p);
      }
      long top = sorted.length == 0 ? 0 : sorted[sorted.length - 1];
      return new Distribution(sorted.length, n == 0 ? 0 : (double) top / n, entropy);
    }
  }

  /** Mean and population standard deviation of the gaps between consecutive times; nulls under two times. */
  record Gaps(Double mean, Double sd) {
    static Gaps of(double[] times) {
      if (times.length < 2) {
        return new Gaps(null, null);
      }
      Arrays.sort(times); // the order among equal times does not change a gap
      int m = times.length - 1;
      double mean = (times[m] - times[0]) / m;
      double squares = 0;
      for (int i = 1; i < times.length; i++) {
        double d = times[i] - times[i - 1] - mean;
        squares += d * d;
      }
      return new Gaps(mean, Math.sqrt(squares / m));
    }
  }
}
