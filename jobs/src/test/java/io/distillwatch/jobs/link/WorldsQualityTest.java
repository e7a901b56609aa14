package io.distillwatch.jobs.link;

import io.distillwatch.jobs.evaluate.EvaluateJob;
import io.distillwatch.jobs.features.FeaturesJob;
import io.distillwatch.jobs.ingest.IngestJob;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.nightly.NightlyJob;
import io.distillwatch.jobs.testing.CampaignLake;
import io.distillwatch.jobs.testing.Fixtures;
import io.distillwatch.testing.SharedSpark;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;

/**
 * The quality gates over worlds whose parameters are drawn from ranges ({@code simulate --world N},
 * docs/campaigns.md "Worlds"), not over one world: campaigns that dodge each signal, benign
 * populations that form clusters, sizes that vary. Each world: 14 simulated days at scale 0.2,
 * ingest and features every day, {@code nightly} on the last two nights, the evaluation of the last
 * night. (Nights before the last two would change campaign ids and lineage only: a night's scores
 * read its window's features, not earlier nights' campaigns.) Every world's figures are printed,
 * then each gate is checked on each world. Tagged {@code slow}: about half an hour per world here
 * ({@code -Ddw.worlds=1,2} picks worlds, {@code -Ddw.worlds.scale=0.3} another scale).
 */
@Tag("slow")
class WorldsQualityTest {
  static final int DAYS = 14;
  static final LocalDate FROM = Fixtures.FROM;
  static final LocalDate LAST = FROM.plusDays(DAYS - 1);
  static final List<String> BENIGN_CLUSTERS = List.of("family_card", "course_cohort", "agency_clients");

  @Test
  void theGatesHoldInEveryWorld() {
    long[] worlds = Arrays.stream(System.getProperty("dw.worlds", "1,2,3,4,5").split(",")).mapToLong(Long::parseLong).toArray();
    double scale = Double.parseDouble(System.getProperty("dw.worlds.scale", "0.2"));
    SoftAssertions gates = new SoftAssertions();
    for (long world : worlds) {
      Path landing = Fixtures.landing(CampaignLake.config(DAYS, scale).withOverrides(java.util.Map.of()).withWorld(world));
      Lake lake = Lake.open(SharedSpark.get(), Fixtures.tempDir("world-" + world).toString());
      for (LocalDate d = FROM; d.isBefore(LAST.minusDays(1)); d = d.plusDays(1)) {
        new IngestJob(lake, Fixtures.ingest(landing, d)).execute();
        new FeaturesJob(lake, CampaignLake.features(d)).execute();
      }
      for (LocalDate d = LAST.minusDays(1); !d.isAfter(LAST); d = d.plusDays(1)) {
        new NightlyJob(lake, CampaignLake.night(landing, d)).execute(line -> { });
      }
      EvaluateJob.Result r = new EvaluateJob(lake, new EvaluateJob.Options(LAST, CampaignQualityTest.labels(landing), 7,
          CampaignTables.NIGHTLY)).execute();
      System.out.println("world " + world + ":");
      r.table().forEach(line -> System.out.println("  " + line));
      String w = "world " + world + ": ";
      gates.assertThat(r.value("all", "campaign_recall")).as(w + "campaign recall").isGreaterThanOrEqualTo(0.95);
      gates.assertThat(r.value("all", "account_precision")).as(w + "account precision").isGreaterThanOrEqualTo(0.95);
      gates.assertThat(r.value("all", "account_recall")).as(w + "account recall").isGreaterThanOrEqualTo(0.90);
      gates.assertThat(r.value("all", "benign_fpr")).as(w + "benign false-positive rate").isLessThanOrEqualTo(0.003);
      for (String profile : BENIGN_CLUSTERS) {
        Double fpr = r.value("profile:" + profile, "benign_fpr");
        if (fpr != null) {
          gates.assertThat(fpr).as(w + profile + " flagged").isLessThanOrEqualTo(0.01);
        }
      }
      Double reseller = r.value("tactic:proxy_mix", "account_recall");
      if (reseller != null) {
        gates.assertThat(reseller).as(w + "reseller mixing harvesting into its customers' traffic").isGreaterThanOrEqualTo(0.8);
      }
    }
    gates.assertAll();
  }
}
