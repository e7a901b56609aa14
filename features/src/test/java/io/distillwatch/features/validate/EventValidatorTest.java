package io.distillwatch.features.validate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

class EventValidatorTest {
  private static final LocalDate DAY = LocalDate.parse("2026-10-05");
  private static final String VALID = "{\"event_id\":\"e1\",\"ts\":\"2026-10-05T10:00:00+02:00\",\"account_id\":\"a1\","
      + "\"model\":\"atlas-3\",\"prompt\":\"hello\",\"asn\":13335,\"ip\":\"10.1.2.3\",\"country\":\"DE\","
      + "\"temperature\":0.7,\"logprobs\":true,\"n\":1,\"status\":200,\"unknown_field\":{\"x\":1}}";

  private final EventValidator validator = new EventValidator(DAY, EventValidator.defaults());

  @Test
  void validLineBecomesTypedValuesAndIgnoresUnknownFields() {
    EventValidator.Result r = validator.validate(VALID);
    assertThat(r.valid()).as(r.reason()).isTrue();
    Object[] v = r.values();
    assertThat(v[0]).isEqualTo("e1");
    assertThat(((Timestamp) v[1]).toInstant()).isEqualTo(Instant.parse("2026-10-05T08:00:00Z"));
    assertThat(v[6]).isEqualTo(13335);
    assertThat(v[16]).isEqualTo(0.7);
    assertThat(v[19]).isEqualTo(true);
    assertThat(v[EventSchema.FIELDS.size()]).isEqualTo(Date.valueOf("2026-10-05"));
    assertThat((String) v[EventSchema.FIELDS.size() + 1]).hasSize(32);
  }

  @Test
  void sameContentSameHashDifferentContentDifferentHash() {
    String a = (String) validator.validate(VALID).values()[EventSchema.FIELDS.size() + 1];
    String b = (String) validator.validate(VALID.replace("hello", "hello!")).values()[EventSchema.FIELDS.size() + 1];
    String c = (String) validator.validate(VALID.replace("\"unknown_field\":{\"x\":1}", "\"other\":2")).values()[EventSchema.FIELDS.size() + 1];
    assertThat(a).isNotEqualTo(b).isEqualTo(c);
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', textBlock = """
      {"event_id":"e1","ts":"2026-10-05T10:00:00Z","account_id":"a1","model":"m"                | missing required field 'prompt'
      {"event_id":"e1","ts":"2026-10-05T10:00:00Z","account_id":"a1","model":"m","prompt":""     | required field 'prompt' is empty
      {"event_id":"e1","ts":"2026-10-05 10:00:00","account_id":"a1","model":"m","prompt":"p"     | field 'ts' is not ISO-8601 with an offset or Z
      {"event_id":"e1","ts":"2026-10-05T10:00:00","account_id":"a1","model":"m","prompt":"p"     | field 'ts' is not ISO-8601 with an offset or Z
      {"event_id":"e1","ts":"1970-01-01T00:00:00Z","account_id":"a1","model":"m","prompt":"p"    | outside the accepted window
      {"event_id":"e1","ts":"2027-10-05T10:00:00Z","account_id":"a1","model":"m","prompt":"p"    | outside the accepted window
      {"event_id":"e1","ts":"2026-10-05T10:00:00Z","account_id":"a1","model":"m","prompt":"p","asn":"AS1"  | field 'asn' must be a 32-bit integer, got string
      {"event_id":"e1","ts":"2026-10-05T10:00:00Z","account_id":"a1","model":"m","prompt":"p","asn":1.5    | field 'asn' must be a 32-bit integer
      {"event_id":"e1","ts":"2026-10-05T10:00:00Z","account_id":"a1","model":"m","prompt":"p","asn":99999999999 | field 'asn' must be a 32-bit integer
      {"event_id":"e1","ts":"2026-10-05T10:00:00Z","account_id":"a1","model":"m","prompt":"p","logprobs":"yes" | field 'logprobs' must be true or false
      {"event_id":"e1","ts":"2026-10-05T10:00:00Z","account_id":"a1","model":"m","prompt":7                | field 'prompt' must be a string, got number
      {"event_id":"e1","ts":"2026-10-05T10:00:00Z","account_id":"a1","model":"m","prompt":"a\\u0000b"      | field 'prompt' contains a NUL character
      {"event_id":"e1","ts":"2026-10-05T10:00:00Z","account_id":"a1","model":"m","prompt":"p","ip":"10.1.2.300" | field 'ip' is not an IPv4 or IPv6 address
      {"event_id":"e1","ts":"2026-10-05T10:00:00Z","account_id":"a1","model":"m","prompt":"p","country":"Germany" | field 'country' is not an ISO-3166 alpha-2 code
      {"event_id":"e1","ts":"2026-10-05T10:00:00Z","account_id":"a1","model":"m","prompt":"p","n":0        | field 'n' must be at least 1
      {"event_id":"e1","ts":"2026-10-05T10:00:00Z","account_id":"a1","model":"m","prompt":"p","status":42  | field 'status' is not an HTTP status code
      {"event_id":"e1","ts":"2026-10-05T10:00:00Z","account_id":"a1","model":"m","prompt":"p","prompt":"q" | broken JSON: Duplicate field 'prompt'
      {"event_id":"e1","ts":"2026-10-05T10:00:00Z","account_id":"a1","model":"m","prompt":"p             | broken JSON
      [1,2,3]                                                                                              | not a JSON object
      """)
  void invalidLinesAreRejectedWithAReason(String jsonWithoutClosingBrace, String expectedReason) {
    String line = jsonWithoutClosingBrace.startsWith("[") || jsonWithoutClosingBrace.endsWith("\"p") ? jsonWithoutClosingBrace
        : jsonWithoutClosingBrace + "}";
    EventValidator.Result r = validator.validate(line);
    assertThat(r.valid()).isFalse();
    assertThat(r.reason()).contains(expectedReason);
  }

  @Test
  void reasonsNeverQuoteFieldContent() {
    EventValidator.Result r = validator.validate(VALID.replace("\"asn\":13335", "\"asn\":\"secret-asn-text\""));
    assertThat(r.reason()).doesNotContain("secret-asn-text");
  }

  @Test
  void overlongPromptIsRejected() {
    EventValidator small = new EventValidator(DAY, new EventValidator.Limits(7, 24, 10, 256));
    assertThat(small.validate(VALID.replace("hello", "hello world, this is long")).reason())
        .isEqualTo("field 'prompt' is longer than 10 characters");
  }

  @Test
  void ipAddresses() {
    assertThat(IpAddresses.isValid("192.168.0.1")).isTrue();
    assertThat(IpAddresses.isValid("2001:db8::1")).isTrue();
    assertThat(IpAddresses.isValid("::ffff:10.0.0.1")).isTrue();
    assertThat(IpAddresses.isValid("1:2:3:4:5:6:7:8")).isTrue();
    assertThat(IpAddresses.isValid("1::2::3")).isFalse();
    assertThat(IpAddresses.isValid("256.1.1.1")).isFalse();
    assertThat(IpAddresses.isValid("example.com")).isFalse();
    assertThat(IpAddresses.prefix("10.1.2.3")).isEqualTo("10.1.2.0/24");
    assertThat(IpAddresses.prefix("2001:db8:abcd:12::1")).isEqualTo("2001:db8:abcd::/48");
  }
}
