package dev.tributary.checkpoint;

import dev.tributary.connectors.WriteSummary;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A checkpoint directory on disk. Plain files renamed into place, not a key-value store: a
 * segment's commit must be one atomic step that a {@code SIGKILL} either did or did not do, and a
 * rename is that on every POSIX file system; a store's own write-ahead state (Chronicle Map's, a
 * database's) would be a second thing to keep consistent with the segment's files.
 *
 * <pre>
 * job                the write it belongs to (compared on resume)
 * parts/7/...        segment 7's files, as its sink published them (one directory rename)
 * parts/7.ids        segment 7's commit: the ids of its rows (written, synced, then renamed)
 * publishing         written once every segment committed (holds the row count): from then on
 *                    only publication is left
 * published/...      the files gathered for the target (moved out of parts/)
 * </pre>
 *
 * A segment directory without its {@code .ids} file, a temporary file, or a sink's hidden
 * staging directory is what a killed run left mid-segment; opening the store deletes them, so
 * those rows are written again.
 */
final class CheckpointStore {
  private static final String JOB = "job";
  private static final String PUBLISHING = "publishing";
  private static final String IDS = ".ids";

  private final Path directory;
  private final Path parts;
  private final Path target;
  private int nextSegment;

  private CheckpointStore(Path directory, Path target) {
    this.directory = directory;
    this.parts = directory.resolve("parts");
    this.target = target;
  }

  /**
   * Opens (or creates) the checkpoint of {@code job} writing into {@code target}, deleting what a
   * killed run left unfinished.
   *
   * @throws PlanChangedException if the directory holds another job's checkpoint
   * @throws CheckpointException if it cannot be read or written, or is on another file system
   *     than the target
   */
  static CheckpointStore open(Path directory, Path target, String job) {
    CheckpointStore store = new CheckpointStore(directory.toAbsolutePath(),
        target.toAbsolutePath());
    try {
      Files.createDirectories(store.parts);
      Path recorded = store.directory.resolve(JOB);
      if (Files.exists(recorded)) {
        String was = Files.readString(recorded, StandardCharsets.UTF_8);
        if (!was.equals(job)) {
          throw new PlanChangedException(directory, was, job);
        }
      } else {
        store.writeAtomically(recorded, out -> out.write(job.getBytes(StandardCharsets.UTF_8)));
      }
      store.checkSameFileSystem();
      if (!store.publishing()) {
        store.dropUnfinished();
      }
      return store;
    } catch (IOException e) {
      throw new CheckpointException(directory, "opening", e);
    }
  }

  private void checkSameFileSystem() throws IOException {
    Path existing = target;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    FileStore mine = Files.getFileStore(directory);
    if (existing != null && !Files.getFileStore(existing).equals(mine)) {
      throw new CheckpointException(directory, "it is on " + mine + " but the target " + target
          + " is on " + Files.getFileStore(existing) + "; committed files are published by a"
          + " rename, so put the checkpoint on the target's file system");
    }
  }

  /** Whether every segment committed and only publication is left. */
  boolean publishing() {
    return Files.exists(directory.resolve(PUBLISHING));
  }

  /** Deletes segments without a commit record, and temporary files; numbers the next segment. */
  private void dropUnfinished() throws IOException {
    int last = -1;
    for (Path p : list(parts)) {
      String name = p.getFileName().toString();
      if (name.endsWith(IDS) && isNumber(name.substring(0, name.length() - IDS.length()))) {
        last = Math.max(last, Integer.parseInt(name.substring(0, name.length() - IDS.length())));
      } else if (!isNumber(name) || !Files.exists(parts.resolve(name + IDS))) {
        deleteTree(p);
      }
    }
    nextSegment = last + 1;
  }

  /** The ids of every committed row. */
  CommittedIds committed(String column) {
    CommittedIds ids = new CommittedIds(directory, column);
    try {
      for (Path p : list(parts)) {
        if (p.getFileName().toString().endsWith(IDS)) {
          try (DataInputStream in = new DataInputStream(
              new BufferedInputStream(Files.newInputStream(p)))) {
            SegmentIds.readInto(in, ids);
          }
        }
      }
    } catch (IOException e) {
      throw new CheckpointException(directory, "reading committed ids", e);
    }
    return ids.sealed();
  }

  /** Where the next segment's sink publishes its files (a directory that does not exist). */
  synchronized int nextSegment() {
    return nextSegment++;
  }

  Path segmentDirectory(int segment) {
    return parts.resolve(Integer.toString(segment));
  }

  /** Commits a segment whose files are in {@link #segmentDirectory}: records its ids. */
  void commit(int segment, SegmentIds ids) {
    try {
      writeAtomically(parts.resolve(segment + IDS), out -> ids.writeTo(new DataOutputStream(out)));
    } catch (IOException e) {
      throw new CheckpointException(directory, "committing segment " + segment, e);
    }
  }

  /**
   * Publishes every committed segment's files into the target and deletes the checkpoint; resumes
   * a publication a killed run began. Into a target that does not exist, the files appear in one
   * rename; into an existing directory they are moved in one by one (a run killed meanwhile
   * moves the rest when it resumes).
   */
  WriteSummary publish() {
    Path published = directory.resolve("published");
    try {
      if (!publishing()) {
        Files.createDirectories(published);
        byte[] rows = Long.toString(committedRows()).getBytes(StandardCharsets.UTF_8);
        writeAtomically(directory.resolve(PUBLISHING), out -> out.write(rows));
      }
      if (Files.isDirectory(parts)) {
        for (Path segment : list(parts)) {
          if (Files.isDirectory(segment)) {
            moveFiles(segment, published);
          }
        }
      }
      if (Files.isDirectory(published) && hasFiles(published)) {
        if (Files.exists(target)) {
          moveFiles(published, target);
        } else {
          Files.createDirectories(target.getParent());
          Files.move(published, target, StandardCopyOption.ATOMIC_MOVE);
        }
      }
      WriteSummary summary = summary();
      deleteTree(directory);
      return summary;
    } catch (IOException e) {
      throw new CheckpointException(directory, "publishing into " + target, e);
    }
  }

  /** The rows the commit records hold. */
  private long committedRows() throws IOException {
    long rows = 0;
    for (Path p : list(parts)) {
      if (p.getFileName().toString().endsWith(IDS)) {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(p))) {
          in.readByte();
          rows += in.readInt();
        }
      }
    }
    return rows;
  }

  /** The target's files, and the rows recorded when publication began. */
  private WriteSummary summary() throws IOException {
    long rows = Long.parseLong(Files.readString(directory.resolve(PUBLISHING),
        StandardCharsets.UTF_8));
    List<Path> files = new ArrayList<>();
    long bytes = 0;
    if (Files.isDirectory(target)) {
      try (Stream<Path> walk = Files.walk(target)) {
        files = walk.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path f : files) {
        bytes += Files.size(f);
      }
    }
    return new WriteSummary(files, rows, bytes);
  }

  /** Whether {@code dir} holds a file (a write of no rows publishes no directory, as a plain one). */
  private static boolean hasFiles(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.anyMatch(Files::isRegularFile);
    }
  }

  /** Moves each file under {@code from} to the same relative path under {@code to}. */
  private static void moveFiles(Path from, Path to) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(from)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    for (Path f : files) {
      Path dest = to.resolve(from.relativize(f).toString());
      Files.createDirectories(dest.getParent());
      Files.move(f, dest, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /** Writes {@code body} to a temporary file, syncs it, renames it to {@code file}, syncs the directory. */
  private void writeAtomically(Path file, Body body) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      OutputStream out = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(
          channel));
      body.write(out);
      out.flush();
      channel.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
      dir.force(true); // the rename itself survives a power cut, not only a killed process
    } catch (IOException notSupported) {
      // Some file systems cannot open a directory for sync; the rename is still atomic.
    }
  }

  @FunctionalInterface
  private interface Body {
    void write(OutputStream out) throws IOException;
  }

  private static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  private static boolean isNumber(String s) {
    return !s.isEmpty() && s.length() < 10 && s.chars().allMatch(Character::isDigit);
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
