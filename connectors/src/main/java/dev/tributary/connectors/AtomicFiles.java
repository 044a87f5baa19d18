package dev.tributary.connectors;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The files of one write, staged in a hidden directory and published all or nothing.
 *
 * <p>Files are written into a staging directory whose name starts with a dot, so readers skip
 * it: beside the target ({@code .<target>.tributary-<uuid>}) when the target directory does not
 * exist yet, else inside it ({@code .tributary-<uuid>}). {@link #publish(long)} then makes them
 * visible: a new target is the staging directory renamed, one atomic step in which every file
 * appears at once; into an existing directory each file is renamed to its place (each rename
 * atomic, partition directories created as needed), and if one fails the files already moved are
 * moved back, so a failed publish leaves nothing. Only a process that dies in the middle of
 * moving files into an existing directory can leave part of a write visible; a staging
 * directory left by a dead process stays hidden. {@link #discard()} deletes the staging
 * directory, from any thread, at any time before publishing. Final names ({@code
 * part-<uuid>-<n>.<ext>}, in partition directories when partitioned) never collide across runs.
 */
final class AtomicFiles {
  /** How often a discard retries deleting a staging directory a racing write added to. */
  private static final int DISCARD_ATTEMPTS = 10;

  private final Path target;
  private final String extension;
  private final String run = UUID.randomUUID().toString();
  /** Each file's path relative to the staging directory (and to the target once published). */
  private final List<Path> staged = new ArrayList<>();
  /** The names {@link #named(String)} reserved, to refuse a second file of one name. */
  private final Set<Path> names = new HashSet<>();
  private Path staging;
  private boolean intoExisting;
  private boolean discarded;
  private boolean published;

  /**
   * The files of a write into {@code target}.
   *
   * @throws WriteException if the target is an existing file, not a directory
   */
  AtomicFiles(Path target, String extension) {
    checkTarget(target);
    this.target = target;
    this.extension = extension;
  }

  /**
   * Checks that {@code target} can be a write's directory: missing or a directory.
   *
   * @throws WriteException naming it otherwise
   */
  static void checkTarget(Path target) {
    if (Files.exists(target) && !Files.isDirectory(target)) {
      throw new WriteException(target, "it is an existing file; a write creates a directory of"
          + " part files, so name a directory");
    }
  }

  /** The directory the write publishes into. */
  Path target() {
    return target;
  }

  /**
   * Reserves the next file, in partition directory {@code partition} ({@code k=v/...}, or empty);
   * returns its path in the staging directory, which is created with the first file.
   *
   * @throws WriteException if the staging directory cannot be made, or the write was discarded
   */
  synchronized Path next(String partition) {
    if (discarded) {
      throw new WriteException(target, "the write was cancelled");
    }
    if (staging == null) {
      stage();
    }
    String name = "part-" + run + "-" + String.format("%05d", staged.size()) + extension;
    Path relative = partition.isEmpty() ? Path.of(name) : Path.of(partition, name);
    Path file = staging.resolve(relative);
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new WriteException(target, "creating " + file.getParent(), e);
    }
    staged.add(relative);
    return file;
  }

  /**
   * Reserves a file of the given name at the top of the target (a sink naming files from the
   * data); returns its path in the staging directory.
   *
   * @throws WriteException if the name is not a plain file name, this write already has a file
   *     of that name, a file of that name exists in the target (a write never replaces one), or
   *     the write was discarded
   */
  synchronized Path named(String name) {
    if (discarded) {
      throw new WriteException(target, "the write was cancelled");
    }
    Path relative = Path.of(name);
    if (name.isEmpty() || name.startsWith(".") || relative.getNameCount() != 1
        || relative.getParent() != null) {
      throw new WriteException(target.resolve(name), "'" + name + "' is not a plain file name");
    }
    if (!names.add(relative)) {
      throw new WriteException(target.resolve(name), "two rows name the same file");
    }
    if (Files.exists(target.resolve(relative))) {
      throw new WriteException(target.resolve(name), "the file exists; a write never replaces"
          + " a file");
    }
    if (staging == null) {
      stage();
    }
    staged.add(relative);
    return staging.resolve(relative);
  }

  private void stage() {
    checkTarget(target);
    Path absolute = target.toAbsolutePath();
    intoExisting = Files.isDirectory(absolute);
    staging = intoExisting ? absolute.resolve(".tributary-" + run)
        : absolute.resolveSibling("." + absolute.getFileName() + ".tributary-" + run);
    try {
      Files.createDirectories(staging.getParent());
      Files.createDirectory(staging);
    } catch (IOException e) {
      staging = null;
      throw new WriteException(target, "creating its staging directory", e);
    }
  }

  /**
   * Makes every staged file visible at its final name, all or nothing (see the class comment);
   * returns the summary of the write.
   *
   * @throws WriteException if publishing failed; nothing of the write is visible then
   */
  synchronized WriteSummary publish(long rows) {
    if (discarded) {
      throw new WriteException(target, "the write was cancelled");
    }
    List<Path> finals = staged.stream().map(target::resolve).toList();
    if (staging == null) {
      published = true;
      return new WriteSummary(finals, rows, 0);
    }
    long bytes = 0;
    try {
      for (Path f : staged) {
        bytes += Files.size(staging.resolve(f));
      }
    } catch (IOException e) {
      throw new WriteException(target, "measuring the staged files", e);
    }
    if (intoExisting || !renameWhole()) {
      moveEach();
      deleteTree(staging);
    }
    published = true;
    return new WriteSummary(finals, rows, bytes);
  }

  /** Renames the staging directory to the target; false if a directory appeared there since. */
  private boolean renameWhole() {
    try {
      Files.move(staging, target.toAbsolutePath(), StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (IOException e) {
      if (Files.isDirectory(target)) {
        return false; // another writer made it meanwhile: move the files in one by one
      }
      throw new WriteException(target, "renaming " + staging + " to it", e);
    }
  }

  /** Moves every file into the existing target; on failure moves back what was moved. */
  private void moveEach() {
    Path root = target.toAbsolutePath();
    List<Path> moved = new ArrayList<>();
    List<Path> created = new ArrayList<>();
    Path current = null;
    try {
      for (Path f : staged) {
        current = root.resolve(f);
        createParents(current.getParent(), created);
        Files.move(staging.resolve(f), current, StandardCopyOption.ATOMIC_MOVE);
        moved.add(f);
      }
    } catch (IOException e) {
      for (int i = moved.size() - 1; i >= 0; i--) {
        Path f = moved.get(i);
        try {
          Files.move(root.resolve(f), staging.resolve(f), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException back) {
          deleteQuietly(root.resolve(f)); // it must not stay visible
        }
      }
      for (int i = created.size() - 1; i >= 0; i--) {
        deleteQuietly(created.get(i)); // only if still empty: another writer may use it
      }
      throw new WriteException(target, "publishing " + current + "; the files already moved"
          + " were moved back", e);
    }
  }

  /** Creates the missing directories down to {@code dir}, recording each one made. */
  private static void createParents(Path dir, List<Path> created) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path d = dir; !Files.isDirectory(d); d = d.getParent()) {
      missing.push(d);
    }
    while (!missing.isEmpty()) {
      Path d = missing.pop();
      Files.createDirectory(d);
      created.add(d);
    }
  }

  /**
   * Deletes every staged file and the staging directory, unless published; nothing of the write
   * stays. Safe from any thread while a file is being written: the file's name goes at once (its
   * writer keeps writing into an unnamed file until it closes it), and no file can be reserved
   * after. Never throws.
   */
  synchronized void discard() {
    discarded = true;
    if (staging != null && !published) {
      deleteTree(staging);
    }
  }

  /** Deletes a directory tree, retrying if a file being created meanwhile kept it non-empty. */
  private static void deleteTree(Path dir) {
    for (int attempt = 0; attempt < DISCARD_ATTEMPTS && Files.exists(dir); attempt++) {
      try {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) {
            return FileVisitResult.CONTINUE; // gone already
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
      } catch (NoSuchFileException | DirectoryNotEmptyException e) {
        // raced with a file being created or deleted: walk again
      } catch (IOException e) {
        return; // the directory is hidden: a leftover is clutter, never output
      }
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      // a directory another writer filled, or already gone
    }
  }
}
