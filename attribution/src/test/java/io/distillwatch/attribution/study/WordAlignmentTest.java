package io.distillwatch.attribution.study;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class WordAlignmentTest {
  /** The textbook O(|a| |b|) dynamic programme the bit-parallel version must agree with. */
  static int lcsByTable(int[] a, int[] b) {
    int[][] t = new int[a.length + 1][b.length + 1];
    for (int i = 1; i <= a.length; i++) {
      for (int j = 1; j <= b.length; j++) {
        t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
      }
    }
    return t[a.length][b.length];
  }

  @Test
  void bitParallelLcsAgreesWithTheTableAcrossWordBoundaries() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 400; trial++) {
      // lengths up to 300 cross several 64-bit words (carries between words); small alphabets give long subsequences
      int[] a = rnd.ints(rnd.nextInt(300), 0, 2 + rnd.nextInt(20)).toArray();
      int[] b = rnd.ints(rnd.nextInt(300), 0, 2 + rnd.nextInt(20)).toArray();
      assertThat(WordAlignment.lcs(a, b)).as("trial %d (%d x %d)", trial, a.length, b.length).isEqualTo(lcsByTable(a, b));
    }
  }

  @Test
  void ratioIsOneForTheSameWordsAndCountsOrder() {
    String[][] texts = {
        {"Some famous actors who started on Broadway include Tom Hanks and Meryl Streep."},
        {"Some famous actors who started on Broadway include Tom Hanks and Meryl Streep."},
        {"Meryl Streep and Tom Hanks include Broadway on started who actors famous some."},
        {"Here is a list of performers: 1. Hugh Jackman 2. Lin-Manuel Miranda."}};
    WordAlignment w = new WordAlignment(texts); // [model][prompt]: four models, one prompt
    assertThat(w.between(0, 0, 1, 0)).isEqualTo(1.0);
    // the same words reversed align far less than in order, and more than unrelated wording
    assertThat(w.between(0, 0, 2, 0)).isLessThan(0.3).isGreaterThan(w.between(0, 0, 3, 0));
    assertThat(w.between(2, 0, 0, 0)).isEqualTo(w.between(0, 0, 2, 0));
  }
}
