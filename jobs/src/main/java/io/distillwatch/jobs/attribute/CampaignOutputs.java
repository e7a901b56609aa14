package io.distillwatch.jobs.attribute;

import io.distillwatch.attribution.study.ModelOutputs;
import io.distillwatch.jobs.failures.InvalidInputException;
import io.distillwatch.jobs.lake.CampaignTables;
import io.distillwatch.jobs.lake.Lake;
import io.distillwatch.jobs.lake.Tables;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min_by;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;

/**
 * What a campaign harvested: the distinct prompts its accounts sent (members on any night) and the
 * provider's own first response to each, from {@code bronze.events}. Prompts are keyed by
 * {@code prompt_id} = "c" + 16 hex of the SHA-256 of the prompt text, so a suspect model's answers
 * to the same prompts (JSONL with that {@code prompt_id}) line up with the provider's.
 */
public final class CampaignOutputs {
  private CampaignOutputs() {}

  public record Harvest(String campaign, long accounts, List<Row> prompts) {
    /** The provider's outputs keyed by prompt_id, with the prompt texts beside them. */
    public ModelOutputs providerOutputs(String provider) {
      Map<String, String> byPrompt = new LinkedHashMap<>();
      Map<String, String> texts = new LinkedHashMap<>();
      for (Row r : prompts) {
        byPrompt.put(r.getString(0), r.getString(2));
        texts.put(r.getString(0), r.getString(1));
      }
      return new ModelOutputs(provider, byPrompt, texts);
    }

    /** Writes {"prompt_id", "prompt"} lines: what the suspects and references must answer. Atomic. */
    public void writePrompts(Path file) throws IOException {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        for (Row r : prompts) {
          w.write(json.writeValueAsString(Map.of("prompt_id", r.getString(0), "prompt", r.getString(1))));
          w.write('\n');
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /**
   * @param maxPrompts the prompts kept at most (the smallest prompt ids: a stable sample)
   * @throws InvalidInputException when the lake has no such campaign or none of its responses
   */
  public static Harvest read(Lake lake, String campaignId, int maxPrompts) {
    if (!lake.exists(CampaignTables.NIGHTLY.members())) {
      throw new InvalidInputException("lake " + lake.root() + " has no " + CampaignTables.NIGHTLY.members().name()
          + " (run nightly or campaigns first)");
    }
    Dataset<Row> members = lake.read(CampaignTables.NIGHTLY.members())
        .where(col("campaign_id").equalTo(lit(campaignId))).select("account_id").distinct();
    long accounts = members.count();
    if (accounts == 0) {
      throw new InvalidInputException("no campaign " + campaignId + " in " + CampaignTables.NIGHTLY.members().name()
          + " of " + lake.root());
    }
    List<Row> prompts = lake.read(Tables.BRONZE_EVENTS).join(members, "account_id")
        .where(length(col("prompt")).gt(0).and(col("response").isNotNull()).and(length(col("response")).gt(0)))
        .groupBy("prompt")
        .agg(min_by(col("response"), col("ts")).as("response"))
        .select(concat(lit("c"), substring(sha2(col("prompt"), 256), 1, 16)).as("prompt_id"),
            col("prompt"), col("response"))
        .orderBy("prompt_id").limit(maxPrompts)
        .collectAsList();
    if (prompts.isEmpty()) {
      throw new InvalidInputException("campaign " + campaignId + " (" + accounts + " accounts) has no prompt with a "
          + "response in " + Tables.BRONZE_EVENTS.name() + " (purged, or the responses were never logged)");
    }
    return new Harvest(campaignId, accounts, prompts);
  }
}
