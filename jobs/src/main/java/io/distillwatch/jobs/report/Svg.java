package io.distillwatch.jobs.report;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/** Inline SVG charts of the briefing: no script, no external resource, readable when printed. */
final class Svg {
  static final String[] PALETTE = {"#1b6ca8", "#d1495b", "#edae49", "#00798c", "#6a4c93", "#66a182", "#8d6a9f", "#3c3c3c"};

  private Svg() {}

  record Point(LocalDate day, double value) {}

  record Series(String name, String colour, List<Point> points) {}

  /** One line per series over the days from..to, with day ticks every week and a labelled y axis. */
  static String lineChart(String id, String title, String yLabel, List<Series> series, LocalDate from, LocalDate to) {
    int w = 760, h = 240, left = 64, right = 16, top = 28, bottom = 36;
    long days = Math.max(1, ChronoUnit.DAYS.between(from, to));
    double yMax = niceCeiling(series.stream().flatMap(s -> s.points().stream()).mapToDouble(Point::value).max().orElse(1));
    StringBuilder s = open(id, title, w, h);
    s.append(text(left, 16, title, "title"));
    for (int i = 0; i <= 4; i++) { // y grid
      double v = yMax * i / 4;
      double y = top + (h - top - bottom) * (1 - (double) i / 4);
      s.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>", left, w - right, y, y));
      s.append(text(left - 6, y + 4, compact(v), "tick end"));
    }
    for (long d = 0; d <= days; d += 7) { // x ticks, weekly
      double x = left + (w - left - right) * (double) d / days;
      s.append(text(x, h - bottom + 16, from.plusDays(d).toString().substring(5), "tick middle"));
    }
    s.append(String.format(Locale.ROOT, "<text class=\"axis\" transform=\"translate(14,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>",
        (top + h - bottom) / 2, esc(yLabel)));
    for (Series line : series) {
      StringBuilder path = new StringBuilder();
      for (Point p : line.points()) {
        double x = left + (w - left - right) * (double) ChronoUnit.DAYS.between(from, p.day()) / days;
        double y = top + (h - top - bottom) * (1 - p.value() / yMax);
        path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
      }
      for (Point p : line.points()) { // a dot per day, so a campaign seen on one day still shows
        s.append(String.format(Locale.ROOT, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>",
            left + (w - left - right) * (double) ChronoUnit.DAYS.between(from, p.day()) / days,
            top + (h - top - bottom) * (1 - p.value() / yMax), line.colour()));
      }
      if (path.length() > 0) {
        s.append("<path class=\"series\" fill=\"none\" stroke-width=\"2\" stroke=\"").append(line.colour())
            .append("\" d=\"").append(path).append("\"><title>").append(esc(line.name())).append("</title></path>");
      }
    }
    return s.append("</svg>").toString();
  }

  /** One 100 % stacked horizontal bar per row; segments titled with their share. */
  static String stackedBars(String id, String title, List<String> rows, List<String> parts, double[][] shares) {
    int w = 760, rowH = 26, left = 200, right = 16, top = 30;
    int h = top + rows.size() * rowH + 40;
    StringBuilder s = open(id, title, w, h);
    s.append(text(8, 16, title, "title"));
    for (int r = 0; r < rows.size(); r++) {
      double y = top + r * rowH;
      s.append(text(left - 8, y + 16, rows.get(r), "label end"));
      double x = left;
      for (int p = 0; p < parts.size(); p++) {
        double width = (w - left - right) * shares[r][p];
        if (width > 0.05) {
          s.append(String.format(Locale.ROOT, "<rect class=\"segment\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
              + "<title>%s: %.0f%%</title></rect>", x, y + 3, width, rowH - 6, PALETTE[p % PALETTE.length],
              esc(rows.get(r) + " " + parts.get(p)), 100 * shares[r][p]));
        }
        x += width;
      }
    }
    double lx = 8;
    for (int p = 0; p < parts.size(); p++) { // legend
      s.append(String.format(Locale.ROOT, "<rect x=\"%.0f\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>", lx, h - 22,
          PALETTE[p % PALETTE.length]));
      s.append(text(lx + 14, h - 13, parts.get(p), "legend"));
      lx += 14 + 7.2 * parts.get(p).length() + 16;
    }
    return s.append("</svg>").toString();
  }

  /** A drawn graph: positions in [0,1]², edges coloured by their strongest kind, nodes titled. */
  static String graph(String id, String title, List<String> nodes, double[][] xy, List<ReportData.LinkGraph.Edge> edges,
                      List<String> kinds) {
    int w = 760, h = 520, pad = 24, legend = 150;
    StringBuilder s = open(id, title, w, h);
    s.append(text(8, 16, title, "title"));
    double size = Math.min(w - legend - 2 * pad, h - 2 * pad - 20);
    for (ReportData.LinkGraph.Edge e : edges) {
      int k = Math.max(0, kinds.indexOf(e.kind()));
      s.append(String.format(Locale.ROOT, "<line class=\"edge\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
              + "stroke-width=\"%.1f\"><title>%s, weight %.2f</title></line>",
          pad + xy[e.a()][0] * size, pad + 20 + xy[e.a()][1] * size, pad + xy[e.b()][0] * size, pad + 20 + xy[e.b()][1] * size,
          PALETTE[k % PALETTE.length], Math.min(4, 0.6 + e.weight() / 2), esc(e.kind()), e.weight()));
    }
    for (int i = 0; i < nodes.size(); i++) {
      s.append(String.format(Locale.ROOT, "<circle class=\"node\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\"><title>%s</title></circle>",
          pad + xy[i][0] * size, pad + 20 + xy[i][1] * size, esc(nodes.get(i))));
    }
    for (int k = 0; k < kinds.size(); k++) {
      double y = 40 + k * 18;
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"3\"/>",
          w - legend, w - legend + 18, y, y, PALETTE[k % PALETTE.length]));
      s.append(text(w - legend + 24, y + 4, kinds.get(k), "legend"));
    }
    return s.append("</svg>").toString();
  }

  /** Horizontal bars of -log10 p per method, a dashed line at the study's alpha; baselines grey. */
  static String evidenceBars(String id, String title, List<String> methods, double[] pValues, boolean[] baseline,
                             double alpha, int permutations) {
    int w = 760, rowH = 22, left = 230, right = 60, top = 30;
    int h = top + methods.size() * rowH + 34;
    // a permutation p-value cannot go below 1/(permutations+1): the axis stops there
    double floor = 1.0 / (Math.max(1, permutations) + 1);
    double xMax = Math.max(-Math.log10(floor), -Math.log10(alpha)) * 1.05;
    StringBuilder s = open(id, title, w, h);
    s.append(text(8, 16, title, "title"));
    for (int m = 0; m < methods.size(); m++) {
      double y = top + m * rowH;
      double v = -Math.log10(Math.max(floor, pValues[m]));
      double width = (w - left - right) * v / xMax;
      s.append(text(left - 8, y + 15, methods.get(m), "label end"));
      s.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
              + "<title>%s: p = %s</title></rect>", left, y + 3, Math.max(1, width), rowH - 6,
          baseline[m] ? "#9a9a9a" : PALETTE[0], esc(methods.get(m)), pValue(pValues[m])));
      s.append(text(left + Math.max(1, width) + 4, y + 15, pValue(pValues[m]), "tick"));
    }
    double ax = left + (w - left - right) * -Math.log10(alpha) / xMax;
    s.append(String.format(Locale.ROOT, "<line class=\"alpha\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>", ax, ax, top, h - 28));
    s.append(text(ax, h - 14, "alpha " + pValue(alpha), "tick middle"));
    s.append(text(left, h - 2, "bar length: -log10 p (longer is stronger evidence); grey: baselines", "legend"));
    return s.append("</svg>").toString();
  }

  static String pValue(double p) {
    return p >= 0.001 ? String.format(Locale.ROOT, "%.3f", p) : String.format(Locale.ROOT, "%.1e", p);
  }

  private static StringBuilder open(String id, String title, int w, int h) {
    return new StringBuilder(String.format(Locale.ROOT,
        "<svg id=\"%s\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
            + "role=\"img\" aria-label=\"%s\">", esc(id), w, h, w, h, esc(title)));
  }

  private static String text(double x, double y, String t, String cls) {
    return String.format(Locale.ROOT, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\">%s</text>", cls, x, y, esc(t));
  }

  static double niceCeiling(double v) {
    if (!(v > 0)) {
      return 1;
    }
    double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
    for (double step : new double[] {1, 2, 2.5, 5, 10}) {
      if (step * magnitude >= v) {
        return step * magnitude;
      }
    }
    return 10 * magnitude;
  }

  static String compact(double v) {
    if (v >= 1e6) {
      return String.format(Locale.ROOT, "%.1fM", v / 1e6);
    }
    if (v >= 1e4) {
      return String.format(Locale.ROOT, "%.0fk", v / 1e3);
    }
    return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
