package io.distillwatch.jobs.ingest;

import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.testing.SharedSpark;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Days delivered out of order and a day ingested again after a later one (issue 7, reruns and
 * backfills): the lake must equal the one built by ingesting the days in order, once each. The
 * registry is the tricky part: the newest snapshot per account must win by its date, not by
 * which day was ingested last.
 */
@Order(3) // compares with the shared clean lake
class OutOfOrderIngestTest {

  @Test
  void daysInAnyOrderAndADayTwiceGiveTheLakeOfAnInOrderRun() {
    Path landing = Fixtures.smallLanding();
    Lake lake = Lake.open(SharedSpark.get(), Fixtures.tempDir("out-of-order-lake").toString());
    new IngestJob(lake, Fixtures.ingest(landing, Fixtures.FROM.plusDays(1))).execute();
    new IngestJob(lake, Fixtures.ingest(landing, Fixtures.FROM)).execute();
    assertThat(Fixtures.digests(lake)).as("second day first").isEqualTo(Fixtures.cleanLake().digests());

    IngestJob.Result again = new IngestJob(lake, Fixtures.ingest(landing, Fixtures.FROM)).execute();
    assertThat(again.inserted()).as("the first day again, after the second: nothing new").isZero();
    assertThat(Fixtures.digests(lake)).as("first day again").isEqualTo(Fixtures.cleanLake().digests());
  }
}
