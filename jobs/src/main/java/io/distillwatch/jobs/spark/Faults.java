package io.distillwatch.jobs.spark;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

import java.util.Iterator;

/**
 * Named points where a test can make a run die at an exact place instead of after a guessed
 * delay. Two ways, both off unless a test asks:
 * <ul>
 *   <li>{@code -Ddw.fault=ingest:after-quarantine}: the JVM halts there (exit 137, no finally
 *       blocks, no shutdown hooks), as if the machine were lost;</li>
 *   <li>{@link #arm}: the calling thread throws {@link SimulatedCrash} there, so a test can crash
 *       a run in its own JVM without disturbing jobs on other threads.</li>
 * </ul>
 * Besides the named points between commits, every table write is a point too, in the middle of
 * the write ({@link #duringWrite}): {@code write:<table>} (e.g. {@code write:bronze.events}), or,
 * for {@link #arm} only, {@code write#k}, the k-th write of the run on the armed thread.
 */
public final class Faults {
  private Faults() {}

  private static final ThreadLocal<String> ARMED = new ThreadLocal<>();
  /** writes passed on this thread since {@link #arm} (for {@code write#k}) */
  private static final ThreadLocal<int[]> WRITES = ThreadLocal.withInitial(() -> new int[1]);

  /** The run on this thread dies at {@code name}; an {@link Error}, so no {@code catch (Exception)} hides it. */
  public static final class SimulatedCrash extends Error {
    SimulatedCrash(String name) {
      super("dw.fault: simulated crash at " + name);
    }
  }

  /** Arms {@code name} for the calling thread until it fires or the returned handle is closed. */
  public static AutoCloseable arm(String name) {
    ARMED.set(name);
    WRITES.get()[0] = 0;
    return ARMED::remove;
  }

  /**
   * The rows a write of {@code table} reads, unchanged unless this write is the armed point: then
   * the write's tasks die at the end of their input, after the rows went to the table's new data
   * files and before any is closed or committed, i.e. in the middle of the write (a MERGE first
   * reads its source to find the files it touches, so there it dies in that first pass). A write
   * with no rows has no task that could die, so it dies here, before its commit. Armed by
   * {@link #arm}, the task throws {@link SimulatedCrash} and the write fails; by {@code -Ddw.fault},
   * the JVM halts (exit 137).
   */
  public static Dataset<Row> duringWrite(String table, Dataset<Row> rows) {
    String name = "write:" + table;
    String armed = ARMED.get();
    boolean thrown = false;
    if (armed != null && armed.startsWith("write")) {
      int k = ++WRITES.get()[0];
      thrown = armed.equals(name) || armed.equals("write#" + k);
    }
    boolean halt = name.equals(System.getProperty("dw.fault"));
    if (!thrown && !halt) {
      return rows;
    }
    ARMED.remove();
    String what = name + (thrown ? " (" + armed + ")" : "");
    if (rows.isEmpty()) {
      // no rows, so no task would ever reach the end of its input: die now, before the commit
      die(what + " (no rows)", halt);
    }
    return rows.mapPartitions((MapPartitionsFunction<Row, Row>) it -> new DiesAtEnd(it, what, halt),
        Encoders.row(rows.schema()));
  }

  /** An iterator that dies when its input runs out, before the consumer sees the end. */
  private record DiesAtEnd(Iterator<Row> rows, String what, boolean halt) implements Iterator<Row> {
    @Override
    public boolean hasNext() {
      if (rows.hasNext()) {
        return true;
      }
      die(what, halt);
      return false;
    }

    @Override
    public Row next() {
      return rows.next();
    }
  }

  private static void die(String what, boolean halt) {
    if (halt) {
      System.err.println("dw.fault: halting in the middle of " + what);
      Runtime.getRuntime().halt(137);
    }
    throw new SimulatedCrash(what + ", in the middle of the write");
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
