package io.distillwatch.jobs.share;

import io.distillwatch.jobs.failures.InvalidInputException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sharing wing's pure parts: patterns written and read back, networks, identifiers, bundle parsing. */
class IndicatorsTest {

  @Test
  void everyPatternWeWriteReadsBackAsItsTerms() {
    assertThat(Indicators.parse(Indicators.templatePattern(new long[] {11L, -42L, 7L})).orElseThrow())
        .containsExactly(new Indicators.Term("template", "11"), new Indicators.Term("template", "-42"),
            new Indicators.Term("template", "7"));
    assertThat(Indicators.parse(Indicators.identityPattern("payment", "ABCDEF01")).orElseThrow())
        .containsExactly(new Indicators.Term("payment", "abcdef01"));
    assertThat(Indicators.parse(Indicators.networkPattern("45.3.2.0/24")).orElseThrow())
        .containsExactly(new Indicators.Term("network", "45.3.2.0/24"));
    assertThat(Indicators.parse(Indicators.asnPattern(64512)).orElseThrow())
        .containsExactly(new Indicators.Term("asn", "64512"));
    String ua = "harvester/1.0 (it's \\ odd OR not)";
    assertThat(Indicators.parse(Indicators.userAgentPattern(ua)).orElseThrow())
        .containsExactly(new Indicators.Term("user_agent", ua));
  }

  @Test
  void aTemplateSignatureTravelsAsTextAndGivesTheBandKeysOurTemplatesUse() {
    long[] sig = new long[80];
    for (int i = 0; i < sig.length; i++) {
      sig[i] = Long.MIN_VALUE + 7919L * i * i;
    }
    assertThat(Indicators.parseSignature(Indicators.signatureText(sig)).orElseThrow()).containsExactly(sig);
    assertThat(Indicators.parseSignature("1,2,3")).as("not the community's length").isEmpty();
    assertThat(Indicators.parseSignature("x".repeat(3))).isEmpty();
    // the same band keys as the features job's index for the same prompt
    var lsh = new io.distillwatch.features.templates.MinHashLsh(20, 4, 3, 0x5EEDL);
    String prompt = "Explain step by step how to solve the following problem and show your reasoning";
    long[] signature = lsh.signature(lsh.shingles(io.distillwatch.features.templates.PromptNormalizer.normalize(prompt)));
    assertThat(Indicators.bandKeys(signature)).containsExactly(lsh.bandKeysOf(prompt));
  }

  @Test
  void patternsFromOtherToolsAreReadWhereTheyMeanTheSameAndLeftOutOtherwise() {
    // the OASIS example's single address, with its spaces inside the brackets
    assertThat(Indicators.parse("[ ipv4-addr:value = '10.0.0.0' ]").orElseThrow())
        .containsExactly(new Indicators.Term("network", "10.0.0.0/32"));
    // what we cannot evaluate faithfully is not evaluated at all: AND, two observations, other objects, qualifiers
    assertThat(Indicators.parse("[ipv4-addr:value = '1.2.3.4' AND autonomous-system:number = 5]")).isEmpty();
    assertThat(Indicators.parse("[ipv4-addr:value = '1.2.3.4'] OR [autonomous-system:number = 5]")).isEmpty();
    assertThat(Indicators.parse("[file:hashes.'SHA-256' = 'aa']")).isEmpty();
    assertThat(Indicators.parse("[ipv4-addr:value = '1.2.3.4'] WITHIN 10 SECONDS")).isEmpty();
    assertThat(Indicators.parse("[ipv4-addr:value ISSUBSET '1.2.3.0/4']")).as("wider than a /8").isEmpty();
    // a quoted OR or AND is part of a value, not an operator
    assertThat(Indicators.parse(Indicators.userAgentPattern("a AND b")).orElseThrow()).hasSize(1);
  }

  @Test
  void networksArePublicSlash24sAndContainWhatTheyShould() {
    assertThat(Indicators.prefix24("45.3.2.200")).isEqualTo("45.3.2.0/24");
    for (String privateOrReserved : List.of("10.1.2.3", "172.16.9.9", "192.168.0.1", "127.0.0.1", "100.64.0.1",
        "169.254.1.1", "192.0.2.7", "198.51.100.7", "203.0.113.7", "224.0.0.1", "2001:db8::1", "1.2.3", "1.2.3.256")) {
      assertThat(Indicators.prefix24(privateOrReserved)).as(privateOrReserved).isNull();
    }
    // a peer's network with host bits set is the same network
    assertThat(Indicators.parse("[ipv4-addr:value ISSUBSET '45.3.2.77/24']").orElseThrow())
        .containsExactly(new Indicators.Term("network", "45.3.2.0/24"));
    assertThat(Indicators.network24("10.1.2.3")).isEqualTo("10.1.2.0/24");
    Indicators.Cidr c = Indicators.Cidr.parse("45.3.2.0/23").orElseThrow();
    assertThat(c.contains("45.3.3.9")).isTrue();
    assertThat(c.contains("45.3.4.1")).isFalse();
    assertThat(c.contains("not an ip")).isFalse();
  }

  @Test
  void identifiersAreUuidVersion5UnderTheStixNamespace() {
    // the same as Python's uuid.uuid5(UUID('00abedb4-aa42-466c-9c01-fed23315a9b7'), 'hello')
    assertThat(Stix.uuid5("hello").toString()).isEqualTo("81ce943f-fe31-5fe8-b32e-221cb66b6dc9");
    assertThat(Stix.id("campaign", "x")).isEqualTo(Stix.id("campaign", "x")).startsWith("campaign--");
  }

  @Test
  void theCommunityKeyHashesEqualValuesEquallyAndNeverShowsItself() {
    CommunityKey k = CommunityKey.of("a-community-key-of-thirty-two-chars!");
    assertThat(k.hmac("email_domain", " Example.EDU ")).isEqualTo(k.hmac("email_domain", "example.edu")).hasSize(64);
    assertThat(k.hmac("payment", "example.edu")).isNotEqualTo(k.hmac("email_domain", "example.edu"));
    assertThat(CommunityKey.of("another-community-key-of-32-chars!!").hmac("email_domain", "example.edu"))
        .isNotEqualTo(k.hmac("email_domain", "example.edu"));
    assertThat(k.toString()).doesNotContain("thirty");
    assertThatThrownBy(() -> CommunityKey.of("short")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> CommunityKey.fromEnvironment(java.util.Map.of()))
        .hasMessageContaining(CommunityKey.VARIABLE);
  }

  @Test
  void aBundleIsReadWithItsCampaignsAndEvaluableIndicatorsAndUnknownObjectsAreKept() {
    String c = Stix.id("campaign", "c");
    String i1 = Stix.id("indicator", "1");
    String i2 = Stix.id("indicator", "2");
    String json = """
        {"type": "bundle", "id": "%s", "objects": [
          {"type": "campaign", "spec_version": "2.1", "id": "%s", "name": "Op"},
          {"type": "indicator", "id": "%s", "pattern": "[autonomous-system:number = 7]", "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z"},
          {"type": "indicator", "id": "%s", "pattern": "rule x { }", "pattern_type": "yara", "valid_from": "2026-01-01T00:00:00Z"},
          {"type": "relationship", "id": "%s", "relationship_type": "indicates", "source_ref": "%s", "target_ref": "%s"},
          {"type": "x-other-lab-thing", "id": "%s", "whatever": [1, 2]}
        ]}""".formatted(Stix.id("bundle", "b"), c, i1, i2, Stix.id("relationship", "r"), i1, c, Stix.id("x-other-lab-thing", "t"));
    PeerBundle b = PeerBundle.parse("peer.json", json);
    assertThat(b.campaignNames()).containsEntry(c, "Op");
    assertThat(b.terms()).containsExactly(new PeerBundle.Term(i1, c, "asn", "7"));
    assertThat(b.indicators()).isEqualTo(2);
    assertThat(b.indicatorsNotEvaluated()).isEqualTo(1);
    assertThat(b.otherObjects()).containsEntry("x-other-lab-thing", 1);
  }

  @Test
  void anInvalidBundleIsAOneLineErrorNamingWhatIsWrong() {
    String bundleId = Stix.id("bundle", "b");
    assertThatThrownBy(() -> PeerBundle.parse("f.json", "{not json")).isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("bundle f.json is not JSON");
    assertThatThrownBy(() -> PeerBundle.parse("f.json", "{\"type\": \"report\"}")).hasMessageContaining("not a STIX bundle");
    assertThatThrownBy(() -> PeerBundle.parse("f.json", "{\"type\": \"bundle\", \"id\": \"bundle--1\"}"))
        .hasMessageContaining("no valid id");
    assertThatThrownBy(() -> PeerBundle.parse("f.json", "{\"type\": \"bundle\", \"id\": \"" + bundleId
        + "\", \"objects\": [{\"type\": \"indicator\", \"id\": \"" + Stix.id("indicator", "x") + "\", \"pattern_type\": \"stix\"}]}"))
        .hasMessageContaining("object 0").hasMessageContaining("has no pattern");
    assertThatThrownBy(() -> PeerBundle.parse("f.json", "{\"type\": \"bundle\", \"id\": \"" + bundleId
        + "\", \"objects\": [{\"type\": \"campaign\", \"id\": \"" + Stix.id("indicator", "x") + "\"}]}"))
        .hasMessageContaining("no valid id of its type");
    for (String bad : List.of("{not json", "{\"type\": \"report\"}")) {
      try {
        PeerBundle.parse("f.json", bad);
      } catch (InvalidInputException e) {
        assertThat(e.getMessage()).doesNotContain("\n");
      }
    }
  }
}
