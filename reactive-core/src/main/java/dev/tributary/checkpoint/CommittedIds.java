package dev.tributary.checkpoint;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntPredicate;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * The ids of every committed row, on the heap (8 bytes an integer id, sorted for a binary
 * search), and the filter that drops those rows from a read's blocks.
 */
final class CommittedIds {
  private final Path checkpoint;
  private final String column;
  private long[] longs = new long[0];
  private int longCount;
  private final Set<String> strings = new HashSet<>();

  CommittedIds(Path checkpoint, String column) {
    this.checkpoint = checkpoint;
    this.column = column;
  }

  void add(long id) {
    if (longCount == longs.length) {
      longs = Arrays.copyOf(longs, Math.max(1024, longs.length * 2));
    }
    longs[longCount++] = id;
  }

  void add(String id) {
    strings.add(id);
  }

  /** Sorts what was added: called once, after the last commit record was read. */
  CommittedIds sealed() {
    longs = Arrays.copyOf(longs, longCount);
    Arrays.sort(longs);
    return this;
  }

  long size() {
    return longCount + strings.size();
  }

  /**
   * The rows of {@code input} not committed yet (a block transform: consumes its input); null
   * when all were.
   */
  Block uncommitted(Block input, Account out) {
    try (input) {
      FieldVector vector = input.vector(column);
      IntPredicate fresh;
      if (vector instanceof BaseIntVector ints) {
        fresh = i -> vector.isNull(i) || Arrays.binarySearch(longs, ints.getValueAsLong(i)) < 0;
      } else if (vector instanceof VarCharVector text) {
        fresh = i -> vector.isNull(i) || !strings.contains(new String(text.get(i),
            StandardCharsets.UTF_8));
      } else {
        throw new CheckpointException(checkpoint, SegmentIds.type(column, vector));
      }
      return Blocks.keep(input, fresh, out);
    }
  }
}
