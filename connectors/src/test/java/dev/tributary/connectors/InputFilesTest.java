package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** How readers expand paths, and the typed error for a path that names nothing. */
class InputFilesTest {
  @TempDir Path dir;

  /** Every file reader's factory, as a function of one path. */
  static Stream<Arguments> readers() {
    return Stream.of(
        Arguments.of("parquet", (Function<String, Object>) p -> ParquetSource.of(List.of(p))),
        Arguments.of("csv", (Function<String, Object>) p -> TextSource.csv(List.of(p))),
        Arguments.of("json", (Function<String, Object>) p -> TextSource.jsonLines(List.of(p))),
        Arguments.of("arrow", (Function<String, Object>) p -> ArrowIpcSource.of(List.of(p))),
        Arguments.of("text", (Function<String, Object>) p -> FileSource.textLines(List.of(p))),
        Arguments.of("binary",
            (Function<String, Object>) p -> FileSource.binaryFiles(List.of(p))),
        Arguments.of("images",
            (Function<String, Object>) p -> FileSource.images(List.of(p), 2, 2)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readers")
  void aMissingPathIsATypedErrorNamingItWhenTheSourceIsMade(String format,
      Function<String, Object> reader) {
    String missing = dir.resolve("none").toString();
    assertThatThrownBy(() -> reader.apply(missing))
        .isInstanceOfSatisfying(MissingInputException.class,
            e -> assertThat(e.path()).isEqualTo(missing))
        .hasMessageContaining(missing).hasMessageContaining("no such file or directory");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readers")
  void aGlobMatchingNothingIsATypedErrorNamingIt(String format,
      Function<String, Object> reader) {
    String glob = dir.resolve("*.nothing").toString();
    assertThatThrownBy(() -> reader.apply(glob))
        .isInstanceOf(MissingInputException.class)
        .hasMessageContaining(glob).hasMessageContaining("matches no file");
    String underMissing = dir.resolve("gone/*.x").toString();
    assertThatThrownBy(() -> reader.apply(underMissing))
        .isInstanceOf(MissingInputException.class)
        .hasMessageContaining(underMissing).hasMessageContaining("does not exist");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("readers")
  void anEmptyDirectoryIsATypedErrorNamingIt(String format, Function<String, Object> reader)
      throws IOException {
    Path empty = Files.createDirectory(dir.resolve("empty"));
    Files.createDirectory(empty.resolve("sub"));
    Files.writeString(empty.resolve(".hidden.parquet"), "x");
    Files.writeString(empty.resolve("_SUCCESS"), "");
    assertThatThrownBy(() -> reader.apply(empty.toString()))
        .isInstanceOf(MissingInputException.class)
        .hasMessageContaining(empty.toString()).hasMessageContaining("holds no file");
  }

  @Test
  void hiddenAndUnderscoreEntriesAreSkippedByWalksButNotWhenNamed() throws IOException {
    Files.createDirectories(dir.resolve("d/.tributary-staging"));
    Files.createDirectories(dir.resolve("d/_temporary/0"));
    Files.writeString(dir.resolve("d/a.txt"), "a");
    Files.writeString(dir.resolve("d/.tributary-staging/b.txt"), "b");
    Files.writeString(dir.resolve("d/_temporary/0/c.txt"), "c");
    Files.writeString(dir.resolve("d/_metadata.txt"), "m");
    Files.writeString(dir.resolve("d/.x.txt"), "x");
    assertThat(InputFiles.expand(List.of(dir.resolve("d").toString()), ".txt").paths())
        .containsExactly(dir.resolve("d/a.txt"));
    assertThat(InputFiles.expand(List.of(dir.resolve("d/**").toString()), ".txt").paths())
        .containsExactly(dir.resolve("d/a.txt"));
    assertThat(InputFiles.expand(List.of(dir.resolve("d/_metadata.txt").toString()), ".txt")
        .paths()).containsExactly(dir.resolve("d/_metadata.txt"));
  }

  @Test
  void globsMatchInAnySegmentAndAtAnyDepthWithDoubleStars() throws IOException {
    for (String f : List.of("p=1/a.parquet", "p=2/b.parquet", "p=2/q/c.parquet", "d.parquet")) {
      Path file = dir.resolve(f);
      Files.createDirectories(file.getParent());
      Files.writeString(file, "x");
    }
    assertThat(InputFiles.expand(List.of(dir + "/p=*/*.parquet"), ".parquet").paths())
        .containsExactly(dir.resolve("p=1/a.parquet"), dir.resolve("p=2/b.parquet"));
    assertThat(InputFiles.expand(List.of(dir + "/**/*.parquet"), Partitioning.none(),
        ".parquet").paths())
        .containsExactly(dir.resolve("d.parquet"), dir.resolve("p=1/a.parquet"),
            dir.resolve("p=2/b.parquet"), dir.resolve("p=2/q/c.parquet"));
    assertThat(InputFiles.expand(List.of(dir + "/*.parquet"), ".parquet").paths())
        .containsExactly(dir.resolve("d.parquet"));
  }

  @Test
  void aDoubleStarGlobOverMixedLayoutsIsAPartitionError() throws IOException {
    for (String f : List.of("p=1/a.parquet", "d.parquet")) {
      Path file = dir.resolve(f);
      Files.createDirectories(file.getParent());
      Files.writeString(file, "x");
    }
    assertThatThrownBy(() -> ParquetSource.of(List.of(dir + "/**/*.parquet")))
        .isInstanceOf(dev.tributary.memory.ColumnException.class)
        .hasMessageContaining("d.parquet").hasMessageContaining("p=1");
  }

  @Test
  void noPathsAtAllIsRefused() {
    assertThatThrownBy(() -> ParquetSource.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no paths");
  }
}
