package io.distillwatch.jobs.cli;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * One {@code --name value} option of a command: its kind, whether it is required, its default
 * and its help line. Values are checked when the command line is parsed, before any work starts.
 */
public record OptionSpec(String name, Kind kind, boolean required, String defaultValue, String help) {

  public enum Kind { TEXT, DATE, INT, DOUBLE, FLAG }

  public static OptionSpec required(String name, Kind kind, String help) {
    return new OptionSpec(name, kind, true, null, help);
  }

  public static OptionSpec optional(String name, Kind kind, String defaultValue, String help) {
    return new OptionSpec(name, kind, false, defaultValue, help);
  }

  public static OptionSpec flag(String name, String help) {
    return new OptionSpec(name, Kind.FLAG, false, "false", help);
  }

  /** Throws a {@link UsageException} naming the option if {@code value} is not of this kind. */
  void check(String value) {
    try {
      switch (kind) {
        case DATE -> LocalDate.parse(value);
        case INT -> Long.parseLong(value);
        case DOUBLE -> {
          double d = Double.parseDouble(value);
          if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new NumberFormatException();
          }
        }
        case FLAG -> {
          if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException();
          }
        }
        case TEXT -> {
          if (value.isBlank()) {
            throw new IllegalArgumentException();
          }
        }
      }
    } catch (DateTimeParseException e) {
      throw new UsageException("--" + name + ": '" + value + "' is not a date (YYYY-MM-DD)");
    } catch (IllegalArgumentException e) {
      throw new UsageException("--" + name + ": '" + value + "' is not " + describe());
    }
  }

  String describe() {
    return switch (kind) {
      case DATE -> "a date (YYYY-MM-DD)";
      case INT -> "an integer";
      case DOUBLE -> "a number";
      case FLAG -> "true or false";
      case TEXT -> "a non-empty value";
    };
  }

  String usage() {
    String value = kind == Kind.FLAG ? "" : " " + (kind == Kind.DATE ? "YYYY-MM-DD" : kind == Kind.TEXT ? "VALUE" : "N");
    String suffix = required ? " (required)" : defaultValue != null && kind != Kind.FLAG ? " (default " + defaultValue + ")" : "";
    return String.format("  --%-24s %s%s", name + value, help, suffix);
  }
}
