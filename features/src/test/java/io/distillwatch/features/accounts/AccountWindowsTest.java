package io.distillwatch.features.accounts;

import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rolling windows and own-baseline z-scores on synthetic account_daily rows: a heavy but steady
 * legitimate account, a light account that suddenly changes behaviour, and a new account.
 */
class AccountWindowsTest {
  static final LocalDate DAY = LocalDate.parse("2026-10-31");

  /** A daily row with the given requests and chain-of-thought share; every other feature steady. */
  static Row daily(LocalDate d, String account, long requests, double cot) {
    Object[] v = new Object[AccountDaily.SCHEMA.size()];
    String[] names = AccountDaily.SCHEMA.fieldNames();
    for (int i = 0; i < v.length; i++) {
      var type = AccountDaily.SCHEMA.fields()[i].dataType();
      v[i] = switch (names[i]) {
        case "date" -> Date.valueOf(d);
        case "account_id" -> account;
        case "requests" -> requests;
        case "tokens_in" -> requests * 100;
        case "tokens_out" -> requests * 300;
        case "cot_share" -> cot;
        default -> type.equals(org.apache.spark.sql.types.DataTypes.LongType) ? (Object) 1L : (Object) 0.5;
      };
    }
    return RowFactory.create(v);
  }

  @Test
  void heavySteadyUsersAreNotAnomalousButChangesAre() {
    SparkSession spark = SharedSpark.get();
    SplittableRandom rng = new SplittableRandom(3);
    List<Row> rows = new ArrayList<>();
    for (int age = 120; age >= 1; age--) { // 120 days of history: older than 90 days must be ignored
      LocalDate d = DAY.minusDays(age);
      rows.add(daily(d, "heavy", 5000 + rng.nextInt(400) - 200, 0.02 + rng.nextDouble() * 0.01));
      if (age % 2 == 0) {
        rows.add(daily(d, "light", 20 + rng.nextInt(6), 0.0));
      }
    }
    rows.add(daily(DAY, "heavy", 5100, 0.025));
    rows.add(daily(DAY, "light", 400, 0.9));   // 20x volume, chain of thought everywhere
    rows.add(daily(DAY, "newcomer", 30, 0.9)); // no baseline yet
    rows.add(daily(DAY.minusDays(45), "dormant", 10, 0.0)); // not active in the last 30 days: no row

    Dataset<Row> w = AccountWindows.compute(DAY, spark.createDataFrame(rows, AccountDaily.SCHEMA));
    Map<String, Row> byAccount = new HashMap<>();
    w.collectAsList().forEach(r -> byAccount.put(r.getAs("account_id"), r));

    assertThat(byAccount).containsOnlyKeys("heavy", "light", "newcomer");
    Row heavy = byAccount.get("heavy");
    assertThat(Math.abs((double) heavy.getAs("z_requests"))).as("heavy steady user, volume").isLessThan(2.0);
    assertThat(Math.abs((double) heavy.getAs("z_cot_share"))).as("heavy steady user, chain of thought").isLessThan(2.0);
    assertThat((long) heavy.getAs("w7_active_days")).isEqualTo(7);
    assertThat((long) heavy.getAs("w90_active_days")).isEqualTo(90);

    Row light = byAccount.get("light");
    assertThat((double) light.getAs("z_requests")).as("light account's surge").isGreaterThan(5.0);
    assertThat((double) light.getAs("z_cot_share")).as("light account's new chain-of-thought habit").isGreaterThan(5.0);
    assertThat((long) light.getAs("w30_active_days")).as("ages 0..29: today and 14 even days").isEqualTo(15);
    double w7Cot = light.getAs("w7_cot_share");
    assertThat(w7Cot).as("request-weighted: the surge day dominates the week").isGreaterThan(0.6);

    Row newcomer = byAccount.get("newcomer");
    assertThat((Object) newcomer.getAs("z_requests")).isNull();
    assertThat((long) newcomer.getAs("w90_requests")).isEqualTo(30);
  }
}
