package dev.tributary.connectors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The files of one write: each is created under a hidden temporary name; {@link #commit()}
 * renames them all to their final names, {@link #abort()} deletes them, so readers never see a
 * partial file. Final names ({@code part-<uuid>-<n>.<ext>}) cannot collide across runs.
 */
final class AtomicFiles {
  private final Path directory;
  private final String extension;
  private final String run = UUID.randomUUID().toString();
  private final List<Path> temporary = new ArrayList<>();
  private final List<Path> finals = new ArrayList<>();

  AtomicFiles(Path directory, String extension) {
    this.directory = directory;
    this.extension = extension;
  }

  /** Reserves the next file; returns the temporary path to write it at. */
  Path next() throws IOException {
    Files.createDirectories(directory);
    String name = "part-" + run + "-" + String.format("%05d", finals.size()) + extension;
    Path tmp = directory.resolve("." + name + ".inprogress");
    temporary.add(tmp);
    finals.add(directory.resolve(name));
    return tmp;
  }

  /** The temporary path of the file being written (for messages). */
  Path current() {
    return temporary.isEmpty() ? directory : temporary.get(temporary.size() - 1);
  }

  /** Renames every file to its final name; returns the summary of the write. */
  WriteSummary commit(long rows) throws IOException {
    long bytes = 0;
    for (int i = 0; i < temporary.size(); i++) {
      bytes += Files.size(temporary.get(i));
      Files.move(temporary.get(i), finals.get(i), StandardCopyOption.ATOMIC_MOVE);
    }
    return new WriteSummary(List.copyOf(finals), rows, bytes);
  }

  /** Deletes every temporary file; nothing of the write stays visible. */
  void abort() {
    for (Path tmp : temporary) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException e) {
        // Hidden temporary names are never read as output; a leftover is only clutter.
      }
    }
  }
}
