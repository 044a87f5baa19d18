package dev.tributary.samples;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.MemoryLimitExceededException;
import dev.tributary.memory.SpillHandle;
import dev.tributary.memory.SpillStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A tour of the memory layer: blocks charged to accounts, a zero-copy ownership move, a typed
 * limit error, and blocks spilled to disk and read back, in a 32 MiB arena.
 */
public final class ArenaTour {
  private ArenaTour() {}

  /** Runs the tour and prints what happens at each step. */
  public static void main(String[] args) throws Exception {
    Path spillDir = Files.createTempDirectory("tributary-tour");
    try (Arena arena = Arena.create("tour", 32 * Bytes.MiB);
        Account source = arena.openAccount("source", 8 * Bytes.MiB);
        Account sink = arena.openAccount("sink", 8 * Bytes.MiB);
        SpillStore store = SpillStore.open(spillDir, Bytes.GiB)) {
      long[] ids = new long[1_000_000];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = i;
      }
      Block block = BlockBuilder.in(source).column("id", ids).build();
      System.out.println("built      " + block);
      Block moved = block.transferTo(sink);
      System.out.println("moved      " + moved + " (source holds " + source.heldBytes() + " B)");

      try {
        BlockBuilder.in(source).column("big", new long[5_000_000]).build();
      } catch (MemoryLimitExceededException e) {
        System.out.println("refused    " + e.getMessage());
      }

      List<SpillHandle> handles = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        try (Block b = BlockBuilder.in(source).column("id", ids).build()) {
          handles.add(store.put(b));
        }
      }
      System.out.println("spilled    " + handles.size() + " blocks, "
          + Bytes.format(store.bytesOnDisk()) + " on disk, arena holds "
          + Bytes.format(arena.allocatedBytes()));
      long sum = 0;
      for (SpillHandle h : handles) {
        try (Block b = store.get(h, sink)) {
          for (long v : ColumnReader.longs(b, "id")) {
            sum += v;
          }
        }
      }
      System.out.println("restored   sum of ids over 8 blocks = " + sum
          + " (expected " + 8L * (ids.length - 1L) * ids.length / 2 + ")");
      moved.close();
      System.out.println(arena.report());
    } finally {
      Files.deleteIfExists(spillDir);
    }
  }
}
