package io.distillwatch.jobs.spark;

import io.distillwatch.jobs.failures.Causes;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The crash in the middle of a write ({@link Faults#duringWrite}) fires on the armed write, and
 * only there, whether the write has rows (its tasks die at the end of their input) or none (no
 * task runs, so it dies before the commit: the case the reliability suite's write-by-write crash
 * loop once stepped over, ending early at an empty hub report).
 */
class FaultsTest {

  @Test
  void theArmedWriteDiesWithRowsAndWithout() throws Exception {
    Dataset<Row> some = SharedSpark.get().range(5).toDF("n");
    Dataset<Row> none = some.where("n < 0");
    try (AutoCloseable armed = Faults.arm("write#2")) {
      Dataset<Row> first = Faults.duringWrite("gold.first", some);
      assertThat(first.count()).as("write 1 is not the armed one: its rows pass").isEqualTo(5);

      assertThatThrownBy(() -> Faults.duringWrite("gold.empty", none))
          .isInstanceOf(Faults.SimulatedCrash.class)
          .hasMessageContaining("write:gold.empty (write#2) (no rows)")
          .hasMessageContaining("in the middle of the write");

      assertThat(Faults.duringWrite("gold.after", none).count()).as("the crash fired: disarmed").isZero();
    }
    try (AutoCloseable armed = Faults.arm("write:gold.rows")) {
      Dataset<Row> dying = Faults.duringWrite("gold.rows", some);
      Throwable crash = catchThrowable(dying::count);
      assertThat(Causes.first(crash, c -> c instanceof Faults.SimulatedCrash))
          .as("a task died at the end of its input").isPresent()
          .get().extracting(Throwable::getMessage).asString().contains("write:gold.rows (write:gold.rows)");
    }
  }
}
