package io.distillwatch.jobs.spark;

/**
 * Named points where a test can make a run die at an exact place instead of after a guessed
 * delay. Two ways, both off unless a test asks:
 * <ul>
 *   <li>{@code -Ddw.fault=ingest:after-quarantine}: the JVM halts there (exit 137, no finally
 *       blocks, no shutdown hooks), as if the machine were lost;</li>
 *   <li>{@link #arm}: the calling thread throws {@link SimulatedCrash} there, so a test can crash
 *       a run in its own JVM without disturbing jobs on other threads.</li>
 * </ul>
 */
public final class Faults {
  private Faults() {}

  private static final ThreadLocal<String> ARMED = new ThreadLocal<>();

  /** The run on this thread dies at {@code name}; an {@link Error}, so no {@code catch (Exception)} hides it. */
  public static final class SimulatedCrash extends Error {
    SimulatedCrash(String name) {
      super("dw.fault: simulated crash at " + name);
    }
  }

  /** Arms {@code name} for the calling thread until it fires or the returned handle is closed. */
  public static AutoCloseable arm(String name) {
    ARMED.set(name);
    return ARMED::remove;
  }

  public static void point(String name) {
    if (name.equals(ARMED.get())) {
      ARMED.remove();
      throw new SimulatedCrash(name);
    }
    String wanted = System.getProperty("dw.fault");
    if (wanted != null && wanted.equals(name)) {
      System.err.println("dw.fault: halting at " + name);
      Runtime.getRuntime().halt(137);
    }
  }
}
