package dev.tributary.connectors;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class TextTest extends ArenaTestSupport {
  private Block block(int rows) {
    Long[] id = new Long[rows];
    Double[] x = new Double[rows];
    Boolean[] flag = new Boolean[rows];
    String[] name = new String[rows];
    for (int i = 0; i < rows; i++) {
      id[i] = (long) i * 1_000_000_007L;
      x[i] = i % 5 == 4 ? null : i / 3.0;
      flag[i] = i % 7 == 6 ? null : i % 2 == 0;
      name[i] = i % 3 == 2 ? null : "n, \"quoted\" " + i;
    }
    return BlockBuilder.in(account).column("id", id).column("x", x).column("flag", flag)
        .column("name", name).build();
  }

  private List<Object[][]> read(TextSource source) {
    return contentsOf(source.blocks(account));
  }

  private Object[][] expected(int rows) {
    try (Block b = block(rows)) {
      return contents(b);
    }
  }

  @Test
  void csvRoundTripsTypesNullsAndQuoting() {
    WriteSummary summary = TextSink.csv(dir).write(Flux.defer(() -> Flux.just(block(300))))
        .block();
    assertThat(summary.rows()).isEqualTo(300);
    assertThat(summary.files()).singleElement()
        .satisfies(p -> assertThat(p.toString()).endsWith(".csv"));
    List<Object[][]> got = read(TextSource.csv(List.of(dir.toString())).rowsPerBlock(1000));
    assertThat(got).hasSize(1);
    assertThat(Arrays.deepEquals(got.get(0), expected(300))).isTrue();
  }

  @Test
  void jsonLinesRoundTripsTypesAndNulls() {
    TextSink.jsonLines(dir).rowsPerFile(120)
        .write(Flux.defer(() -> Flux.just(block(300)))).block();
    TextSource source = TextSource.jsonLines(List.of(dir.toString())).rowsPerBlock(1000);
    assertThat(source.files()).hasSize(3);
    Object[][] all = expected(300);
    List<Object[][]> got = read(source);
    assertThat(got).hasSize(3);
    for (int c = 0; c < all.length; c++) {
      int column = c;
      Object[] joined = got.stream().flatMap(b -> Arrays.stream(b[column])).toArray();
      assertThat(joined).as("column %d", c).containsExactly(all[c]);
    }
  }

  @Test
  void aCsvRowWithTheWrongFieldCountNamesFileAndLine() throws IOException {
    Path csv = dir.resolve("bad.csv");
    Files.writeString(csv, "a,b\n1,2\n3,4\n5\n");
    assertThatThrownBy(() -> read(TextSource.csv(List.of(csv.toString()))))
        .isInstanceOfSatisfying(CorruptInputException.class, e -> {
          assertThat(e.file()).isEqualTo(csv);
          assertThat(e.location()).isEqualTo("line 4");
        })
        .hasMessageContaining("expected 2 fields");
  }

  @Test
  void malformedJsonNamesFileAndLine() throws IOException {
    Path json = dir.resolve("bad.json");
    Files.writeString(json, "{\"a\": 1}\n{\"a\": 2}\n{\"a\": oops}\n");
    assertThatThrownBy(() -> read(TextSource.jsonLines(List.of(json.toString()))))
        .isInstanceOfSatisfying(CorruptInputException.class,
            e -> assertThat(e.location()).isEqualTo("line 3"))
        .hasMessageContaining("bad.json");
  }

  @Test
  void aValueThatBreaksTheInferredTypeIsATypedError() throws IOException {
    Path csv = dir.resolve("types.csv");
    Files.writeString(csv, "n\n1\n2\n3\nfour\n");
    assertThatThrownBy(() -> read(TextSource.csv(List.of(csv.toString())).rowsPerBlock(3)))
        .isInstanceOf(CorruptInputException.class)
        .hasMessageContaining("column n")
        .hasMessageContaining("'four'");
  }

  @Test
  void aFailedTextWriteLeavesNoFileBehind() throws IOException {
    Flux<Block> failing = Flux.defer(() -> Flux.concat(Flux.just(block(10)),
        Flux.error(new IllegalStateException("boom"))));
    StepVerifier.create(TextSink.csv(dir).write(failing))
        .expectErrorMessage("boom")
        .verify(Duration.ofSeconds(10));
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void nestedColumnsAreRefusedByCsvByName() {
    Flux<Block> tensors = Flux.defer(() -> Flux.just(BlockBuilder.in(account)
        .tensors("t", new float[][] {{1f}}, 1).build()));
    assertThatThrownBy(() -> TextSink.csv(dir).write(tensors).block())
        .hasMessageContaining("'t'").hasMessageContaining("JSON lines");
  }

  private List<java.util.Map<String, Object>> readRows(TextSource source) {
    return rowsOf(source.blocks(account));
  }

  @Test
  void jsonLinesRoundTripEveryTypeWithAGivenSchema() {
    List<AllTypes.Column> columns = AllTypes.columns(3);
    TextSink.jsonLines(dir).write(Flux.defer(() -> Flux.just(
        AllTypes.block(account, columns, 0, 40), AllTypes.block(account, columns, 40, 40))))
        .block();
    List<java.util.Map<String, Object>> rows =
        readRows(TextSource.jsonLines(List.of(dir.toString())).rowsPerBlock(32)
            .schema(AllTypes.schema(columns)));
    assertThat(rows).hasSize(80);
    AllTypes.assertRows(columns, rows);
  }

  @Test
  void csvRoundTripsEveryFlatTypeWithAGivenSchema() {
    List<AllTypes.Column> columns = AllTypes.columns(4, f -> TextTypes.flat(f.getType()));
    TextSink.csv(dir).write(Flux.defer(() -> Flux.just(AllTypes.block(account, columns, 0, 60))))
        .block();
    List<java.util.Map<String, Object>> rows =
        readRows(TextSource.csv(List.of(dir.toString())).schema(AllTypes.schema(columns)));
    assertThat(rows).hasSize(60);
    AllTypes.assertRows(columns, rows);
  }

  @Test
  void datesTimestampsAndNestingAreInferred() throws IOException {
    Path json = dir.resolve("inferred.json");
    Files.writeString(json, String.join("\n",
        "{\"d\": \"2024-02-29\", \"t\": \"2024-01-02T03:04:05.5Z\","
            + " \"l\": \"2024-01-02 03:04\", \"xs\": [1, 2], \"s\": {\"a\": 1.5, \"b\": [\"x\"]}}",
        "{\"d\": null, \"t\": \"2024-01-02T05:04:05+02:00\", \"l\": null, \"xs\": [],"
            + " \"s\": {\"a\": null, \"b\": []}}"));
    List<java.util.Map<String, Object>> rows = readRows(TextSource.jsonLines(
        List.of(json.toString())));
    assertThat(rows.get(0)).containsEntry("d", java.time.LocalDate.of(2024, 2, 29))
        .containsEntry("t", java.time.Instant.parse("2024-01-02T03:04:05.500Z"))
        .containsEntry("l", java.time.LocalDateTime.of(2024, 1, 2, 3, 4))
        .containsEntry("xs", List.of(1L, 2L))
        .containsEntry("s", AllTypes.struct("a", 1.5, "b", List.of("x")));
    assertThat(rows.get(1)).containsEntry("t", java.time.Instant.parse("2024-01-02T03:04:05Z"))
        .containsEntry("xs", List.of())
        .containsEntry("s", AllTypes.struct("a", null, "b", List.of()));
  }

  @Test
  void aValueThatDoesNotFitTheGivenSchemaNamesFileLineAndColumn() throws IOException {
    Path csv = dir.resolve("dates.csv");
    Files.writeString(csv, "d\n2024-01-01\n2024-13-01\n");
    org.apache.arrow.vector.types.pojo.Schema schema = new org.apache.arrow.vector.types.pojo
        .Schema(List.of(AllTypes.field("d", new org.apache.arrow.vector.types.pojo.ArrowType
            .Date(org.apache.arrow.vector.types.DateUnit.DAY))));
    assertThatThrownBy(() -> readRows(TextSource.csv(List.of(csv.toString())).schema(schema)))
        .isInstanceOf(CorruptInputException.class)
        .hasMessageContaining("dates.csv").hasMessageContaining("line 3, column d")
        .hasMessageContaining("2024-13-01");
    assertThatThrownBy(() -> TextSource.csv(List.of(csv.toString())).schema(
        AllTypes.schema(AllTypes.columns(1, f -> f.getName().equals("struct")))))
        .isInstanceOf(dev.tributary.memory.ColumnException.class)
        .hasMessageContaining("'struct'");
  }

  @Test
  void aFailingFileIsSkippedAsOneErroredBlockWhileTheAllowanceLasts() throws IOException {
    Files.writeString(dir.resolve("a.csv"), "n\n1\n2\n");
    Files.writeString(dir.resolve("b.csv"), "n\n3\n4\n5,6\n7\n");
    Files.writeString(dir.resolve("c.csv"), "n\n8\n");
    TextSource source = TextSource.csv(List.of(dir.toString())).rowsPerBlock(2);
    ReadStats stats = new ReadStats();
    // b.csv's first block (3, 4) was read before its bad row: it stays; the rest is skipped.
    assertThat(rowsOf(source.blocks(account,
        ReadSettings.defaults(Bytes.MiB).withMaxErroredBlocks(1), stats)))
        .extracting(r -> r.get("n")).containsExactly(1L, 2L, 3L, 4L, 8L);
    assertThat(stats.erroredBlocks()).singleElement()
        .satisfies(e -> assertThat(e.getMessage()).contains("b.csv").contains("line 4"));
    assertThat(stats.fragmentsRead()).isEqualTo(3);
    assertThatThrownBy(() -> source.blocks(account, ReadSettings.defaults(Bytes.MiB),
        new ReadStats()).doOnNext(Block::close).blockLast())
        .isInstanceOf(CorruptInputException.class).hasMessageContaining("b.csv");
  }

  @Test
  void openingIsRetriedOnTheRetriedErrorTypes() throws Exception {
    Path file = dir.resolve("late.json");
    Files.writeString(file, "{\"a\": 1}\n");
    TextSource source = TextSource.jsonLines(List.of(file.toString()));
    Files.delete(file); // gone at the first attempt, back for a retry
    Thread writer = new Thread(() -> {
      try {
        Thread.sleep(20);
        Files.writeString(file, "{\"a\": 1}\n");
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    writer.start();
    ReadSettings retrying = ReadSettings.defaults(Bytes.MiB).withRetry(RetryPolicy.none()
        .retrying(List.of(java.nio.file.NoSuchFileException.class))
        .backoff(6, Duration.ofMillis(100), Duration.ofMillis(400)));
    assertThat(rowsOf(source.blocks(account, retrying, new ReadStats())))
        .extracting(r -> r.get("a")).containsExactly(1L);
    writer.join();
    Files.delete(file);
    assertThatThrownBy(() -> source.blocks(account).blockLast())
        .isInstanceOf(CorruptInputException.class).hasMessageContaining("late.json")
        .hasMessageContaining("opening");
  }

  @Test
  void invalidUtf8NamesTheLineInCsvJsonLinesAndTextLines() throws IOException {
    // Far enough in that buffered decoding fails well ahead of the rows handed out.
    String lines = "x\n".repeat(20_000);
    byte[] bad = {(byte) 0xC3, (byte) 0x28, '\n'};
    Path csv = dir.resolve("bad.csv");
    Files.write(csv, concat(("s\n" + lines + "y\n").getBytes(UTF_8), bad));
    assertThatThrownBy(() -> read(TextSource.csv(List.of(csv.toString()))))
        .isInstanceOfSatisfying(CorruptInputException.class, e -> {
          assertThat(e.file()).isEqualTo(csv);
          assertThat(e.location()).startsWith("line 20003");
        });
    Path json = dir.resolve("bad.json");
    Files.write(json, concat("{\"s\": \"x\"}\n".repeat(20_000).getBytes(UTF_8),
        "{\"s\": \"".getBytes(UTF_8), bad));
    assertThatThrownBy(() -> read(TextSource.jsonLines(List.of(json.toString()))))
        .isInstanceOfSatisfying(CorruptInputException.class,
            e -> assertThat(e.location()).startsWith("line 20001"));
    Path text = dir.resolve("bad.txt");
    Files.write(text, concat(lines.getBytes(UTF_8), bad));
    assertThatThrownBy(() -> read(FileSource.textLines(List.of(text.toString()))))
        .isInstanceOfSatisfying(CorruptInputException.class,
            e -> assertThat(e.location()).startsWith("line 20001"));
  }

  private List<Object[][]> read(FileSource source) {
    return contentsOf(source.blocks(account));
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
