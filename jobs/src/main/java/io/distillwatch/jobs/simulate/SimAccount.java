package io.distillwatch.jobs.simulate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One simulated account: its registry entry and the network it sends from. */
final class SimAccount {
  final String id;
  final Group group;
  String orgId;
  String[] apiKeys;
  Instant createdAt;
  String emailDomain;
  String payment;
  String signupIp;
  String country;
  String tier;
  boolean verified;
  String program;
  /** IPs the account sends from, with their ASN and country; a proxy pool for campaigns. */
  IpPool network;
  String userAgent;
  int tzOffsetHours;
  double rateFactor = 1.0;
  double distillShare;        // proxy_mix: share of traffic that is the campaign's
  int pivotHour;              // model_pivot: hours after release before switching
  final List<PromptFactory.Template> ownTemplates = new ArrayList<>();

  SimAccount(String id, Group group) {
    this.id = id;
    this.group = group;
  }

  /** A fixed set of addresses (possibly a large rotating proxy pool). */
  record IpPool(String[] ips, int[] asns, String[] countries) {
    int size() {
      return ips.length;
    }
  }
}
