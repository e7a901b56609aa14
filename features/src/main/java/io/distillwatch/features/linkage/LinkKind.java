package io.distillwatch.features.linkage;

import java.io.Serializable;
import java.util.List;

/**
 * One kind of evidence that links two accounts: sharing an attribute (a payment fingerprint, an
 * IP, a rare template, a template in the same hour). A pair's contribution from one kind is the
 * sum of the weights of the attributes they share, counted only when they share at least
 * {@code minShared} of them, and capped at {@code cap}.
 *
 * @param weight weight of one shared attribute (for IDF kinds, before the inverse-frequency factor)
 * @param hubLimit an attribute held by more accounts than this is a hub (a NAT address, a public
 *     benchmark): dropped before linking and counted
 * @param minGroup an attribute held by fewer accounts than this links nobody (e.g. a "burst" of
 *     two sign-ups is not a burst)
 * @param idf weight each attribute by ln(N / n) / ln(N), N active accounts, n holders
 * @param identity evidence about who the accounts are (registry, addresses) rather than what they
 *     send: an edge needs some identity evidence, because popular content, common timing and
 *     look-alike behaviour are how unrelated heavy users of the same app look too
 */
public record LinkKind(String name, double weight, int hubLimit, int minGroup, int minShared, double cap, boolean idf,
                       boolean identity, String meaning) implements Serializable {

  public static final String PAYMENT = "payment";
  public static final String SIGNUP_BURST = "signup_burst";
  public static final String PROGRAM_BURST = "program_burst";
  public static final String SIGNUP_IP = "signup_ip";
  public static final String IP = "ip";
  public static final String IP_PREFIX = "ip_prefix";
  public static final String ASN_UA_HOUR = "asn_ua_hour";
  public static final String TEMPLATE = "template";
  public static final String SYNC = "sync";
  public static final String BEHAVIOUR = "behaviour";
  public static final String PEER_INDICATOR = "peer_indicator";

  public LinkKind {
    if (weight < 0 || cap < 0 || hubLimit < 2 || minGroup < 2 || minShared < 1) {
      throw new IllegalArgumentException("bad link kind " + name);
    }
  }

  public LinkKind withHubLimit(int limit) {
    return new LinkKind(name, weight, limit, minGroup, minShared, cap, idf, identity, meaning);
  }

  /**
   * The defaults. Strong kinds (payment, sign-up bursts) link a pair alone (weight 1 = the link
   * threshold); infrastructure, templates and timing only link in combination. Chosen on
   * simulated traffic and documented in docs/campaigns.md.
   */
  public static List<LinkKind> defaults() {
    return List.of(
        new LinkKind(PAYMENT, 1.0, 60, 2, 1, 1.0, false, true, "shared payment fingerprint"),
        new LinkKind(SIGNUP_BURST, 1.0, 300, 3, 1, 1.0, false, true, "signed up with the same e-mail domain in the same 30 minutes"),
        new LinkKind(PROGRAM_BURST, 1.0, 300, 3, 1, 1.0, false, true, "joined the same programme in the same 10 minutes"),
        new LinkKind(SIGNUP_IP, 0.5, 30, 2, 1, 0.5, false, true, "signed up from the same IP"),
        new LinkKind(IP, 0.05, 1000, 2, 3, 0.4, false, true, "used the same IP address in the window"),
        new LinkKind(IP_PREFIX, 0.03, 1000, 2, 3, 0.3, false, true, "used the same /24 network in the window"),
        new LinkKind(ASN_UA_HOUR, 0.01, 300, 2, 5, 0.2, false, false, "same ASN and user agent in the same hour"),
        new LinkKind(TEMPLATE, 0.15, 2000, 2, 3, 0.6, true, false, "shared rare prompt templates (weighted by inverse frequency)"),
        new LinkKind(SYNC, 0.04, 60, 2, 3, 0.5, false, false, "active on the same template in the same hour, again and again"),
        new LinkKind(BEHAVIOUR, 0.25, Integer.MAX_VALUE, 2, 1, 0.25, false, false, "near neighbours on normalised behaviour features"),
        // a peer lab's campaign whose indicators these accounts hold (share match): a lead joins accounts the way
        // a shared card does; a peer campaign matching more accounts than the hub limit is no lead
        new LinkKind(PEER_INDICATOR, 1.0, 2000, 2, 1, 1.0, false, true, "leads of the same peer lab's campaign (share match)"));
  }
}
