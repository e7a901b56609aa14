package io.distillwatch.jobs.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFilesTest {
  @TempDir Path tmp;

  /**
   * A browser helper that outlives the browser keeps writing its profile the way Chromium does (a temp file, then
   * a rename or delete), so files appear and vanish while the profile is deleted. CI once failed on exactly this:
   * a walk that listed a temp file which was gone when it was visited.
   */
  @Test
  void aTreeIsDeletedWhileAnotherThreadWritesAndRemovesFilesInIt() throws Exception {
    long racesSeen = 0;
    for (int round = 0; round < 30; round++) {
      Path profile = tmp.resolve("profile-" + round);
      Path network = Files.createDirectories(profile.resolve("Default/Network"));
      for (int i = 0; i < 200; i++) {
        Files.writeString(network.resolve("state-" + i), "x");
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong churned = new AtomicLong();
      Thread helper = new Thread(() -> {
        for (int i = 0; !stop.get(); i++) {
          try {
            Path temp = network.resolve(".Network Persistent State." + i);
            Files.writeString(temp, "y");
            Files.deleteIfExists(temp);
            churned.incrementAndGet();
          } catch (IOException gone) {
            return; // the folder itself is gone: the helper has nothing left to write into
          }
        }
      });
      helper.start();
      while (churned.get() < 50) {
        Thread.onSpinWait();
      }
      try {
        LocalFiles.deleteTree(profile);
      } finally {
        stop.set(true);
        helper.join();
      }
      racesSeen += churned.get();
      assertThat(profile).doesNotExist();
    }
    assertThat(racesSeen).as("the helper really wrote during the deletes").isGreaterThan(30 * 50);
  }

  @Test
  void aMissingFolderIsNothingToDoAndANestedOneGoesEntirely() throws IOException {
    LocalFiles.deleteTree(tmp.resolve("never-made"));
    Path nested = Files.createDirectories(tmp.resolve("a/b/c"));
    Files.writeString(nested.resolve("f"), "z");
    LocalFiles.deleteTree(tmp.resolve("a"));
    assertThat(tmp.resolve("a")).doesNotExist();
    assertThat(tmp).exists();
  }
}
