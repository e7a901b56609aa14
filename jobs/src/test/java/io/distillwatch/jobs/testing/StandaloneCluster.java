package io.distillwatch.jobs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A Spark standalone cluster on 127.0.0.1 in separate JVMs: one master and {@code workers} workers of
 * one core each, started from the Maven jars of {@code jobs/target/dist/lib} (no Spark download), and
 * {@code SparkSubmit} as a third kind of process, the way README's "Running on a cluster" submits the
 * {@code -spark.jar}.
 *
 * <p>The cluster's Spark home is a directory whose {@code jars/} links every jar of the distribution
 * except those the {@code -spark.jar} bundles (found in the built jar itself, not in a second copy of
 * jobs/pom.xml's shade allow-list): so the executors see only what a real Spark installation has plus
 * what we ship, and a class we forgot to bundle fails here. Workers start executors as JVMs of their own, which is the point: closures,
 * models and caches must cross a process boundary.
 */
public final class StandaloneCluster implements AutoCloseable {

  private final Path home;
  private final String jvmFlags;
  private final String master;
  private final List<Process> daemons = new ArrayList<>();

  private StandaloneCluster(Path home, String jvmFlags, String master) {
    this.home = home;
    this.jvmFlags = jvmFlags;
    this.master = master;
  }

  /**
   * Starts the master and the workers and waits until every worker has registered.
   *
   * @param dist {@code jobs/target/dist} (its {@code lib/} and {@code jvm.flags})
   * @param sparkJar the {@code -spark.jar}: the jars of {@code lib/} whose classes it holds stay out of the Spark home
   */
  public static StandaloneCluster start(Path dist, Path sparkJar, int workers, String workerMemory)
      throws IOException, InterruptedException {
    Path home = Fixtures.tempDir("spark-home");
    Path jars = Files.createDirectories(home.resolve("jars"));
    Set<String> shipped = entries(sparkJar);
    try (Stream<Path> lib = Files.list(dist.resolve("lib"))) {
      for (Path jar : lib.toList()) {
        if (!bundled(jar, shipped)) {
          Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar.toAbsolutePath());
        }
      }
    }
    String flags = Files.readString(dist.resolve("jvm.flags")).strip();
    int port = freePort();
    StandaloneCluster cluster = new StandaloneCluster(home, flags, "spark://127.0.0.1:" + port);
    try {
      Path masterLog = home.resolve("master.log");
      cluster.daemons.add(cluster.java(masterLog, "-Xmx512m", "org.apache.spark.deploy.master.Master",
          "--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port", String.valueOf(freePort())));
      awaitPort(port, Duration.ofSeconds(60));
      for (int i = 0; i < workers; i++) {
        Path work = Files.createDirectories(home.resolve("work-" + i));
        cluster.daemons.add(cluster.java(home.resolve("worker-" + i + ".log"), "-Xmx512m",
            "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1", "--memory", workerMemory,
            "--webui-port", String.valueOf(freePort()), "--work-dir", work.toString(), cluster.master));
      }
      cluster.awaitLog(masterLog, "Registering worker", workers, Duration.ofSeconds(120));
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  public String master() {
    return master;
  }

  /** What a submission printed, and its exit code. */
  public record Submission(int code, String output) {
    public String tail() {
      List<String> lines = output.lines().filter(l -> !l.startsWith("\tat ")).toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
  }

  /**
   * {@code SparkSubmit --master spark://... --class io.distillwatch.jobs.cli.Main <sparkJar> <args>}, in client
   * mode (the driver is the submitting JVM, as on an edge node), with the confs README's cluster section lists.
   */
  public Submission submit(Path sparkJar, String executorMemory, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("-Xmx2g", "org.apache.spark.deploy.SparkSubmit",
        "--master", master, "--deploy-mode", "client", "--class", "io.distillwatch.jobs.cli.Main",
        "--conf", "spark.executor.memory=" + executorMemory,
        "--conf", "spark.executor.extraJavaOptions=-Dai.djl.offline=true -Duser.timezone=UTC",
        "--conf", "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension",
        "--conf", "spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "--conf", "spark.sql.shuffle.partitions=4",
        "--conf", "spark.ui.enabled=false",
        sparkJar.toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    Path log = Files.createTempFile(home, "submit-", ".log");
    Process p = java(log, cmd.toArray(String[]::new));
    int code = p.waitFor();
    return new Submission(code, Files.readString(log));
  }

  private Process java(Path log, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(jvmFlags.split("\\s+")));
    cmd.add("-cp");
    cmd.add(home.resolve("jars") + "/*");
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_HOME", home.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.13");
    pb.environment().remove("SPARK_MASTER"); // nothing of the caller's Spark settings leaks in
    return pb.start();
  }

  private void awaitLog(Path log, String line, int times, Duration timeout) throws IOException, InterruptedException {
    Instant end = Instant.now().plus(timeout);
    while (Instant.now().isBefore(end)) {
      long seen = Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.contains(line)).count() : 0;
      if (seen >= times) {
        return;
      }
      for (Process d : daemons) {
        if (!d.isAlive()) {
          throw new IllegalStateException("a cluster process exited (" + d.exitValue() + "); logs in " + home);
        }
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("no " + times + " x '" + line + "' in " + log + " within " + timeout);
  }

  private static void awaitPort(int port, Duration timeout) throws InterruptedException {
    Instant end = Instant.now().plus(timeout);
    while (Instant.now().isBefore(end)) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(300);
      }
    }
    throw new IllegalStateException("the master did not listen on " + port + " within " + timeout);
  }

  private static Set<String> entries(Path jar) throws IOException {
    try (ZipFile z = new ZipFile(jar.toFile())) {
      return z.stream().map(ZipEntry::getName).collect(Collectors.toSet());
    }
  }

  /** Whether the -spark.jar holds {@code jar}: its first class (or, without classes, its first file) is in it. */
  private static boolean bundled(Path jar, Set<String> shipped) throws IOException {
    try (ZipFile z = new ZipFile(jar.toFile())) {
      List<String> files = z.stream().filter(e -> !e.isDirectory() && !e.getName().startsWith("META-INF/"))
          .map(ZipEntry::getName).toList();
      String probe = files.stream().filter(n -> n.endsWith(".class")).findFirst()
          .orElse(files.isEmpty() ? null : files.get(0));
      return probe != null && shipped.contains(probe);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (Process d : daemons) {
      d.descendants().forEach(ProcessHandle::destroy); // executors the workers started
      d.destroy();
    }
    for (Process d : daemons) {
      try {
        if (!d.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
          d.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        d.destroyForcibly();
      }
    }
  }
}
