package dev.tributary.connectors;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What users pass to readers (files, directories, globs, {@code http(s)://} URLs) expanded into
 * files, with the partition columns their directory names carry ({@link HivePartitions}).
 * Expansion happens when a source is made, so a path that names nothing fails when the plan is
 * built. A URL is downloaded then ({@link HttpInput#download}: retried, streamed to a temporary
 * file at the transfer's pace) so that every reader, Parquet's footer reads included, sees a
 * local file; the file is deleted once the source that read it is unreachable (its list of
 * paths is).
 *
 * @param paths the files in reading order
 * @param partitions the partition columns of the files
 * @param urls the URL each downloaded file came from (what a {@code path} column shows)
 */
record InputFiles(List<Path> paths, HivePartitions partitions, Map<Path, String> urls) {
  /**
   * One file found, and the directory its partition directories are relative to (the directory
   * given, or a glob's fixed part; null for a file given by name).
   */
  record Input(Path file, Path base) {}

  /** {@link #expand(List, Partitioning, String...)} with Hive partitions discovered. */
  static InputFiles expand(List<String> paths, String... suffixes) {
    return expand(paths, Partitioning.hive(), suffixes);
  }

  /**
   * The files named by {@code paths}: a file as is; a directory's regular files whose names end
   * in one of {@code suffixes}, recursively; a glob ({@code *}, {@code ?}, {@code [..]}, <code>
   * {a,b}</code> in any path segment, {@code **} spanning zero or more directories) matched below
   * its fixed part. Files and directories a walk finds whose names start with {@code .} or
   * {@code _} are skipped (hidden, staging and temporary files, {@code _SUCCESS}, {@code
   * _metadata}), as Spark, Arrow and Ray Data skip them. Each path's files are sorted; partition
   * columns are found as {@code partitioning} says.
   *
   * @throws MissingInputException if a path does not exist, a glob matches nothing, or a
   *     directory holds no file of the format
   * @throws dev.tributary.memory.ColumnException if the partition directories disagree (see
   *     {@link HivePartitions#discover})
   */
  static InputFiles expand(List<String> paths, Partitioning partitioning, String... suffixes) {
    Objects.requireNonNull(paths, "paths");
    Objects.requireNonNull(partitioning, "partitioning");
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("no paths given; name at least one file, directory or"
          + " glob");
    }
    List<Input> found = new ArrayList<>();
    List<Path> downloaded = new ArrayList<>();
    Map<Path, String> urls = new HashMap<>();
    try {
      for (String p : paths) {
        if (HttpInput.isUrl(Objects.requireNonNull(p, "path"))) {
          Path file = HttpInput.download(p, HttpInput.DEFAULT_RETRY, downloaded);
          urls.put(file, p);
          found.add(new Input(file, null));
        } else {
          found.addAll(expandOne(p, suffixes));
        }
      }
      InputFiles files = new InputFiles(found.stream().map(Input::file).toList(),
          HivePartitions.discover(found, partitioning), Map.copyOf(urls));
      // Sources keep the list of paths (Parquet) or this record, which holds it.
      HttpInput.deleteWhenUnreachable(files.paths(), downloaded);
      return files;
    } catch (RuntimeException e) {
      HttpInput.deleteNow(downloaded);
      throw e;
    }
  }

  /** How a file is named to users: the URL it was downloaded from, or its path. */
  String name(Path file) {
    String url = urls.get(file);
    return url != null ? url : file.toString();
  }

  private static List<Input> expandOne(String p, String... suffixes) {
    Path path;
    try {
      path = Path.of(p);
    } catch (InvalidPathException e) {
      throw new MissingInputException(p, "not a valid path", e);
    }
    if (p.matches(".*[*?\\[{].*")) {
      return glob(p, path.toAbsolutePath());
    }
    if (Files.isDirectory(path)) {
      List<Input> files = walk(p, path, Integer.MAX_VALUE, f -> endsWithAny(f, suffixes));
      if (files.isEmpty()) {
        throw new MissingInputException(p, "the directory holds no file ending in "
            + String.join(" or ", suffixes) + " (names starting with . or _ are skipped)");
      }
      return files;
    }
    if (!Files.exists(path)) {
      throw new MissingInputException(p, "no such file or directory");
    }
    return List.of(new Input(path, null));
  }

  /** The files below a glob's fixed part that the whole pattern matches. */
  private static List<Input> glob(String p, Path pattern) {
    Path base = pattern.getRoot();
    int fixed = 0;
    while (fixed < pattern.getNameCount() - 1
        && !pattern.getName(fixed).toString().matches(".*[*?\\[{].*")) {
      base = base.resolve(pattern.getName(fixed++));
    }
    if (!Files.isDirectory(base)) {
      throw new MissingInputException(p, "the glob's directory " + base + " does not exist");
    }
    boolean anyDepth = pattern.toString().contains("**");
    int depth = anyDepth ? Integer.MAX_VALUE : pattern.getNameCount() - fixed;
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    // "a/**/b" also matches "a/b", as in DuckDB and shells with globstar.
    PathMatcher shallow = FileSystems.getDefault().getPathMatcher("glob:"
        + pattern.toString().replace("/**/", "/"));
    List<Input> files = walk(p, base, depth, f -> matcher.matches(f) || shallow.matches(f));
    if (files.isEmpty()) {
      throw new MissingInputException(p, "the glob matches no file (names starting with . or _"
          + " are skipped)");
    }
    return files;
  }

  /** The regular files below {@code base} that {@code keep} accepts, hidden ones skipped. */
  private static List<Input> walk(String p, Path base, int depth, Predicate<Path> keep) {
    List<Input> files = new ArrayList<>();
    try {
      Set<FileVisitOption> links = Set.of(FileVisitOption.FOLLOW_LINKS);
      Files.walkFileTree(base, links, depth, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          return dir.equals(base) || !hidden(dir) ? FileVisitResult.CONTINUE
              : FileVisitResult.SKIP_SUBTREE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile() && !hidden(file) && keep.test(file)) {
            files.add(new Input(file, base));
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new MissingInputException(p, "cannot list " + base, e);
    }
    files.sort(Comparator.comparing(Input::file));
    return files;
  }

  private static boolean hidden(Path path) {
    String name = path.getFileName().toString();
    return name.startsWith(".") || name.startsWith("_");
  }

  private static boolean endsWithAny(Path file, String... suffixes) {
    String name = file.getFileName().toString();
    for (String s : suffixes) {
      if (name.endsWith(s)) {
        return true;
      }
    }
    return false;
  }
}
