package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
    return Block.builder(account).column("id", id).column("x", x).column("flag", flag)
        .column("name", name).build();
  }

  private List<Object[][]> read(TextSource source) {
    List<Object[][]> out = new ArrayList<>();
    source.blocks(account).doOnNext(b -> {
      try (b) {
        out.add(b.schema().getFields().stream().map(f -> b.values(f.getName()))
            .toArray(Object[][]::new));
      }
    }).blockLast();
    return out;
  }

  private Object[][] expected(int rows) {
    try (Block b = block(rows)) {
      return b.schema().getFields().stream().map(f -> b.values(f.getName()))
          .toArray(Object[][]::new);
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
  void unsupportedColumnTypesAreRefusedByName() {
    Flux<Block> tensors = Flux.defer(() -> Flux.just(Block.builder(account)
        .tensors("t", new float[][] {{1f}}, 1).build()));
    assertThatThrownBy(() -> TextSink.csv(dir).write(tensors).block())
        .hasMessageContaining("'t'");
  }
}
