package dev.tributary.connectors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Expands what users pass to readers (files, directories, globs) into a sorted list of files. */
final class InputFiles {
  private InputFiles() {}

  /**
   * The files named by {@code paths}: a file as is, a directory's regular files ending in one of
   * {@code suffixes} (recursively, hidden ones skipped), a glob ({@code *}, {@code ?},
   * {@code [..]}, <code>{a,b}</code>) matched in its parent directory.
   *
   * @throws UncheckedIOException wrapping {@link NoSuchFileException} if a path or glob matches
   *     nothing
   */
  static List<Path> expand(List<String> paths, String... suffixes) {
    List<Path> files = new ArrayList<>();
    for (String p : paths) {
      List<Path> found = expandOne(p, suffixes);
      if (found.isEmpty()) {
        throw new UncheckedIOException(new NoSuchFileException(p, null,
            "no " + String.join(" or ", suffixes) + " file matches"));
      }
      files.addAll(found);
    }
    return files;
  }

  private static List<Path> expandOne(String p, String... suffixes) {
    try {
      if (p.matches(".*[*?\\[{].*")) {
        Path pattern = Path.of(p).toAbsolutePath();
        Path dir = pattern.getParent();
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        try (Stream<Path> s = Files.list(dir)) {
          return s.filter(Files::isRegularFile).filter(matcher::matches).sorted().toList();
        }
      }
      Path path = Path.of(p);
      if (Files.isDirectory(path)) {
        try (Stream<Path> s = Files.walk(path)) {
          return s.filter(Files::isRegularFile)
              .filter(f -> Stream.of(suffixes).anyMatch(f.getFileName().toString()::endsWith))
              .filter(f -> !f.getFileName().toString().startsWith("."))
              .sorted().toList();
        }
      }
      if (!Files.exists(path)) {
        throw new NoSuchFileException(p);
      }
      return List.of(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
