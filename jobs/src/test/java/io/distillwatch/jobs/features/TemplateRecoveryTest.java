package io.distillwatch.jobs.features;

import io.distillwatch.features.templates.MinHashLsh;
import io.distillwatch.features.templates.TemplateAssignment;
import io.distillwatch.jobs.simulate.PromptFactory;
import io.distillwatch.testing.SharedSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Template recovery measured against the simulator's ground truth: prompts rendered from known
 * templates (slot fillings and wording variants) mixed with free text, assigned by
 * {@link TemplateAssignment} with the default LSH shape, on two days, the second against the
 * band index the first founded.
 */
@Order(4) // no lake
class TemplateRecoveryTest {
  static final StructType INPUT = new StructType()
      .add("prompt", DataTypes.StringType, false).add("truth", DataTypes.StringType, false);
  static final StructType INDEX = new StructType()
      .add("band_key", DataTypes.LongType, false).add("template_id", DataTypes.LongType, false)
      .add("signature", DataTypes.createArrayType(DataTypes.LongType, false), false);

  static SparkSession spark;
  static MinHashLsh lsh;
  static List<Row> day1;
  static List<Row> day2;
  static Map<String, Long> assigned1; // truth of each day-1 row index -> template id
  static List<String[]> result1;      // (truth, template id) per day-1 row
  static List<String[]> result2;
  static Set<String> oldTruths = new HashSet<>();
  static Set<String> newTruths = new HashSet<>();

  @BeforeAll
  static void assignTwoDays() {
    spark = SharedSpark.get();
    FeaturesJob.Options o = FeaturesJob.Options.defaults(java.time.LocalDate.parse("2026-10-01"));
    lsh = new MinHashLsh(o.bands(), o.rows(), o.shingle(), FeaturesJob.Options.LSH_SEED);
    SplittableRandom rng = new SplittableRandom(5);
    String[] capabilities = {"agentic_coding", "tool_use", "reasoning", "rubric_grading", "translation", "general_chat", "other"};
    List<PromptFactory.Template> templates = new ArrayList<>();
    for (int i = 0; i < 70; i++) {
      templates.add(PromptFactory.template(i, capabilities[i % capabilities.length], rng.nextDouble() < 0.4, rng));
    }
    templates.add(PromptFactory.foreignTemplate(100, "zh", 1));
    templates.add(PromptFactory.foreignTemplate(101, "ru", 1));
    day1 = new ArrayList<>();
    day2 = new ArrayList<>();
    for (int i = 0; i < 60; i++) { // 60 templates on day 1, 40 of them again on day 2, 10 new on day 2
      PromptFactory.Template t = templates.get(i < 58 ? i : 70 + (i - 58));
      for (int f = 0; f < 6; f++) {
        day1.add(RowFactory.create(PromptFactory.render(t, rng), "t" + t.id()));
      }
      if (i < 40) {
        oldTruths.add("t" + t.id());
        for (int f = 0; f < 4; f++) {
          day2.add(RowFactory.create(PromptFactory.render(t, rng), "t" + t.id()));
        }
      }
    }
    for (int i = 58; i < 68; i++) {
      newTruths.add("t" + templates.get(i).id());
      for (int f = 0; f < 6; f++) {
        day2.add(RowFactory.create(PromptFactory.render(templates.get(i), rng), "t" + templates.get(i).id()));
      }
    }
    for (int i = 0; i < 200; i++) {
      day1.add(RowFactory.create(i % 4 == 0 ? PromptFactory.coding(rng) : PromptFactory.chat(rng), "free"));
      day2.add(RowFactory.create(i % 4 == 0 ? PromptFactory.coding(rng) : PromptFactory.chat(rng), "free"));
    }

    Dataset<Row> empty = spark.createDataFrame(List.of(), INDEX);
    Day first = assign(day1, empty, 4);
    result1 = first.rows;
    Dataset<Row> index = first.newIndex.localCheckpoint();
    result2 = assign(day2, index, 4).rows;
  }

  record Day(List<String[]> rows, Dataset<Row> newIndex) {}

  static Day assign(List<Row> rows, Dataset<Row> index, int partitions) {
    Dataset<Row> requests = TemplateAssignment.normalize(spark.createDataFrame(rows, INPUT).repartition(partitions)).cache();
    Dataset<Row> prompts = requests.groupBy("norm_hash", "norm").agg(count(lit(1)).as("requests"));
    Dataset<Row> signed = TemplateAssignment.sign(prompts, lsh).cache();
    Dataset<Row> assignment = TemplateAssignment.assign(spark, signed, index, TemplateAssignment.DEFAULT_MIN_SIMILARITY).cache();
    Dataset<Row> tagged = requests.join(assignment, "norm_hash");
    List<String[]> out = new ArrayList<>();
    tagged.select("truth", "template_id").collectAsList()
        .forEach(r -> out.add(new String[] {r.getString(0), String.valueOf(r.getLong(1))}));
    Dataset<Row> indexable = tagged.groupBy("template_id").count().where(col("count").geq(2)).select("template_id");
    return new Day(out, TemplateAssignment.newIndexEntries(signed, assignment, indexable, index));
  }

  /** Pairwise precision and recall of the template rows (free text excluded). */
  static double[] pairwise(List<String[]> rows) {
    Map<String, Long> cell = new HashMap<>();
    Map<String, Long> predicted = new HashMap<>();
    Map<String, Long> truth = new HashMap<>();
    for (String[] r : rows) {
      if (!r[0].equals("free")) {
        cell.merge(r[0] + "|" + r[1], 1L, Long::sum);
        predicted.merge(r[1], 1L, Long::sum);
        truth.merge(r[0], 1L, Long::sum);
      }
    }
    double tp = cell.values().stream().mapToDouble(n -> n * (n - 1) / 2.0).sum();
    double pp = predicted.values().stream().mapToDouble(n -> n * (n - 1) / 2.0).sum();
    double tt = truth.values().stream().mapToDouble(n -> n * (n - 1) / 2.0).sum();
    return new double[] {tp / pp, tp / tt};
  }

  @Test
  void templatesAreRecoveredWithHighPairwisePrecisionAndRecall() {
    double[] pr = pairwise(result1);
    System.out.printf("template recovery day 1: pairwise precision %.3f, recall %.3f%n", pr[0], pr[1]);
    assertThat(pr[0]).as("pairwise precision").isGreaterThanOrEqualTo(0.9);
    assertThat(pr[1]).as("pairwise recall").isGreaterThanOrEqualTo(0.9);
  }

  @Test
  void freeTextIsNotAbsorbedIntoTemplates() {
    Set<String> templateIds = new HashSet<>();
    result1.stream().filter(r -> !r[0].equals("free")).forEach(r -> templateIds.add(r[1]));
    long free = result1.stream().filter(r -> r[0].equals("free")).count();
    long absorbed = result1.stream().filter(r -> r[0].equals("free") && templateIds.contains(r[1])).count();
    System.out.printf("free text absorbed into templates: %d of %d%n", absorbed, free);
    assertThat((double) absorbed / free).isLessThanOrEqualTo(0.02);
  }

  @Test
  void secondDayJoinsKnownTemplatesAndFoundsNewOnes() {
    Map<String, Map<String, Integer>> votes = new HashMap<>();
    for (String[] r : result1) {
      votes.computeIfAbsent(r[0], k -> new HashMap<>()).merge(r[1], 1, Integer::sum);
    }
    Map<String, String> day1Id = new HashMap<>();
    votes.forEach((truth, v) -> day1Id.put(truth, v.entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey()));
    Set<String> day1Ids = new HashSet<>();
    result1.forEach(r -> day1Ids.add(r[1]));

    long old = 0;
    long kept = 0;
    long fresh = 0;
    long founded = 0;
    for (String[] r : result2) {
      if (oldTruths.contains(r[0])) {
        old++;
        kept += r[1].equals(day1Id.get(r[0])) ? 1 : 0;
      } else if (newTruths.contains(r[0])) {
        fresh++;
        founded += day1Ids.contains(r[1]) ? 0 : 1;
      }
    }
    System.out.printf("day 2: %d of %d requests of known templates kept their id; %d of %d of new templates got a new id%n",
        kept, old, founded, fresh);
    assertThat((double) kept / old).as("known templates keep their id").isGreaterThanOrEqualTo(0.9);
    assertThat((double) founded / fresh).as("new templates get new ids").isGreaterThanOrEqualTo(0.9);
    double[] pr = pairwise(result2);
    assertThat(pr[0]).as("day-2 pairwise precision").isGreaterThanOrEqualTo(0.9);
  }

  @Test
  void idsDoNotDependOnPartitioning() {
    Dataset<Row> empty = spark.createDataFrame(List.of(), INDEX);
    List<String[]> again = assign(day1, empty, 1).rows;
    Map<String, Set<String>> a = new HashMap<>();
    Map<String, Set<String>> b = new HashMap<>();
    result1.forEach(r -> a.computeIfAbsent(r[0], k -> new HashSet<>()).add(r[1]));
    again.forEach(r -> b.computeIfAbsent(r[0], k -> new HashSet<>()).add(r[1]));
    assertThat(b).isEqualTo(a);
  }
}
