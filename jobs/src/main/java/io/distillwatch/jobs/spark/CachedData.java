package io.distillwatch.jobs.spark;

import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * What a night leaves in the block manager, and freeing it between nights. Storage memory (broadcast
 * joins' tables, the serialized task of every stage, RDDs a library left persisted) is freed by Spark's
 * context cleaner only after a driver GC has collected what refers to it, and execution can take
 * storage memory back only down to {@code spark.memory.storageFraction}. With a large driver heap,
 * GCs that reach old objects are rare, and a month of `discover` nights in one JVM at scale 10 ran out
 * of execution memory on its 14th night; with a GC between nights it runs all 30 (the figures are in
 * docs/benchmarks.md, "A month at scale 10"). Loops over nights therefore free what nothing refers to
 * any more between nights. Nothing still referenced is touched, so a session shared with other work
 * (the test suite's) is safe.
 */
public final class CachedData {
  private CachedData() {}

  /** Persisted RDDs still referenced (Spark forgets the others at a GC) and the storage memory in use. */
  public record Held(int rdds, long storageBytes) {}

  /** Before and after freeing. */
  public record Freed(Held before, Held after) {
    public String describe() {
      return String.format("persisted RDDs %d -> %d, storage memory in use %,d MB -> %,d MB after a GC",
          before.rdds(), after.rdds(), before.storageBytes() >> 20, after.storageBytes() >> 20);
    }
  }

  /**
   * Storage memory as this JVM's memory manager counts it, which includes blocks the master is never told
   * of (task binaries, broadcast pieces). In local mode that is all of it; on a cluster, the driver's.
   */
  public static Held held(SparkSession spark) {
    return new Held(JavaSparkContext.fromSparkContext(spark.sparkContext()).getPersistentRDDs().size(),
        SparkEnv.get().memoryManager().storageMemoryUsed());
  }

  /**
   * Runs a GC, so the context cleaner unpersists the RDDs and removes the broadcasts and shuffles that
   * nothing refers to, and waits (5 s at most) until storage memory stops shrinking.
   */
  public static Freed freeUnreferenced(SparkSession spark) {
    Held before = held(spark);
    System.gc();
    Held after = held(spark);
    for (int polls = 0; polls < 25; polls++) {
      sleep(200);
      Held now = held(spark);
      boolean settled = polls > 0 && now.storageBytes() >= after.storageBytes();
      after = now;
      if (settled) {
        break;
      }
    }
    return new Freed(before, after);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
