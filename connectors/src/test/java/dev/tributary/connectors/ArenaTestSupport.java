package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;

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

  @AfterEach
  void noLeaks() {
    arena.awaitEmpty(Duration.ofSeconds(5));
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }
}
