package dev.tributary.checkpoint;

import dev.tributary.memory.Block;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * The ids of the rows of one segment, gathered as its blocks go to the sink, and written as its
 * commit record: integer ids as longs, string ids as UTF-8, in row order.
 */
final class SegmentIds {
  private static final byte LONGS = 'L';
  private static final byte STRINGS = 'S';

  private final Path checkpoint;
  private final String column;
  private long[] longs = new long[1024];
  private final List<String> strings = new ArrayList<>();
  private int count;

  SegmentIds(Path checkpoint, String column) {
    this.checkpoint = checkpoint;
    this.column = column;
  }

  /**
   * Adds the ids of {@code block}'s rows (the block stays the caller's).
   *
   * @throws CheckpointException if an id is null or the column is neither integer nor string
   */
  void add(Block block) {
    FieldVector vector = block.vector(column);
    int rows = block.rowCount();
    if (vector.getNullCount() > 0) {
      throw new CheckpointException(checkpoint, "the id column " + column + " holds a null;"
          + " every row needs an id to be recorded");
    }
    if (vector instanceof BaseIntVector ints) {
      if (count + rows > longs.length) {
        longs = Arrays.copyOf(longs, Math.max(count + rows, longs.length * 2));
      }
      for (int i = 0; i < rows; i++) {
        longs[count + i] = ints.getValueAsLong(i);
      }
    } else if (vector instanceof VarCharVector text) {
      for (int i = 0; i < rows; i++) {
        strings.add(new String(text.get(i), StandardCharsets.UTF_8));
      }
    } else {
      throw new CheckpointException(checkpoint, type(column, vector));
    }
    count += rows;
  }

  static String type(String column, FieldVector vector) {
    return "the id column " + column + " is " + vector.getField().getType()
        + "; an id is an integer or a string";
  }

  int count() {
    return count;
  }

  void writeTo(DataOutputStream out) throws IOException {
    out.writeByte(strings.isEmpty() ? LONGS : STRINGS);
    out.writeInt(count);
    if (strings.isEmpty()) {
      for (int i = 0; i < count; i++) {
        out.writeLong(longs[i]);
      }
    } else {
      for (String s : strings) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
      }
    }
  }

  /** Reads one commit record into {@code into}; returns its row count. */
  static int readInto(DataInputStream in, CommittedIds into) throws IOException {
    byte kind = in.readByte();
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      if (kind == LONGS) {
        into.add(in.readLong());
      } else {
        byte[] utf8 = new byte[in.readInt()];
        in.readFully(utf8);
        into.add(new String(utf8, StandardCharsets.UTF_8));
      }
    }
    return n;
  }
}
