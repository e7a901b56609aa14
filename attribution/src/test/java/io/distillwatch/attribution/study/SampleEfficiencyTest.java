package io.distillwatch.attribution.study;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The tally of one method at one size: shares, and which unrelated suspect a false attribution named. */
class SampleEfficiencyTest {

  @Test
  void aFalseAttributionNamesItsSuspectAndCountsItsSubsets() {
    List<String> suspects = List.of("student", "unrelated-a", "unrelated-b");
    // {derived?, statistic, p, attributed?, suspect}: three subsets of the three suspects
    List<double[]> tests = List.of(
        new double[] {1, 3.0, 1e-4, 1, 0}, new double[] {0, 2.5, 5e-4, 1, 1}, new double[] {0, 0.1, 0.4, 0, 2},
        new double[] {1, 2.0, 2e-3, 0, 0}, new double[] {0, 2.2, 8e-4, 1, 1}, new double[] {0, 2.1, 9e-4, 1, 2},
        new double[] {1, 3.5, 5e-5, 1, 0}, new double[] {0, 0.3, 0.2, 0, 1}, new double[] {0, 0.2, 0.3, 0, 2});
    SampleEfficiency.Point p = SampleEfficiency.point("panel", "needs", 100, 3, tests, suspects);
    assertThat(p.shareDerivedAttributed()).isEqualTo(2.0 / 3);
    assertThat(p.shareOthersAttributed()).isEqualTo(3.0 / 6);
    assertThat(p.othersAttributedBy()).isEqualTo(Map.of("unrelated-a", 2, "unrelated-b", 1));
    assertThat(p.othersAttributedBy()).doesNotContainKey("student");
    // the second subset alone: the student's 2.0 is below both unrelated statistics (2.2, 2.1)
    assertThat(SampleEfficiency.point("x", "n", 100, 3, tests.subList(3, 6), suspects).auc()).isEqualTo(0.0);
    assertThat(p.medianDerivedP()).isEqualTo(1e-4);
  }
}
