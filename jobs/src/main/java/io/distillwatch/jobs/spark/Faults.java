package io.distillwatch.jobs.spark;

/**
 * Named points where a test can make the JVM die as if the machine were lost
 * ({@code -Ddw.fault=ingest:after-quarantine}). Off unless that system property is set; it is
 * how the crash-and-rerun tests kill a run at an exact place instead of after a guessed delay.
 */
public final class Faults {
  private Faults() {}

  public static void point(String name) {
    String wanted = System.getProperty("dw.fault");
    if (wanted != null && wanted.equals(name)) {
      System.err.println("dw.fault: halting at " + name);
      Runtime.getRuntime().halt(137);
    }
  }
}
