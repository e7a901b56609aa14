package io.distillwatch.jobs.simulate;

/** A minimal JSON object writer for the simulator's hot loop (no reflection, no tree). */
final class JsonLine {
  private final StringBuilder sb = new StringBuilder(1024);
  private boolean first;

  JsonLine begin() {
    sb.setLength(0);
    sb.append('{');
    first = true;
    return this;
  }

  JsonLine str(String key, String value) {
    if (value == null) {
      return this;
    }
    key(key);
    quote(value);
    return this;
  }

  JsonLine num(String key, long value) {
    key(key);
    sb.append(value);
    return this;
  }

  JsonLine dbl(String key, double value) {
    key(key);
    sb.append(value);
    return this;
  }

  JsonLine bool(String key, boolean value) {
    key(key);
    sb.append(value);
    return this;
  }

  /** A raw, already-encoded JSON value (used to write deliberately malformed lines). */
  JsonLine raw(String key, String json) {
    key(key);
    sb.append(json);
    return this;
  }

  String end() {
    sb.append('}');
    return sb.toString();
  }

  private void key(String key) {
    if (!first) {
      sb.append(',');
    }
    first = false;
    sb.append('"').append(key).append("\":");
  }

  private void quote(String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
