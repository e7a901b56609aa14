package io.distillwatch.jobs.lake;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.UUID;
import java.util.stream.Stream;

/** Local folder helpers shared by the report's browser, the benchmarks and their tests. */
public final class LocalFiles {
  private LocalFiles() {}

  /**
   * Deletes a folder and everything in it; nothing when it does not exist. The folder is first renamed away, so a
   * process still writing into it by path (a browser helper flushing its profile) can add nothing more; files that
   * vanish during the walk are fine, and one written just before the rename gets another pass, up to three.
   */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Path doomed = dir;
    if (dir.getFileName() != null) {
      try {
        doomed = Files.move(dir, dir.resolveSibling(dir.getFileName() + ".deleting-" + UUID.randomUUID()),
            StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException cannotRename) {
        doomed = dir; // deleted in place
      }
    }
    for (int pass = 1; ; pass++) {
      try {
        deleteTreeOnce(doomed);
        return;
      } catch (DirectoryNotEmptyException e) {
        if (pass == 3) {
          throw e;
        }
      }
    }
  }

  private static void deleteTreeOnce(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(d);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** Copies a folder and everything in it, replacing files that exist at the target. */
  public static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
