package io.distillwatch.attribution.study;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The tally of one method at one size: shares, and which unrelated suspect a false attribution named. */
class SampleEfficiencyTest {

  @Test
  void aFalseAttributionNamesItsSuspectAndCountsItsSubsets() {
    // three subsets of the three suspects
    List<SampleEfficiency.Tested> tests = List.of(
        t("student", true, 3.0, 1e-4, true), t("unrelated-a", false, 2.5, 5e-4, true), t("unrelated-b", false, 0.1, 0.4, false),
        t("student", true, 2.0, 2e-3, false), t("unrelated-a", false, 2.2, 8e-4, true), t("unrelated-b", false, 2.1, 9e-4, true),
        t("student", true, 3.5, 5e-5, true), t("unrelated-a", false, 0.3, 0.2, false), t("unrelated-b", false, 0.2, 0.3, false));
    SampleEfficiency.Point p = SampleEfficiency.point("panel", "needs", 100, 3, tests);
    assertThat(p.shareDerivedAttributed()).isEqualTo(2.0 / 3);
    assertThat(p.shareOthersAttributed()).isEqualTo(3.0 / 6);
    assertThat(p.othersAttributedBy()).isEqualTo(Map.of("unrelated-a", 2, "unrelated-b", 1));
    assertThat(p.othersAttributedBy()).doesNotContainKey("student");
    // the second subset alone: the student's 2.0 is below both unrelated statistics (2.2, 2.1)
    assertThat(SampleEfficiency.point("x", "n", 100, 3, tests.subList(3, 6)).auc()).isEqualTo(0.0);
    assertThat(p.medianDerivedP()).isEqualTo(1e-4);
  }

  private static SampleEfficiency.Tested t(String suspect, boolean derived, double statistic, double p, boolean attributed) {
    return new SampleEfficiency.Tested(suspect, derived, statistic, p, attributed);
  }
}
