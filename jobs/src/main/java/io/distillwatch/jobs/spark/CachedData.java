package io.distillwatch.jobs.spark;

import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * What a night leaves in the block manager, and freeing it between nights. Storage memory (broadcast
 * joins' tables, the serialized task of every stage, RDDs a library left persisted) is freed by Spark's
 * context cleaner only after a driver GC has collected what refers to it, and execution can take
 * storage memory back only down to {@code spark.memory.storageFraction}. With a large driver heap,
 * GCs that reach old objects are rare: over a month of nights in one JVM (`discover` at scale 10,
 * docs/benchmarks.md) sorts began to fail for want of execution memory on the 11th night and the job
 * failed on the 14th, while a fresh JVM ran the same night without a failed allocation. A scale-10
 * night ends with about 2.1 GB of storage memory in use (RDDs still persisted: 1 MB of it); a GC brings
 * it to 6 MB. Loops over nights therefore free what nothing refers to any more between nights. Nothing
 * still referenced is touched, so a session shared with other work (the test suite's) is safe.
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
