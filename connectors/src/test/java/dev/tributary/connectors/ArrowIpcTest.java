package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Block;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

class ArrowIpcTest extends ArenaTestSupport {
  private Block block(int rows, int seed) {
    Long[] id = new Long[rows];
    String[] s = new String[rows];
    float[][] t = new float[rows][];
    for (int i = 0; i < rows; i++) {
      id[i] = i % 4 == 3 ? null : (long) i + seed;
      s[i] = i % 5 == 4 ? null : "v" + (i * seed);
      t[i] = i % 6 == 5 ? null : new float[] {i, seed};
    }
    return BlockBuilder.in(account).column("id", id).column("s", s).tensors("t", t, 2).build();
  }

  private List<Object[][]> read(ArrowIpcSource source) {
    return contentsOf(source.blocks(account));
  }

  @Test
  void blocksRoundTripThroughIpcFilesIncludingTensors() {
    List<Object[][]> expected = new ArrayList<>();
    for (int k = 1; k <= 3; k++) {
      try (Block b = block(100, k)) {
        expected.add(contents(b));
      }
    }
    WriteSummary summary = ArrowIpcSink.to(dir).rowsPerFile(200)
        .write(Flux.defer(() -> Flux.just(block(100, 1), block(100, 2), block(100, 3))))
        .block();
    assertThat(summary.files()).hasSize(2);
    assertThat(summary.rows()).isEqualTo(300);
    List<Object[][]> got = read(ArrowIpcSource.of(List.of(dir.toString())));
    assertThat(got).hasSize(3);
    for (int k = 0; k < 3; k++) {
      assertThat(Arrays.deepEquals(got.get(k), expected.get(k))).as("batch %d", k).isTrue();
    }
  }

  @Test
  void everyTypeRoundTripsWithItsSchema() {
    List<AllTypes.Column> columns = AllTypes.columns(5);
    ArrowIpcSink.to(dir).write(Flux.defer(() -> Flux.just(
        AllTypes.block(account, columns, 0, 70), AllTypes.block(account, columns, 70, 30))))
        .block();
    ArrowIpcSource source = ArrowIpcSource.of(List.of(dir.toString()));
    List<Block> blocks = new ArrayList<>();
    source.blocks(account).doOnNext(blocks::add).blockLast();
    try {
      assertThat(blocks.get(0).schema()).isEqualTo(AllTypes.schema(columns));
      List<java.util.Map<String, Object>> rows = AllTypes.rows(blocks);
      assertThat(rows).hasSize(100);
      AllTypes.assertRows(columns, rows);
    } finally {
      blocks.forEach(Block::close);
    }
  }

  @Test
  void theStreamFormatReadsToo() throws IOException {
    Path file = dir.resolve("stream.arrow");
    Object[][] expected;
    try (Block b = block(50, 7); OutputStream out = Files.newOutputStream(file);
        ArrowStreamWriter writer = new ArrowStreamWriter(b.root(), null, out)) {
      expected = contents(b);
      writer.start();
      writer.writeBatch();
      writer.end();
    }
    List<Object[][]> got = read(ArrowIpcSource.of(List.of(file.toString())));
    assertThat(got).hasSize(1);
    assertThat(Arrays.deepEquals(got.get(0), expected)).isTrue();
  }

  @Test
  void garbageIsATypedErrorNamingTheFile() throws IOException {
    Path file = dir.resolve("junk.arrow");
    Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    assertThatThrownBy(() -> read(ArrowIpcSource.of(List.of(file.toString()))))
        .isInstanceOf(CorruptInputException.class)
        .hasMessageContaining("junk.arrow");
  }
}
