package dev.tributary.bench;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.SpillHandle;
import dev.tributary.memory.SpillStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.FieldVector;

/**
 * Spill write and restore throughput for 1 MiB and 64 MiB blocks, next to a plain {@link
 * FileChannel} write and read of the same buffers measured in the same run.
 *
 * <p>Both sides work in the page cache of the same directory (neither forces to disk), so the
 * ratio is the cost of Tributary's IPC framing and Chronicle Map chunking over raw file I/O.
 * Run with {@code mvn -B -q -Pbench -DskipTests verify}; set {@code -Dbench.mib=N} for the bytes
 * moved per measurement (default 512).
 */
public final class SpillThroughputBench {
  private static final int WARMUPS = 2;
  private static final int RUNS = 5;

  private SpillThroughputBench() {}

  /** Runs the benchmark and prints a table of medians and ratios. */
  public static void main(String[] args) throws Exception {
    long total = Long.getLong("bench.mib", 512) * Bytes.MiB;
    Path dir = Files.createTempDirectory("tributary-spill-bench");
    System.out.printf(Locale.ROOT, "%-10s %14s %14s %14s %14s %10s %10s%n", "block",
        "spill MB/s", "restore MB/s", "fc write MB/s", "fc read MB/s", "write x", "read x");
    try (Arena arena = Arena.create("bench", 2 * Bytes.GiB);
        Account account = arena.openAccount("bench")) {
      for (long blockBytes : new long[] {Bytes.MiB, 64 * Bytes.MiB}) {
        double[] r = measure(account, dir, blockBytes, total);
        System.out.printf(Locale.ROOT, "%-10s %14.0f %14.0f %14.0f %14.0f %10.2f %10.2f%n",
            Bytes.format(blockBytes), r[0], r[1], r[2], r[3], r[0] / r[2], r[1] / r[3]);
      }
    } finally {
      Files.deleteIfExists(dir);
    }
  }

  /** Returns median MB/s: spill put, spill get, FileChannel write, FileChannel read. */
  private static double[] measure(Account account, Path dir, long blockBytes, long total)
      throws IOException {
    int count = (int) Math.max(1, total / blockBytes);
    long[] values = new long[(int) (blockBytes / 8)];
    Arrays.setAll(values, i -> i * 31L);
    double[][] samples = new double[4][RUNS];
    try (Block block = BlockBuilder.in(account).column("v", values).build()) {
      long bytes = (long) count * block.sizeBytes();
      for (int run = -WARMUPS; run < RUNS; run++) {
        double[] one = new double[4];
        try (SpillStore store = SpillStore.open(dir, 2 * total)) {
          List<SpillHandle> handles = new ArrayList<>(count);
          long t0 = System.nanoTime();
          for (int i = 0; i < count; i++) {
            handles.add(store.put(block));
          }
          long t1 = System.nanoTime();
          for (SpillHandle h : handles) {
            store.get(h, account).close();
          }
          long t2 = System.nanoTime();
          one[0] = mbps(bytes, t1 - t0);
          one[1] = mbps(bytes, t2 - t1);
        }
        Path file = dir.resolve("filechannel.bin");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
            StandardOpenOption.READ)) {
          long t0 = System.nanoTime();
          for (int i = 0; i < count; i++) {
            for (FieldVector v : block.root().getFieldVectors()) {
              for (ArrowBuf buf : v.getFieldBuffers()) {
                ByteBuffer nio = buf.nioBuffer(0, (int) buf.capacity());
                while (nio.hasRemaining()) {
                  ch.write(nio);
                }
              }
            }
          }
          long t1 = System.nanoTime();
          ByteBuffer into = ByteBuffer.allocateDirect((int) block.sizeBytes());
          long position = 0;
          for (int i = 0; i < count; i++) {
            into.clear();
            while (into.hasRemaining()) {
              int n = ch.read(into, position);
              if (n < 0) {
                break;
              }
              position += n;
            }
          }
          long t2 = System.nanoTime();
          one[2] = mbps(bytes, t1 - t0);
          one[3] = mbps(bytes, t2 - t1);
        } finally {
          Files.deleteIfExists(file);
        }
        if (run >= 0) {
          for (int k = 0; k < 4; k++) {
            samples[k][run] = one[k];
          }
        }
      }
    }
    double[] medians = new double[4];
    for (int k = 0; k < 4; k++) {
      Arrays.sort(samples[k]);
      medians[k] = samples[k][RUNS / 2];
    }
    return medians;
  }

  private static double mbps(long bytes, long nanos) {
    return bytes / 1e6 / (nanos / 1e9);
  }
}
