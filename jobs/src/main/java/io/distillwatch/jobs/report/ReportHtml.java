package io.distillwatch.jobs.report;

import io.distillwatch.features.accounts.AccountDaily;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

import static io.distillwatch.jobs.report.Svg.esc;

/**
 * The briefing as one self-contained HTML page (inline CSS, inline SVG, a few lines of inline script to
 * sort the campaign table): it makes no network request, so it can be mailed, archived or printed to PDF.
 * Pure: the same {@link ReportData} gives the same bytes.
 */
public final class ReportHtml {
  private ReportHtml() {}

  public static String render(ReportData d, String lakeName) {
    StringBuilder h = new StringBuilder(64 * 1024);
    String night = d.date() == null ? "no campaign night" : "night of " + d.date();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>distillwatch briefing: ").append(esc(night)).append("</title><style>").append(CSS).append("</style></head><body>\n");
    h.append("<header><h1>Distillation campaigns and attribution: briefing</h1><p class=\"meta\">")
        .append(esc(night)).append(" &middot; lake ").append(esc(lakeName)).append("</p>");
    h.append(d.internal()
        ? "<p id=\"handling\" class=\"banner internal\">INTERNAL: this page shows real account ids. Do not distribute; "
            + "re-run without --internal for a version that can leave the team.</p>"
        : "<p id=\"handling\" class=\"banner external\">Account ids are keyed pseudonyms (HMAC-SHA256 with the team's "
            + "key): the same account has the same pseudonym in every briefing made with that key, and cannot be "
            + "recovered without it.</p>");
    h.append("</header>\n");
    headline(h, d);
    if (d.date() != null) {
      campaignTable(h, d);
      timelines(h, d);
      capabilityMix(h, d);
      linkGraph(h, d);
      discoveries(h, d);
      driftAlerts(h, d);
    }
    attribution(h, d);
    h.append("<section id=\"method\"><h2>How to read this</h2><ul>")
        .append("<li><b>Campaign score</b> = 0.75 &times; share of transparent rules met (coordination and harvesting) ")
        .append("+ 0.25 &times; isolation-forest anomaly score of the cluster; flagged when coordination and harvesting ")
        .append("rules both hold and the score is at least 0.5. The evidence column lists the rules met, the link kinds ")
        .append("and the templates behind the cluster.</li>")
        .append("<li><b>Links</b> between accounts need identity evidence (payment, sign-up, network); shared content, ")
        .append("timing and behaviour only add weight. Attributes shared by very many accounts (a NAT IP, a public ")
        .append("benchmark) are dropped by the hub guard.</li>")
        .append("<li><b>Attribution</b>: each method's p-value comes from permutations over prompts; the combined ")
        .append("p-value is Holm-adjusted across the suspects of a study, and a suspect is called attributed only ")
        .append("below the study's alpha. Baselines (length, nearest neighbour) are shown so the methods can be ")
        .append("seen to beat them.</li></ul></section>\n");
    h.append("<script>").append(SORT_SCRIPT).append("</script>\n</body></html>\n");
    return h.toString();
  }

  private static void headline(StringBuilder h, ReportData d) {
    ReportData.Headline x = d.headline();
    h.append("<section id=\"headline\" class=\"cards\">");
    card(h, "flagged campaigns", String.format(Locale.ROOT, "%,d", x.flaggedCampaigns()),
        String.format(Locale.ROOT, "of %,d clusters", x.clusters()));
    card(h, "flagged accounts", String.format(Locale.ROOT, "%,d", x.flaggedAccounts()),
        String.format(Locale.ROOT, "of %,d active on the night", x.activeAccounts()));
    card(h, "their requests", String.format(Locale.ROOT, "%,d", x.flaggedRequests()), "on the night");
    card(h, "alerts", String.format(Locale.ROOT, "%,d", x.alerts()), String.format(Locale.ROOT, "%,d new campaigns", x.newCampaigns())
        + (x.peerLeads() == 0 ? "" : String.format(Locale.ROOT, ", %,d peer leads (share match)", x.peerLeads())));
    card(h, "attributed suspects", String.format(Locale.ROOT, "%,d", x.attributedSuspects()),
        String.format(Locale.ROOT, "of %,d in the newest studies", x.suspects()));
    h.append("</section>\n");
  }

  private static void card(StringBuilder h, String label, String value, String sub) {
    h.append("<div class=\"card\"><div class=\"value\">").append(esc(value)).append("</div><div class=\"label\">")
        .append(esc(label)).append("</div><div class=\"sub\">").append(esc(sub)).append("</div></div>");
  }

  private static void campaignTable(StringBuilder h, ReportData d) {
    h.append("<section><h2>Campaigns on the night</h2><p class=\"note\">Flagged clusters first, then by score (top ")
        .append(ReportData.TABLE_CAMPAIGNS).append("). Click a column to sort.</p>");
    h.append("<div class=\"wide\"><table id=\"campaigns\" class=\"sortable\"><thead><tr>");
    for (String c : List.of("campaign", "flagged", "status", "score", "evidence", "anomaly", "accounts", "requests",
        "req/acct/day", "first seen", "first flagged", "CoT share", "distill caps", "evidence")) {
      h.append("<th>").append(esc(c)).append("</th>");
    }
    h.append("</tr></thead><tbody>");
    for (ReportData.Campaign c : d.campaigns()) {
      h.append("<tr class=\"").append(c.flagged() ? "flagged" : "cluster").append("\">")
          .append(td(c.id())).append(td(c.flagged() ? "yes" : "no")).append(td(c.status()))
          .append(num(c.score(), "%.2f")).append(num(c.evidenceScore(), "%.2f")).append(num(c.anomaly(), "%.2f"))
          .append(num(c.size(), "%,d")).append(num(c.requests(), "%,d")).append(num(c.requestsPerAccountDay(), "%.1f"))
          .append(td(String.valueOf(c.firstSeen()))).append(td(c.firstFlagged() == null ? "-" : c.firstFlagged().toString()))
          .append(num(c.cotShare(), "%.2f")).append(num(c.distillShare(), "%.2f"))
          .append("<td class=\"evidence\"><details><summary>").append(esc(c.rulesMet())).append("</summary>")
          .append(esc(c.evidence())).append("</details></td></tr>");
    }
    h.append("</tbody></table></div></section>\n");
  }

  private static void timelines(StringBuilder h, ReportData d) {
    Map<String, List<ReportData.DailyPoint>> byCampaign = new LinkedHashMap<>();
    for (String id : ranked(d, d.timeline().stream().map(ReportData.DailyPoint::campaignId).toList())) {
      byCampaign.put(id, d.timeline().stream().filter(p -> p.campaignId().equals(id)).toList());
    }
    List<Svg.Series> requests = new ArrayList<>();
    List<Svg.Series> accounts = new ArrayList<>();
    int i = 0;
    for (Map.Entry<String, List<ReportData.DailyPoint>> e : byCampaign.entrySet()) {
      String colour = Svg.PALETTE[i++ % Svg.PALETTE.length];
      requests.add(new Svg.Series(e.getKey(), colour, e.getValue().stream().map(p -> new Svg.Point(p.day(), p.requests())).toList()));
      accounts.add(new Svg.Series(e.getKey(), colour, e.getValue().stream().map(p -> new Svg.Point(p.day(), p.accounts())).toList()));
    }
    // the axis starts at the first day with data (within the window), so a young campaign is not a sliver
    LocalDate first = d.timeline().stream().map(ReportData.DailyPoint::day).min(LocalDate::compareTo).orElse(d.date());
    LocalDate from = first.isBefore(d.date().minusDays(6)) ? first : d.date().minusDays(6);
    h.append("<section id=\"timelines\"><h2>Timeline of the top flagged campaigns</h2><p class=\"note\">Requests and active ")
        .append("accounts per day of the accounts each campaign holds on the night, over the last ")
        .append(ReportData.TIMELINE_DAYS).append(" days.</p>");
    if (byCampaign.isEmpty()) {
      h.append("<p class=\"empty\">No flagged campaign on this night.</p></section>\n");
      return;
    }
    h.append(legend(new ArrayList<>(byCampaign.keySet())));
    h.append(Svg.lineChart("timeline-requests", "Requests per day", "requests", requests, from, d.date()));
    h.append(Svg.lineChart("timeline-accounts", "Active accounts per day", "accounts", accounts, from, d.date()));
    h.append("</section>\n");
  }

  private static String legend(List<String> names) {
    StringBuilder b = new StringBuilder("<p class=\"legend\">");
    for (int i = 0; i < names.size(); i++) {
      b.append("<span><i style=\"background:").append(Svg.PALETTE[i % Svg.PALETTE.length]).append("\"></i>")
          .append(esc(names.get(i))).append("</span> ");
    }
    return b.append("</p>").toString();
  }

  private static void capabilityMix(StringBuilder h, ReportData d) {
    if (d.capabilityMix().isEmpty()) {
      return;
    }
    List<String> rows = ranked(d, d.capabilityMix().keySet());
    List<String> parts = AccountDaily.CAPABILITIES;
    double[][] shares = new double[rows.size()][parts.size()];
    for (int r = 0; r < rows.size(); r++) {
      Map<String, Double> mix = d.capabilityMix().get(rows.get(r));
      for (int p = 0; p < parts.size(); p++) {
        shares[r][p] = mix.getOrDefault(parts.get(p), 0.0);
      }
    }
    h.append("<section id=\"capabilities\"><h2>Capability mix</h2><p class=\"note\">Share of each campaign's requests ")
        .append("by capability over the timeline window; distillation concentrates on a few.</p>")
        .append(Svg.stackedBars("capability-mix", "Requests by capability", rows, parts, shares)).append("</section>\n");
  }

  private static void linkGraph(StringBuilder h, ReportData d) {
    ReportData.LinkGraph g = d.graph();
    if (g == null || g.nodes().isEmpty()) {
      return;
    }
    List<int[]> pairs = g.edges().stream().map(e -> new int[] {e.a(), e.b()}).toList();
    double[][] xy = GraphLayout.layout(g.nodes().size(), pairs, 300, 42L);
    List<String> kinds = new ArrayList<>(new TreeSet<>(g.edges().stream().map(ReportData.LinkGraph.Edge::kind).toList()));
    h.append("<section id=\"graph\"><h2>Link graph of ").append(esc(g.campaignId())).append("</h2><p class=\"note\">")
        .append(String.format(Locale.ROOT, "%,d flagged accounts and %,d link edges on the night; drawn: the %,d best-connected "
            + "accounts and the %,d edges among them, each coloured by its strongest kind of evidence.",
            g.members(), g.memberEdges(), g.nodes().size(), g.edges().size())).append("</p>")
        .append(Svg.graph("link-graph", "Accounts linked by shared evidence", g.nodes(), xy, g.edges(), kinds))
        .append("</section>\n");
  }

  private static void discoveries(StringBuilder h, ReportData d) {
    if (d.discoveries().isEmpty()) {
      return;
    }
    h.append("<section id=\"discovery\"><h2>Retrospective discovery</h2><p class=\"note\">Campaigns the newest replay ")
        .append("flagged, and when the nightly runs did.</p><table id=\"discoveries\" class=\"sortable\"><thead><tr>");
    for (String c : List.of("campaign", "status", "replay flagged", "nightly flagged", "days earlier", "accounts")) {
      h.append("<th>").append(c).append("</th>");
    }
    h.append("</tr></thead><tbody>");
    for (ReportData.Discovery x : d.discoveries()) {
      h.append("<tr>").append(td(x.campaignId())).append(td(x.status())).append(td(x.firstFlagged().toString()))
          .append(td(x.nightlyFirstFlagged() == null ? "never" : x.nightlyFirstFlagged().toString()))
          .append(x.daysEarlier() == null ? td("-") : num(x.daysEarlier(), "%d")).append(num(x.accounts(), "%,d")).append("</tr>");
    }
    h.append("</tbody></table></section>\n");
  }

  private static void driftAlerts(StringBuilder h, ReportData d) {
    ReportData.DriftAlerts a = d.driftAlerts();
    if (!a.ran()) {
      return;
    }
    h.append("<section id=\"drift\"><h2>Query drift alerts</h2><p class=\"note\">Accounts in no recently flagged campaign ")
        .append("whose recent queries drift from benign traffic at the alert level (MMD test over prompt embeddings, and ")
        .append("a contrast towards recently flagged campaigns' prompts; docs/campaigns.md, section 7): ")
        .append(String.format("%,d", a.total())).append(a.total() == 1 ? " account" : " accounts");
    if (a.total() > a.strongest().size()) {
      h.append(", the ").append(a.strongest().size()).append(" strongest shown");
    }
    h.append(".</p>");
    if (!a.strongest().isEmpty()) {
      h.append("<table id=\"drift-alerts\" class=\"sortable\"><thead><tr>");
      for (String c : List.of("account", "p", "MMD&sup2;", "evidence")) {
        h.append("<th>").append(c).append("</th>");
      }
      h.append("</tr></thead><tbody>");
      for (ReportData.DriftAlert x : a.strongest()) {
        h.append("<tr>").append(td(x.account())).append(td(Svg.pValue(x.pValue()))).append(num(x.mmd2(), "%.4f"))
            .append(td(x.evidence())).append("</tr>");
      }
      h.append("</tbody></table>");
    }
    h.append("</section>\n");
  }

  private static void attribution(StringBuilder h, ReportData d) {
    h.append("<section id=\"attribution\"><h2>Attribution studies</h2>");
    if (d.attribution().isEmpty()) {
      h.append("<p class=\"empty\">No attribution study in the lake (run attribute --study DIR --out OUT --lake K).</p></section>\n");
      return;
    }
    Map<String, List<ReportData.AttributionRow>> byStudy = new LinkedHashMap<>();
    for (ReportData.AttributionRow r : d.attribution()) {
      byStudy.computeIfAbsent(r.study() + " (" + r.lengthMode() + " length)", k -> new ArrayList<>()).add(r);
    }
    int chart = 0;
    for (Map.Entry<String, List<ReportData.AttributionRow>> e : byStudy.entrySet()) {
      List<ReportData.AttributionRow> rows = e.getValue();
      ReportData.AttributionRow any = rows.get(0);
      h.append("<h3>").append(esc(e.getKey())).append("</h3><p class=\"note\">provider ").append(esc(any.provider()))
          .append(String.format(Locale.ROOT, "; %,d prompts; alpha %s</p>", any.prompts(), Svg.pValue(any.alpha())));
      h.append("<table class=\"attribution\"><thead><tr><th>suspect</th><th>verdict</th><th>score (null SDs)</th>")
          .append("<th>95% CI</th><th>p</th><th>Holm p</th><th>nearest model</th></tr></thead><tbody>");
      List<ReportData.AttributionRow> combined = rows.stream().filter(r -> r.method().equals("combined")).toList();
      for (ReportData.AttributionRow r : combined) {
        boolean yes = Boolean.TRUE.equals(r.attributed());
        h.append("<tr class=\"").append(yes ? "attributed" : "not-attributed").append("\">").append(td(r.suspect()))
            .append(td(yes ? "attributed to " + r.provider() : "not attributed")).append(num(r.statistic(), "%.1f"))
            .append(td(String.format(Locale.ROOT, "%.1f to %.1f", r.ciLow(), r.ciHigh())))
            .append(td(Svg.pValue(r.pValue()))).append(td(r.pHolm() == null ? "-" : Svg.pValue(r.pHolm())))
            .append(td(r.nearest())).append("</tr>");
      }
      h.append("</tbody></table>");
      for (ReportData.AttributionRow c : combined) {
        List<ReportData.AttributionRow> methods = rows.stream()
            .filter(r -> r.suspect().equals(c.suspect()) && !r.method().equals("combined")).toList();
        if (methods.isEmpty()) {
          continue;
        }
        List<String> names = methods.stream().map(m -> m.method() + " (" + String.format(Locale.ROOT, "%.3f", m.statistic()) + ")").toList();
        double[] p = methods.stream().mapToDouble(ReportData.AttributionRow::pValue).toArray();
        boolean[] baseline = new boolean[methods.size()];
        for (int i = 0; i < baseline.length; i++) {
          baseline[i] = methods.get(i).baseline();
        }
        h.append(Svg.evidenceBars("attribution-" + chart++, "Each method's evidence: " + c.suspect(), names, p, baseline,
            c.alpha(), c.permutations()));
      }
    }
    h.append("</section>\n");
  }

  /** The given campaign ids in the order of the campaign table (strongest first), so colours match across charts. */
  private static List<String> ranked(ReportData d, java.util.Collection<String> ids) {
    return d.campaigns().stream().map(ReportData.Campaign::id).filter(ids::contains).distinct().toList();
  }

  private static String td(String s) {
    return "<td>" + esc(s) + "</td>";
  }

  private static String num(Number v, String format) {
    return v == null ? "<td class=\"num\">-</td>"
        : "<td class=\"num\" data-v=\"" + v + "\">" + esc(String.format(Locale.ROOT, format, v)) + "</td>";
  }

  private static final String CSS = """
      body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1400px;color:#222;padding:0 16px}
      h1{font-size:24px;margin:0}h2{font-size:19px;margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:16px}
      .meta{color:#666;margin:4px 0}.banner{padding:8px 12px;border-radius:4px}.internal{background:#fde2e1;border:1px solid #d1495b}
      .external{background:#e5f1f8;border:1px solid #1b6ca8}.cards{display:flex;gap:12px;flex-wrap:wrap;margin-top:16px}
      .card{border:1px solid #ddd;border-radius:6px;padding:10px 14px;min-width:170px}.card .value{font-size:26px;font-weight:600}
      .card .label{font-weight:600}.card .sub,.note{color:#666}table{border-collapse:collapse;width:100%;margin:8px 0}
      th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f6f6f6;cursor:pointer;vertical-align:bottom}
      td.num{text-align:right;font-variant-numeric:tabular-nums}tr.flagged td:first-child{border-left:3px solid #d1495b}
      tr.attributed td:nth-child(2){color:#b3261e;font-weight:600}.evidence{min-width:260px;font-size:12px}
      .wide{overflow-x:auto}#campaigns td:first-child{white-space:nowrap}
      svg.chart{display:block;margin:8px 0;max-width:100%;height:auto}svg text{font:11px system-ui,sans-serif;fill:#333}
      svg text.title{font-size:13px;font-weight:600}svg .end{text-anchor:end}svg .middle{text-anchor:middle}
      svg .grid{stroke:#e6e6e6}svg .alpha{stroke:#d1495b;stroke-dasharray:4 3}svg .node{fill:#222;stroke:#fff;stroke-width:1}
      svg .edge{stroke-opacity:.7}.legend span{margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
      .empty{color:#666;font-style:italic}@media print{th{cursor:auto}details{display:block}}
      """;

  /** Sorts a table by the clicked column: numbers by their data-v value, text otherwise. */
  private static final String SORT_SCRIPT = """
      document.querySelectorAll('table.sortable').forEach(function (table) {
        table.querySelectorAll('th').forEach(function (th, col) {
          th.addEventListener('click', function () {
            var body = table.tBodies[0];
            var rows = Array.prototype.slice.call(body.rows);
            var desc = th.getAttribute('data-sort') !== 'desc';
            rows.sort(function (a, b) {
              var x = a.cells[col], y = b.cells[col];
              var vx = x.getAttribute('data-v'), vy = y.getAttribute('data-v');
              var c = (vx !== null && vy !== null) ? parseFloat(vx) - parseFloat(vy) : x.textContent.localeCompare(y.textContent);
              return desc ? -c : c;
            });
            rows.forEach(function (r) { body.appendChild(r); });
            th.setAttribute('data-sort', desc ? 'desc' : 'asc');
          });
        });
      });
      """;
}
