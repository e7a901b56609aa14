package io.distillwatch.jobs.report;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Force-directed layout of a small graph (Fruchterman and Reingold 1991: edges attract by d²/k, every
 * pair repels by k²/d, moves capped by a cooling temperature) in the unit square. Deterministic: the
 * start positions come from a fixed seed, so the same graph is drawn the same way in every report.
 */
public final class GraphLayout {
  private GraphLayout() {}

  /** @return x and y in [0, 1] per node, for edges given as pairs of node indexes */
  public static double[][] layout(int nodes, List<int[]> edges, int iterations, long seed) {
    double[][] p = new double[nodes][2];
    SplittableRandom random = new SplittableRandom(seed);
    for (double[] xy : p) {
      xy[0] = random.nextDouble();
      xy[1] = random.nextDouble();
    }
    if (nodes < 2) {
      for (double[] xy : p) {
        xy[0] = 0.5;
        xy[1] = 0.5;
      }
      return p;
    }
    double k = Math.sqrt(1.0 / nodes);
    double temperature = 0.1;
    for (int it = 0; it < iterations; it++) {
      double[][] move = new double[nodes][2];
      for (int i = 0; i < nodes; i++) {
        for (int j = i + 1; j < nodes; j++) {
          double dx = p[i][0] - p[j][0];
          double dy = p[i][1] - p[j][1];
          double d = Math.max(1e-4, Math.hypot(dx, dy));
          double f = k * k / d;
          move[i][0] += dx / d * f;
          move[i][1] += dy / d * f;
          move[j][0] -= dx / d * f;
          move[j][1] -= dy / d * f;
        }
      }
      for (int[] e : edges) {
        double dx = p[e[0]][0] - p[e[1]][0];
        double dy = p[e[0]][1] - p[e[1]][1];
        double d = Math.max(1e-4, Math.hypot(dx, dy));
        double f = d * d / k;
        move[e[0]][0] -= dx / d * f;
        move[e[0]][1] -= dy / d * f;
        move[e[1]][0] += dx / d * f;
        move[e[1]][1] += dy / d * f;
      }
      for (int i = 0; i < nodes; i++) {
        double len = Math.max(1e-9, Math.hypot(move[i][0], move[i][1]));
        double step = Math.min(len, temperature);
        p[i][0] += move[i][0] / len * step;
        p[i][1] += move[i][1] / len * step;
      }
      temperature = Math.max(0.002, temperature * 0.97);
    }
    return normalise(p);
  }

  /** Scales the drawing to fill [0, 1] on its longer side, keeping the aspect. */
  static double[][] normalise(double[][] p) {
    double minX = Double.MAX_VALUE, minY = Double.MAX_VALUE, maxX = -Double.MAX_VALUE, maxY = -Double.MAX_VALUE;
    for (double[] xy : p) {
      minX = Math.min(minX, xy[0]);
      maxX = Math.max(maxX, xy[0]);
      minY = Math.min(minY, xy[1]);
      maxY = Math.max(maxY, xy[1]);
    }
    double span = Math.max(1e-9, Math.max(maxX - minX, maxY - minY));
    double[][] out = new double[p.length][2];
    for (int i = 0; i < p.length; i++) {
      out[i][0] = (p[i][0] - minX) / span + (1 - (maxX - minX) / span) / 2;
      out[i][1] = (p[i][1] - minY) / span + (1 - (maxY - minY) / span) / 2;
    }
    return out;
  }
}
