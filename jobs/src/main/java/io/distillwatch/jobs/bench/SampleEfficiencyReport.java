package io.distillwatch.jobs.bench;

import io.distillwatch.attribution.study.SampleEfficiency;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The sample-efficiency curves as a Markdown table and as an SVG chart (AUC and median p against prompts). */
public final class SampleEfficiencyReport {
  private SampleEfficiencyReport() {}

  private static final String[] COLOURS = {"#000000", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
      "#8c564b", "#e377c2", "#7f7f7f", "#17becf"};

  public static String markdown(String title, List<SampleEfficiency.Point> points) {
    StringBuilder md = new StringBuilder("### " + title + "\n\n"
        + "| method | needs | prompts | subsets | AUC | median p (derived) | derived attributed | others attributed |"
        + " which others (subsets) |\n"
        + "|---|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (SampleEfficiency.Point p : byMethod(points).values().stream().flatMap(List::stream).toList()) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %.3f | %.2g | %.2f | %.2f | %s |%n", p.method(), p.needs(),
          p.prompts(), p.subsets(), p.auc(), p.medianDerivedP(), p.shareDerivedAttributed(),
          p.shareOthersAttributed(), others(p.othersAttributedBy())));
    }
    return md.append('\n').toString();
  }

  /** "model n, model m" (subsets in which each was attributed), most first; "-" for none. */
  static String others(Map<String, Integer> by) {
    if (by.isEmpty()) {
      return "-";
    }
    return by.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .map(e -> e.getKey() + " " + e.getValue()).collect(java.util.stream.Collectors.joining(", "));
  }

  static Map<String, List<SampleEfficiency.Point>> byMethod(List<SampleEfficiency.Point> points) {
    Map<String, List<SampleEfficiency.Point>> m = new LinkedHashMap<>();
    points.forEach(p -> m.computeIfAbsent(p.method(), k -> new ArrayList<>()).add(p));
    return m;
  }

  /** Two panels, prompts on a log axis: AUC (0.5 to 1) and median p of the derived suspects (log, down to pFloor). */
  public static String svg(String title, List<SampleEfficiency.Point> points, double pFloor) {
    int w = 980;
    int h = 400;
    int panelW = 340;
    int panelH = 280;
    int top = 50;
    int[] lefts = {60, 470};
    double minN = points.stream().mapToInt(SampleEfficiency.Point::prompts).min().orElse(1);
    double maxN = points.stream().mapToInt(SampleEfficiency.Point::prompts).max().orElse(2);
    double logFloor = Math.log10(pFloor);
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n"
            + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n",
        w, h, lefts[0], escape(title)));
    String[] yTitles = {"AUC, derived vs other suspects", "median p of the derived suspect(s)"};
    for (int panel = 0; panel < 2; panel++) {
      int x0 = lefts[panel];
      s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
          x0, top, panelW, panelH));
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x0, top - 8, yTitles[panel]));
      s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">prompts (log scale)</text>%n", x0 + panelW / 2 - 50,
          top + panelH + 34));
      for (SampleEfficiency.Point p : points.stream().filter(p -> p.method().equals(SampleEfficiency.COMBINED)).toList()) {
        double x = x0 + xPos(p.prompts(), minN, maxN, panelW);
        s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x,
            top + panelH + 16, p.prompts()));
      }
      if (panel == 0) {
        for (double a = 0.5; a <= 1.0001; a += 0.1) {
          double y = top + panelH * (1 - (a - 0.5) / 0.5);
          s.append(gridLine(x0, panelW, y, String.format(Locale.ROOT, "%.1f", a)));
        }
      } else {
        for (int e = 0; e >= Math.ceil(logFloor); e--) {
          double y = top + panelH * (e / logFloor);
          s.append(gridLine(x0, panelW, y, e == 0 ? "1" : "1e" + e));
        }
      }
    }
    int colour = 0;
    int legendY = top;
    for (Map.Entry<String, List<SampleEfficiency.Point>> m : byMethod(points).entrySet()) {
      String c = COLOURS[colour++ % COLOURS.length];
      String width = m.getKey().equals(SampleEfficiency.COMBINED) ? "3" : "1.5";
      for (int panel = 0; panel < 2; panel++) {
        StringBuilder path = new StringBuilder();
        for (SampleEfficiency.Point p : m.getValue()) {
          double x = lefts[panel] + xPos(p.prompts(), minN, maxN, panelW);
          double y = panel == 0
              ? top + panelH * (1 - (Math.max(0.5, p.auc()) - 0.5) / 0.5)
              : top + panelH * (Math.log10(Math.max(pFloor, p.medianDerivedP())) / logFloor);
          path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
        }
        s.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"/>%n", path,
            c, width));
      }
      s.append(String.format(Locale.ROOT, "<line x1=\"850\" y1=\"%d\" x2=\"870\" y2=\"%d\" stroke=\"%s\" stroke-width=\"%s\"/>"
          + "<text x=\"876\" y=\"%d\">%s</text>%n", legendY, legendY, c, width, legendY + 4, escape(m.getKey())));
      legendY += 18;
    }
    return s.append("</svg>\n").toString();
  }

  private static double xPos(int n, double minN, double maxN, int panelW) {
    return maxN == minN ? panelW / 2.0 : panelW * (Math.log(n / minN) / Math.log(maxN / minN));
  }

  private static String gridLine(int x0, int panelW, double y, String label) {
    return String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
        + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", x0, y, x0 + panelW, y, x0 - 4, y + 4, label);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
