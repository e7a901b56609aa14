package io.distillwatch.jobs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The direction of dependencies, read off the sources: {@code features}, {@code models} and
 * {@code attribution} never use {@code jobs}; {@code models} uses neither of the others, and
 * {@code features} and {@code attribution} do not know each other; in {@code jobs}, only
 * {@code cli} and the commands ({@code *Command}, each in its stage's package beside its job) use
 * the CLI, so a job runs the same from a command, a test, a notebook or another job (failures the
 * jobs raise live in {@code jobs.failures}, below both).
 */
class ArchitectureTest {
  private static final Path ROOT = Path.of(System.getProperty("dw.project.root", "..")).toAbsolutePath().normalize();

  @Test
  void theModulesBelowJobsDoNotUseJobs() {
    for (String module : List.of("features", "models", "attribution")) {
      assertThat(offenders(ROOT.resolve(module).resolve("src/main/java"), Pattern.compile("\\bio\\.distillwatch\\.jobs\\b"), null))
          .as("%s sources that use io.distillwatch.jobs", module).isEmpty();
    }
  }

  @Test
  void theModelRuntimeAndTheFeaturesStandAlone() {
    // models is the DJL runtime both others use; features and attribution do not know each other
    assertThat(offenders(ROOT.resolve("models/src/main/java"), Pattern.compile("\\bio\\.distillwatch\\.(features|attribution)\\b"), null))
        .as("models sources that use features or attribution").isEmpty();
    assertThat(offenders(ROOT.resolve("features/src/main/java"), Pattern.compile("\\bio\\.distillwatch\\.(attribution|models)\\b"), null))
        .as("features sources that use attribution or models (a model reaches features as a function the jobs pass)").isEmpty();
    assertThat(offenders(ROOT.resolve("attribution/src/main/java"), Pattern.compile("\\bio\\.distillwatch\\.features\\b"), null))
        .as("attribution sources that use features").isEmpty();
  }

  @Test
  void jobsDoNotUseTheCommandLine() {
    Path jobs = ROOT.resolve("jobs/src/main/java/io/distillwatch/jobs");
    // a stage's package holds its command (a thin shell over the CLI) beside its job: only the
    // commands and cli/ itself may use the CLI or another command
    java.util.function.Predicate<Path> cliSide = p -> p.startsWith(jobs.resolve("cli")) || p.getFileName().toString().endsWith("Command.java");
    assertThat(offenders(jobs, Pattern.compile("\\bio\\.distillwatch\\.jobs\\.cli\\b|\\b[A-Z]\\w*Command\\b"), cliSide))
        .as("sources other than commands and cli/ that use the command line or a command").isEmpty();
  }

  @Test
  void everyStageKeepsItsCommandInItsOwnPackage() {
    Path jobs = ROOT.resolve("jobs/src/main/java/io/distillwatch/jobs");
    assertThat(jobs.resolve("commands")).as("the old commands/ package (commands live beside their jobs)").doesNotExist();
    List<String> commands = new ArrayList<>();
    try (Stream<Path> files = Files.walk(jobs)) {
      files.filter(p -> p.getFileName().toString().endsWith("Command.java") && !p.equals(jobs.resolve("cli/Command.java"))).forEach(p -> commands.add(jobs.relativize(p).toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertThat(commands).as("commands").isNotEmpty()
        .allSatisfy(c -> assertThat(c).as("a command in a stage package, not in cli/").doesNotStartWith("cli/"));
  }

  private static List<String> offenders(Path dir, Pattern use, java.util.function.Predicate<Path> allowed) {
    assertThat(dir).isDirectory();
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        if (allowed != null && allowed.test(f)) {
          continue;
        }
        if (use.matcher(Files.readString(f)).find()) {
          out.add(ROOT.relativize(f).toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
