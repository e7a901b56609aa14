package io.distillwatch.features.graph;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.graphx.Edge;
import org.apache.spark.graphx.Graph;
import org.apache.spark.graphx.lib.ConnectedComponents$;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Connected components of an undirected graph given as a Dataset of edges, computed on the
 * executors with GraphX's Pregel implementation (GraphFrames does not resolve for our Spark).
 * Each vertex gets the smallest vertex id of its component as its label, so the labelling is
 * deterministic. Nothing is collected to the driver.
 */
public final class ConnectedComponents {
  private ConnectedComponents() {}

  public static final StructType SCHEMA = new StructType()
      .add("vertex", DataTypes.LongType, false)
      .add("component", DataTypes.LongType, false);

  private static final ClassTag<Object> ANY = ClassTag$.MODULE$.Any();

  /**
   * @param edges rows of (src long, dst long); direction is ignored; self-loops are allowed
   *     (a self-loop is how an isolated vertex enters the graph)
   * @param maxIterations Pregel supersteps at most; components of a larger diameter would be
   *     left split, so pick it above the longest path the caller's edges can form
   * @return (vertex, component) for every vertex that appears in an edge, materialised (local
   *     checkpoint on the executors)
   */
  public static Dataset<Row> of(SparkSession spark, Dataset<Row> edges, int maxIterations) {
    if (maxIterations < 1) {
      throw new IllegalArgumentException("maxIterations must be positive");
    }
    JavaRDD<Edge<Object>> graphEdges = edges.toJavaRDD()
        .map(r -> new Edge<Object>(r.getLong(0), r.getLong(1), Boolean.TRUE));
    Graph<Object, Object> graph = Graph.fromEdges(graphEdges.rdd(), Boolean.TRUE,
        StorageLevel.MEMORY_AND_DISK(), StorageLevel.MEMORY_AND_DISK(), ANY, ANY);
    Graph<Object, Object> labelled = ConnectedComponents$.MODULE$.run(graph, maxIterations, ANY, ANY);
    JavaRDD<Row> rows = labelled.vertices().toJavaRDD()
        .map((Tuple2<Object, Object> v) -> RowFactory.create((Long) v._1(), (Long) v._2()));
    // materialise the labels and drop the cached graphs, so no GraphX state outlives the call
    Dataset<Row> result = spark.createDataFrame(rows, SCHEMA).localCheckpoint(true);
    labelled.unpersist(false);
    graph.unpersist(false);
    return result;
  }
}
