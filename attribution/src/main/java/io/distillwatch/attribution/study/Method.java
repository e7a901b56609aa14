package io.distillwatch.attribution.study;

/**
 * The kinds of evidence a study weighs. Each gives a similarity between two answers to the same
 * prompt; the study asks whether the provider is the suspect's nearest model. The two baselines
 * are shown beside the others so a reader sees what the methods add, and are not in the
 * combined score.
 */
public enum Method {
  /** Baseline: closeness of answer lengths (minus the absolute log ratio of word counts). */
  LENGTH(true, "text", "answer length"),
  /** Baseline: TF-IDF cosine of words and word pairs (a TF-IDF nearest-neighbour test). */
  WORDS(true, "text", "TF-IDF nearest neighbour on words"),
  /** Style: trigrams of function words and punctuation, content words masked. */
  STYLE(false, "text", "function-word and punctuation trigrams"),
  /** Character 4-grams: spelling, phrasing and punctuation habits. */
  CHARS(false, "text", "character 4-grams"),
  /** Format fingerprint: list markers, headings, bold, code fences, colon-ended lines, blank lines. */
  FORMAT(false, "text", "markdown and list format"),
  /** Openings: the first eight words (stock phrases such as "Here are some ..."). */
  OPENING(false, "text", "opening phrase"),
  /**
   * Phrases: word trigrams the two answers to the same prompt share, each weighted by how few of
   * the study's answers to that prompt use it (log((1 + models) / models using it)), so wording
   * the prompt dictates to everyone counts little and wording only the pair shares counts much.
   * A model trained on the provider's answers repeats its phrasing; one of the same era and style
   * does not (docs/attribution.md, "Calibration").
   */
  PHRASES(false, "text", "word trigrams shared on the same prompt, weighted by rarity among the study's answers"),
  /**
   * Aligned wording: the longest common subsequence of the two answers' words as a share of their
   * lengths. At equal length a student keeps the provider's words in the provider's order
   * (docs/attribution.md, "The dev set": it is what attributes the Alpaca 7B family length-matched).
   */
  ALIGNMENT(false, "text", "longest common word subsequence of the answers to the same prompt"),
  /** Semantic similarity of sentence embeddings (all-MiniLM-L6-v2 by default). */
  EMBEDDING(false, "embeddings", "sentence-embedding cosine"),
  /**
   * Likelihood ratio: each answer's mean log-probability per token under the provider's causal
   * language model minus under a reference one; answers compare by how provider-typical they are.
   * Only when the study configures both models.
   */
  LIKELIHOOD(false, "log-probabilities (causal LMs)", "log-likelihood ratio, provider's LM against a reference LM"),
  /** Which candidate wrote it? An MLlib classifier cross-fitted over prompt halves (needs a Spark session). */
  CLASSIFIER(false, "text, Spark", "cross-fitted MLlib classifier of the candidates");

  private final boolean baseline;
  private final String needs;
  private final String description;

  Method(boolean baseline, String needs, String description) {
    this.baseline = baseline;
    this.needs = needs;
    this.description = description;
  }

  public boolean baseline() {
    return baseline;
  }

  /** What the method needs as input: text only, or a sentence-embedding model. */
  public String needs() {
    return needs;
  }

  public String description() {
    return description;
  }

  public String key() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
