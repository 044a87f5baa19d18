package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh arena, account and directory per test, and the leak check every test ends with. */
abstract class ArenaTestSupport {
  final Arena arena = Arena.create(getClass().getSimpleName(), 256 * Bytes.MiB);
  final Account account = arena.openAccount("test");

  @TempDir Path dir;

  /** A block's columns as {@link dev.tributary.memory.Block#values} arrays, in schema order. */
  static Object[][] contents(dev.tributary.memory.Block block) {
    return block.schema().getFields().stream().map(f -> ColumnReader.values(block, f.getName()))
        .toArray(Object[][]::new);
  }

  /** Every block of {@code blocks} as {@link #contents}, each block closed. */
  static java.util.List<Object[][]> contentsOf(
      reactor.core.publisher.Flux<dev.tributary.memory.Block> blocks) {
    java.util.List<Object[][]> out = new java.util.ArrayList<>();
    blocks.doOnNext(b -> {
      try (b) {
        out.add(contents(b));
      }
    }).blockLast();
    return out;
  }

  /** Every block of {@code blocks} as rows ({@link AllTypes#rows}), each block closed. */
  static java.util.List<java.util.Map<String, Object>> rowsOf(
      reactor.core.publisher.Flux<dev.tributary.memory.Block> blocks) {
    java.util.List<dev.tributary.memory.Block> held = new java.util.ArrayList<>();
    try {
      blocks.doOnNext(held::add).blockLast();
      return AllTypes.rows(held);
    } finally {
      held.forEach(dev.tributary.memory.Block::close);
    }
  }

  @AfterEach
  void noLeaks() {
    arena.awaitEmpty(Duration.ofSeconds(5));
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }
}
