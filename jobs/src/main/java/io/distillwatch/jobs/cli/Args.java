package io.distillwatch.jobs.cli;

import java.time.LocalDate;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parsed, validated options of one command; every getter returns a value already checked. */
public final class Args {
  private final Map<String, String> values;
  private final Map<String, String> sparkConf;
  private final List<String> positional;

  Args(Map<String, String> values, Map<String, String> sparkConf, List<String> positional) {
    this.values = values;
    this.sparkConf = sparkConf;
    this.positional = positional;
  }

  /** For tests and for commands that run other commands. */
  public static Args of(Map<String, String> values) {
    return new Args(new LinkedHashMap<>(values), Map.of(), List.of());
  }

  public boolean has(String name) {
    return values.get(name) != null;
  }

  public String text(String name) {
    return values.get(name);
  }

  public LocalDate date(String name) {
    String v = values.get(name);
    return v == null ? null : LocalDate.parse(v);
  }

  public long integer(String name) {
    return Long.parseLong(values.get(name));
  }

  public double number(String name) {
    return Double.parseDouble(values.get(name));
  }

  public boolean flag(String name) {
    return Boolean.parseBoolean(values.getOrDefault(name, "false"));
  }

  /** Spark configuration given by {@code --conf k=v} and the config file. */
  public Map<String, String> sparkConf() {
    return Collections.unmodifiableMap(sparkConf);
  }

  public List<String> positional() {
    return positional;
  }

  /** Options as given, for job descriptions; values only, never Spark confs (they may hold secrets). */
  public Map<String, String> options() {
    return Collections.unmodifiableMap(values);
  }
}
