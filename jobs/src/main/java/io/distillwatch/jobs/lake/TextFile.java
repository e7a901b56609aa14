package io.distillwatch.jobs.lake;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** A whole small text file (a STIX bundle, say) on a local path or any Hadoop file system, written atomically. */
public final class TextFile {
  private TextFile() {}

  /** Writes to a temporary file beside the target, then renames it, so a reader never sees half a file. */
  public static void write(Configuration hadoop, String target, String text) throws IOException {
    Path out = new Path(target);
    FileSystem fs = out.getFileSystem(hadoop);
    Path tmp = new Path(out.getParent(), "." + out.getName() + ".tmp");
    try (FSDataOutputStream s = fs.create(tmp, true)) {
      s.write(text.getBytes(StandardCharsets.UTF_8));
    }
    moveIntoPlace(fs, tmp, out);
  }

  /** The finished temporary file takes the target's place (the last step of every atomic file write here). */
  static void moveIntoPlace(FileSystem fs, Path tmp, Path out) throws IOException {
    if (fs.exists(out) && !fs.delete(out, false)) {
      throw new IOException("cannot replace " + out);
    }
    if (!fs.rename(tmp, out)) {
      throw new IOException("cannot rename " + tmp + " to " + out);
    }
  }

  /** The file's text; a {@link FileNotFoundException} when there is none. */
  public static String read(Configuration hadoop, String source, long maxBytes) throws IOException {
    Path in = new Path(source);
    FileSystem fs = in.getFileSystem(hadoop);
    long size = fs.getFileStatus(in).getLen();
    if (size > maxBytes) {
      throw new IOException(source + " is " + size + " bytes, more than the " + maxBytes + " this reader takes");
    }
    try (FSDataInputStream s = fs.open(in)) {
      return new String(s.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
