package io.distillwatch.jobs.report;

import io.distillwatch.jobs.failures.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PseudonymsAndLayoutTest {
  @Test
  void pseudonymsAreKeyedStableAndNeverTheId() {
    Pseudonyms a = Pseudonyms.keyed("first-key-0123456789");
    Pseudonyms b = Pseudonyms.keyed("second-key-0123456789");
    assertThat(a.of("acct_000123")).isEqualTo(a.of("acct_000123")).matches("p-[0-9a-f]{12}").doesNotContain("000123");
    assertThat(a.of("acct_000123")).isNotEqualTo(b.of("acct_000123")).isNotEqualTo(a.of("acct_000124"));
    assertThat(Pseudonyms.internal().of("acct_000123")).isEqualTo("acct_000123");
    assertThat(a.toString()).doesNotContain("first-key");
    assertThatThrownBy(() -> Pseudonyms.keyed("short")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> Pseudonyms.forReport(false, Map.of())).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(Pseudonyms.KEY_VARIABLE);
    assertThat(Pseudonyms.forReport(true, Map.of()).isInternal()).isTrue();
  }

  /** Two cliques joined by one edge: the layout keeps each clique together and the two apart. */
  @Test
  void theLayoutSeparatesCommunities() {
    List<int[]> edges = new ArrayList<>();
    for (int c = 0; c < 2; c++) {
      for (int i = 0; i < 8; i++) {
        for (int j = i + 1; j < 8; j++) {
          edges.add(new int[] {c * 8 + i, c * 8 + j});
        }
      }
    }
    edges.add(new int[] {0, 8});
    double[][] xy = GraphLayout.layout(16, edges, 300, 42L);
    double within = 0, between = 0;
    int nw = 0, nb = 0;
    for (int i = 0; i < 16; i++) {
      assertThat(xy[i][0]).isBetween(0.0, 1.0);
      assertThat(xy[i][1]).isBetween(0.0, 1.0);
      for (int j = i + 1; j < 16; j++) {
        double d = Math.hypot(xy[i][0] - xy[j][0], xy[i][1] - xy[j][1]);
        if (i / 8 == j / 8) {
          within += d;
          nw++;
        } else {
          between += d;
          nb++;
        }
      }
    }
    assertThat(between / nb).isGreaterThan(2 * within / nw);
    assertThat(GraphLayout.layout(16, edges, 300, 42L)).isDeepEqualTo(xy); // deterministic
  }
}
