package dev.tributary.spark;

import dev.tributary.connectors.WriteException;
import dev.tributary.connectors.WriteSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The job-level commit of a distributed write, on the driver: the tasks' staged files (each
 * task's complete, Tributary's atomic sink) are gathered into one directory, which becomes the
 * target in one rename when the target is new, or whose files move in one by one (and back out on
 * failure) when it exists. Nothing partial is visible: a failed job leaves no file.
 */
final class JobCommit {
  private JobCommit() {}

  static WriteSummary commit(Path job, Path target, List<Segment.StagedWrite> staged) {
    Path gathered = job.resolve("commit");
    List<Path> moved = new ArrayList<>();
    try {
      Files.createDirectories(gathered);
      long rows = 0;
      for (Segment.StagedWrite task : staged) {
        rows += task.rows();
        Path dir = Path.of(task.directory());
        if (!Files.isDirectory(dir)) {
          continue; // a task with no rows wrote nothing
        }
        for (Path file : files(dir)) {
          Path to = gathered.resolve(dir.relativize(file).toString());
          Files.createDirectories(to.getParent());
          Files.move(file, to, StandardCopyOption.ATOMIC_MOVE);
        }
      }
      List<Path> relative = files(gathered).stream().map(gathered::relativize).toList();
      if (!Files.exists(target)) {
        Files.createDirectories(target.getParent());
        Files.move(gathered, target, StandardCopyOption.ATOMIC_MOVE);
      } else {
        for (Path r : relative) {
          Path to = target.resolve(r.toString());
          Files.createDirectories(to.getParent());
          Files.move(gathered.resolve(r.toString()), to, StandardCopyOption.ATOMIC_MOVE);
          moved.add(r);
        }
      }
      List<Path> published = relative.stream().map(r -> target.resolve(r.toString())).toList();
      long bytes = 0;
      for (Path p : published) {
        bytes += Files.size(p);
      }
      return new WriteSummary(published, rows, bytes);
    } catch (IOException | RuntimeException e) {
      for (Path r : moved) {
        try {
          Files.move(target.resolve(r.toString()), gathered.resolve(r.toString()));
        } catch (IOException ignored) {
          // best effort: the job directory is deleted below, the error reported
        }
      }
      throw new WriteException(target, "the job's commit failed: " + e.getMessage(), e);
    } finally {
      discard(job);
    }
  }

  /** Deletes the job's staging directory, whatever is in it. */
  static void discard(Path job) {
    if (!Files.exists(job)) {
      return;
    }
    try (Stream<Path> all = Files.walk(job)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
