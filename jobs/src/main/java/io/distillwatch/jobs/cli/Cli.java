package io.distillwatch.jobs.cli;

import io.distillwatch.jobs.failures.InvalidInputException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses {@code distillwatch <command> [--option value ...]}, runs the command and maps failures
 * to exit codes: 0 success, 2 usage error, 3 invalid input, 1 anything else. Every error is one
 * line on stderr; the stack trace only with {@code DW_DEBUG=1}.
 */
public final class Cli {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;
  public static final int INVALID_INPUT = 3;
  /** Temporary (EX_TEMPFAIL): a write lost to a concurrent run, or the object store down; run the date again. */
  public static final int TRY_AGAIN = 75;

  /** By name; commands sharing a name ({@code bench lsh}, {@code bench attribution}) differ by their first positional. */
  private final Map<String, List<Command>> commands;
  private final PrintStream out;
  private final PrintStream err;

  public Cli(List<Command> commands, PrintStream out, PrintStream err) {
    this.commands = new LinkedHashMap<>();
    for (Command c : commands) {
      this.commands.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(c);
    }
    this.out = out;
    this.err = err;
  }

  public int run(String... argv) {
    if (argv.length == 0) {
      err.println("distillwatch: no command given");
      printUsage(err);
      return USAGE;
    }
    if (argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
      printUsage(out);
      return OK;
    }
    List<Command> named = commands.get(argv[0]);
    if (named == null) {
      err.println("distillwatch: unknown command '" + argv[0] + "'; commands: " + String.join(", ", commands.keySet()));
      return USAGE;
    }
    Command command = named.size() == 1 ? named.get(0) : named.stream()
        .filter(c -> argv.length > 1 && c.positionals().get(0).equals(argv[1])).findFirst().orElse(null);
    if (command == null && argv.length > 1 && (argv[1].equals("--help") || argv[1].equals("-h"))) {
      named.forEach(c -> out.printf("  %-18s %s%n", c.name() + " " + c.positionals().get(0), c.summary()));
      return OK;
    }
    if (command == null) {
      err.println("distillwatch " + argv[0] + ": expected one of " + String.join(", ",
          named.stream().map(c -> c.positionals().get(0)).toList()) + " (see --help)");
      return USAGE;
    }
    Args args;
    try {
      List<String> rest = List.of(argv).subList(1, argv.length);
      if (rest.contains("--help") || rest.contains("-h")) {
        printHelp(command, out);
        return OK;
      }
      args = parse(command, rest);
      command.validate(args);
      if (args.flag("dry-run")) {
        out.println("ok: " + command.name() + " arguments are valid");
        return OK;
      }
      command.preflight(args);
    } catch (UsageException e) {
      err.println("distillwatch " + command.name() + ": " + e.getMessage() + " (see --help)");
      return USAGE;
    } catch (InvalidInputException e) {
      err.println("distillwatch " + command.name() + ": " + e.getMessage());
      return INVALID_INPUT;
    }
    try (CliContext ctx = new CliContext(out, err, args.sparkConf())) {
      return command.run(args, ctx);
    } catch (Throwable t) {
      return report(command, t);
    }
  }

  private int report(Command command, Throwable t) {
    Throwable cause = userCause(t);
    if (Boolean.parseBoolean(System.getenv().getOrDefault("DW_DEBUG", "false").replace("1", "true"))) {
      t.printStackTrace(err);
    }
    if (cause instanceof UsageException) {
      err.println("distillwatch " + command.name() + ": " + cause.getMessage() + " (see --help)");
      return USAGE;
    }
    if (cause instanceof InvalidInputException) {
      err.println("distillwatch " + command.name() + ": " + cause.getMessage());
      return INVALID_INPUT;
    }
    if (cause instanceof AccessDeniedException || cause instanceof FileNotFoundException) {
      err.println("distillwatch " + command.name() + ": " + cause.getClass().getSimpleName() + ": " + cause.getMessage());
      return INVALID_INPUT;
    }
    var conflict = io.distillwatch.jobs.failures.ConflictingWrite.find(t);
    if (conflict.isPresent()) {
      err.println("distillwatch " + command.name() + ": " + io.distillwatch.jobs.failures.ConflictingWrite.describe(conflict.get()));
      return TRY_AGAIN;
    }
    var unavailable = io.distillwatch.jobs.failures.StoreUnavailable.find(t);
    if (unavailable.isPresent()) {
      err.println("distillwatch " + command.name() + ": " + io.distillwatch.jobs.failures.StoreUnavailable.describe(unavailable.get()));
      return TRY_AGAIN;
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage() == null ? "" : root.getMessage().lines().findFirst().orElse("");
    err.println("distillwatch " + command.name() + ": failed: " + root.getClass().getSimpleName() + ": " + msg
        + " (DW_DEBUG=1 shows the stack trace)");
    return FAILURE;
  }

  /** Spark wraps exceptions thrown in tasks; find ours if it is in the chain. */
  private static Throwable userCause(Throwable t) {
    return io.distillwatch.jobs.failures.Causes.first(t, c -> c instanceof UsageException
        || c instanceof InvalidInputException || c instanceof AccessDeniedException
        || c instanceof FileNotFoundException).orElse(t);
  }


  Args parse(Command command, List<String> argv) {
    Map<String, OptionSpec> specs = new LinkedHashMap<>();
    for (OptionSpec s : command.options()) {
      specs.put(s.name(), s);
    }
    specs.putIfAbsent("dry-run", OptionSpec.flag("dry-run", "validate the arguments and exit"));
    Map<String, String> values = new LinkedHashMap<>();
    Map<String, String> conf = new LinkedHashMap<>();
    List<String> positional = new ArrayList<>();
    String configFile = null;

    for (int i = 0; i < argv.size(); i++) {
      String a = argv.get(i);
      if (!a.startsWith("--")) {
        positional.add(a);
        continue;
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (name.equals("conf") || name.equals("config")) {
        if (value == null) {
          if (i + 1 >= argv.size()) {
            throw new UsageException("--" + name + " needs a value");
          }
          value = argv.get(++i);
        }
        if (name.equals("config")) {
          configFile = value;
        } else {
          int kv = value.indexOf('=');
          if (kv <= 0) {
            throw new UsageException("--conf takes key=value, got '" + value + "'");
          }
          conf.put(value.substring(0, kv), value.substring(kv + 1));
        }
        continue;
      }
      OptionSpec spec = specs.get(name);
      if (spec == null) {
        throw new UsageException("unknown option --" + name + "; options: " + optionNames(specs));
      }
      if (value == null) {
        if (spec.kind() == OptionSpec.Kind.FLAG) {
          value = "true";
        } else {
          if (i + 1 >= argv.size() || argv.get(i + 1).startsWith("--")) {
            throw new UsageException("--" + name + " needs a value: " + spec.describe());
          }
          value = argv.get(++i);
        }
      }
      spec.check(value);
      if (values.put(name, value) != null) {
        throw new UsageException("--" + name + " is given twice");
      }
    }
    if (positional.size() != command.positionals().size()) {
      throw new UsageException(command.positionals().isEmpty()
          ? "unexpected argument '" + positional.get(0) + "'"
          : "expected " + String.join(" ", command.positionals()));
    }
    for (int i = 0; i < positional.size(); i++) {
      if (!positional.get(i).equals(command.positionals().get(i))) {
        throw new UsageException("unknown subcommand '" + positional.get(i) + "'; expected " + command.positionals().get(i));
      }
    }
    if (configFile != null) {
      applyConfig(configFile, specs, values, conf);
    }
    for (OptionSpec s : specs.values()) {
      if (!values.containsKey(s.name())) {
        if (s.required()) {
          throw new UsageException("missing --" + s.name() + " (" + s.help() + ")");
        }
        if (s.defaultValue() != null) {
          values.put(s.name(), s.defaultValue());
        }
      }
    }
    return new Args(values, conf, positional);
  }

  /**
   * A config file is Java properties: option names give defaults (the command line wins), keys
   * starting with {@code spark.} are Spark confs. A key no command knows is a mistake, not ignored.
   */
  private void applyConfig(String file, Map<String, OptionSpec> specs, Map<String, String> values, Map<String, String> conf) {
    Properties props = new Properties();
    try (InputStream in = open(file)) {
      props.load(in);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read config file " + file + ": " + e.getMessage());
    }
    Set<String> known = new TreeSet<>();
    for (Command c : commands.values().stream().flatMap(List::stream).toList()) {
      c.options().forEach(o -> known.add(o.name()));
    }
    for (String key : new TreeSet<>(props.stringPropertyNames())) {
      String value = props.getProperty(key).trim();
      if (key.startsWith("spark.")) {
        conf.putIfAbsent(key, value);
      } else if (specs.containsKey(key)) {
        specs.get(key).check(value);
        values.putIfAbsent(key, value);
      } else if (!known.contains(key)) {
        throw new UsageException("config file " + file + ": unknown key '" + key + "'");
      }
    }
  }

  private static InputStream open(String file) throws IOException {
    if (file.contains("://")) {
      Path p = new Path(file);
      return FileSystem.get(p.toUri(), new org.apache.hadoop.conf.Configuration()).open(p);
    }
    return Files.newInputStream(java.nio.file.Path.of(file));
  }

  private static String optionNames(Map<String, OptionSpec> specs) {
    List<String> names = new ArrayList<>();
    specs.keySet().forEach(n -> names.add("--" + n));
    names.add("--conf");
    names.add("--config");
    return String.join(", ", names);
  }

  void printUsage(PrintStream s) {
    s.println("usage: distillwatch <command> [--option value ...]   (--help on any command)");
    s.println();
    for (Command c : commands.values().stream().flatMap(List::stream).toList()) {
      String name = c.name() + (c.positionals().isEmpty() ? "" : " " + String.join(" ", c.positionals()));
      s.printf("  %-18s %s%n", name, c.summary());
    }
    s.println();
    s.println("common options: --conf k=v (Spark/Hadoop configuration, repeatable), --config FILE (properties),");
    s.println("                --dry-run (validate arguments and exit)");
    s.println("exit codes: 0 success, 1 failure, 2 usage error, 3 invalid input");
  }

  void printHelp(Command c, PrintStream s) {
    String name = c.name() + (c.positionals().isEmpty() ? "" : " " + String.join(" ", c.positionals()));
    s.println("usage: distillwatch " + name + " [options]");
    s.println();
    s.println(c.summary());
    s.println();
    s.println("options:");
    for (OptionSpec o : c.options()) {
      s.println(o.usage());
    }
    s.println("  --conf k=v                 Spark or Hadoop configuration (repeatable), e.g. spark.hadoop.fs.s3a.endpoint=...");
    s.println("  --config FILE              properties file: option defaults and spark.* confs");
    s.println("  --dry-run                  validate the arguments and exit");
  }
}
