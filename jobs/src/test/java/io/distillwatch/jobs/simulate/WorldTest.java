package io.distillwatch.jobs.simulate;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worlds of {@code simulate --world N} (without Spark: their populations only): world 0 is the
 * default world; drawn worlds are reproducible, differ from each other, keep the benign clusters,
 * and among 40 of them every campaign signal is dodged by some campaign (docs/campaigns.md, "Worlds").
 */
class WorldTest {
  static final LocalDate FROM = LocalDate.parse("2026-10-01");
  static final SimConfig BASE = SimConfig.of(FROM, FROM.plusDays(13), 5, 0.2);

  static List<Group> campaigns(long world) {
    return Population.build(BASE.withWorld(world)).stream().filter(Group::isCampaign).toList();
  }

  @Test
  void worldZeroIsTheDefaultWorldAndDrawnWorldsAreReproducibleAndDiffer() {
    assertThat(campaigns(0)).extracting(g -> g.tactic)
        .containsExactly("hydra", "proxy_mix", "edu_abuse", "model_pivot", "multilingual", "low_and_slow");
    assertThat(shape(campaigns(3))).isEqualTo(shape(campaigns(3)));
    assertThat(shape(campaigns(3))).isNotEqualTo(shape(campaigns(4)));
    for (long w = 1; w <= 10; w++) {
      List<Group> all = Population.build(BASE.withWorld(w));
      assertThat(all).extracting(g -> g.profile).contains("family_card", "course_cohort", "agency_clients", "hobbyist");
      assertThat(all.stream().filter(Group::isCampaign).count()).isBetween(4L, 7L);
    }
  }

  private static List<String> shape(List<Group> groups) {
    List<String> out = new ArrayList<>();
    for (Group g : groups) {
      out.add(g.tactic + " " + g.accounts.size() + " " + g.rate + " " + g.templates.size() + " " + g.timing);
    }
    return out;
  }

  @Test
  void everySignalIsDodgedBySomeCampaignInSomeWorld() {
    List<Group> drawn = new ArrayList<>();
    for (long w = 1; w <= 40; w++) {
      drawn.addAll(campaigns(w));
    }
    Instant start = FROM.atStartOfDay().toInstant(ZoneOffset.UTC);
    assertDodged(drawn, "shared_payment (own cards)",
        g -> g.accounts.size() > 2 && g.accounts.stream().map(a -> a.payment).distinct().count() == g.accounts.size());
    assertDodged(drawn, "young_accounts and signup_burst (aged accounts)",
        g -> g.accounts.stream().allMatch(a -> Duration.between(a.createdAt, start).toDays() >= 29));
    assertDodged(drawn, "chain_of_thought (none)", g -> g.templates.stream().noneMatch(PromptFactory.Template::cot));
    assertDodged(drawn, "distillation_capabilities (ordinary work mixed in)",
        g -> g.templates.stream().filter(t -> Set.of("general_chat", "other", "translation").contains(t.capability())).count()
            >= 0.2 * g.templates.size());
    assertDodged(drawn, "template_concentration (many templates)", g -> g.templates.size() >= 100);
    assertDodged(drawn, "synchronised (no load balancer)", g -> g.timing != Group.Timing.ROUND_ROBIN);
    assertDodged(drawn, "low_and_wide (above 40 requests per account-day)", g -> !g.tactic.equals("proxy_mix") && g.rate > 40);
    assertDodged(drawn, "shared_infrastructure (own residential addresses)", g -> {
      Set<String> ips = new HashSet<>();
      return g.accounts.stream().allMatch(a -> a.network.size() == 1 && ips.add(a.network.ips()[0]));
    });
    assertDodged(drawn, "new_model_pivot (no pivot)", g -> !g.pivot);
    assertDodged(drawn, "many_organisations (a small campaign)", g -> g.accounts.size() <= 10);
  }

  private static void assertDodged(List<Group> campaigns, String what, Predicate<Group> dodges) {
    assertThat(campaigns.stream().filter(dodges).count()).as(what).isPositive();
  }
}
