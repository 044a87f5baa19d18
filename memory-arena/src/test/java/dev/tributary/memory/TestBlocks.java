package dev.tributary.memory;

import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One-column int64 blocks for memory tests, built with Arrow directly: the builders and typed
 * readers live in the columnar module, above this one.
 */
final class TestBlocks {
  private TestBlocks() {}

  /** A non-null int64 column {@code v} of {@code values} in {@code owner}. */
  static Block of(Account owner, long[] values) {
    return owner.allocate(() -> {
      BigIntVector v = new BigIntVector("v", owner.allocator());
      v.allocateNew(values.length);
      for (int i = 0; i < values.length; i++) {
        v.set(i, values[i]);
      }
      v.setValueCount(values.length);
      return Block.wrap(new VectorSchemaRoot(List.<FieldVector>of(v)), owner);
    });
  }

  /** Column {@code v} of {@code block}. */
  static long[] values(Block block) {
    BigIntVector v = (BigIntVector) block.vector("v");
    long[] out = new long[v.getValueCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }
}
