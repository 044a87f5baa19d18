package dev.tributary.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VectorSliceTest {
  private final Arena arena = Arena.create("test", 64 * Bytes.MiB);
  private final Account account = arena.openAccount("a");
  private final BufferAllocator allocator = account.allocator();

  @AfterEach
  void noLeaks() {
    account.close();
    assertThat(arena.allocatedBytes()).isZero();
    arena.close();
  }

  private BigIntVector longs(int rows, int nullEvery) {
    BigIntVector v = new BigIntVector("v", allocator);
    v.allocateNew(rows);
    for (int i = 0; i < rows; i++) {
      if (nullEvery > 0 && i % nullEvery == nullEvery - 1) {
        v.setNull(i);
      } else {
        v.set(i, i * 3L);
      }
    }
    v.setValueCount(rows);
    return v;
  }

  @Test
  void rowsOffAByteBoundaryOfADenseColumnAreSharedNotCopied() {
    try (BigIntVector from = longs(1000, 0);
        BigIntVector to = new BigIntVector("v", allocator)) {
      long before = arena.allocatedBytes();
      assertThat(VectorSlice.share(from, to, 13, 500)).isTrue();
      to.setValueCount(500);
      assertThat(arena.allocatedBytes()).isEqualTo(before);
      assertThat(to.getDataBuffer().memoryAddress())
          .isEqualTo(from.getDataBuffer().memoryAddress() + 13 * 8);
      assertThat(to.getNullCount()).isZero();
      for (int i = 0; i < 500; i++) {
        assertThat(to.get(i)).isEqualTo((13 + i) * 3L);
      }
      from.close(); // the slice keeps the shared memory alive until it lets go
      assertThat(to.get(499)).isEqualTo(512 * 3L);
    }
  }

  @Test
  void whereArrowCopiesNothingOrNullsAreInTheRowsItDeclines() {
    try (BigIntVector withNulls = longs(1000, 100);
        BigIntVector dense = longs(1000, 0);
        BigIntVector to = new BigIntVector("v", allocator)) {
      assertThat(VectorSlice.share(dense, to, 16, 500)).isFalse(); // aligned: Arrow slices
      assertThat(VectorSlice.share(withNulls, to, 13, 500)).isFalse(); // nulls in the rows
      assertThat(VectorSlice.share(withNulls, to, 190, 50)).isFalse(); // row 199 is null
      assertThat(to.getValueCount()).isZero(); // declined: untouched
      // rows 99 and 199 are null, outside [0, 50) and [101, 151): shared
      assertThat(VectorSlice.share(withNulls, to, 101, 50)).isTrue();
      to.setValueCount(50);
      assertThat(to.getNullCount()).isZero();
      assertThat(to.get(0)).isEqualTo(303L);
    }
  }

  @Test
  void aColumnWithoutNullsIsSharableAndPointedAtAnyOffset() {
    try (BigIntVector dense = longs(1000, 0);
        BigIntVector withNulls = longs(1000, 100);
        BigIntVector to = new BigIntVector("v", allocator)) {
      assertThat(VectorSlice.sharable(dense)).isTrue();
      assertThat(VectorSlice.sharable(withNulls)).isFalse();
      for (int offset : new int[] {0, 16, 999, 3}) {
        VectorSlice.point(dense, to, offset, 1000 - offset);
        to.setValueCount(1000 - offset);
        assertThat(to.getNullCount()).isZero();
        assertThat(to.get(0)).isEqualTo(offset * 3L);
        assertThat(to.get(999 - offset)).isEqualTo(999 * 3L);
      }
    }
  }

  @Test
  void booleansAreLeftToArrow() {
    try (BitVector from = new BitVector("b", allocator);
        BitVector to = new BitVector("b", allocator)) {
      from.allocateNew(100);
      for (int i = 0; i < 100; i++) {
        from.set(i, i % 3 == 0 ? 1 : 0);
      }
      from.setValueCount(100);
      assertThat(VectorSlice.sharable(from)).isFalse();
      assertThat(VectorSlice.share(from, to, 5, 50)).isFalse();
    }
  }

  @Test
  void aVectorWithoutValidityBufferIsLeftToArrow() {
    try (NullVector from = new NullVector("z", 100);
        NullVector to = new NullVector("z")) {
      assertThat(VectorSlice.sharable(from)).isFalse();
      assertThat(VectorSlice.share(from, to, 5, 50)).isFalse();
    }
  }

  @Test
  void aFixedSizeListColumnIsSharedDownToItsValues() {
    FieldType listType = FieldType.notNullable(new ArrowType.FixedSizeList(3));
    try (FixedSizeListVector from = new FixedSizeListVector("t", allocator, listType, null);
        FixedSizeListVector to = new FixedSizeListVector("t", allocator, listType, null)) {
      FieldType floats = FieldType.notNullable(
          new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE));
      Float4Vector values = (Float4Vector) from.addOrGetVector(floats).getVector();
      to.addOrGetVector(floats);
      from.allocateNew();
      for (int row = 0; row < 40; row++) {
        from.setNotNull(row);
        for (int k = 0; k < 3; k++) {
          values.setSafe(row * 3 + k, row * 10f + k);
        }
      }
      values.setValueCount(120);
      from.setValueCount(40);
      assertThat(VectorSlice.sharable(from)).isTrue();
      assertThat(VectorSlice.share(from, to, 9, 20)).isTrue();
      to.setValueCount(20);
      Float4Vector shown = (Float4Vector) to.getDataVector();
      assertThat(shown.getDataBuffer().memoryAddress())
          .isEqualTo(values.getDataBuffer().memoryAddress() + 9 * 3 * 4);
      assertThat(to.getNullCount()).isZero();
      assertThat(shown.get(0)).isEqualTo(90f);
      assertThat(shown.get(59)).isEqualTo(282f);
    }
  }

  @Test
  void aBlockSliceOffAByteBoundaryKeepsValuesAndNulls() {
    for (int nullEvery : new int[] {0, 7}) {
      BigIntVector src = longs(1000, nullEvery);
      Block block = account.allocate(
          () -> Block.wrap(new VectorSchemaRoot(List.<FieldVector>of(src)), account));
      try (block; Block slice = block.slice(5, 300)) {
        BigIntVector v = (BigIntVector) slice.vector("v");
        assertThat(v.getValueCount()).isEqualTo(300);
        for (int i = 0; i < 300; i++) {
          assertThat(v.isNull(i)).isEqualTo(src.isNull(5 + i));
          if (!v.isNull(i)) {
            assertThat(v.get(i)).isEqualTo(src.get(5 + i));
          }
        }
      }
    }
  }

  @Test
  void allSetAgreesWithABitByBitCheck() {
    Random random = new Random(14);
    try (BitVector bits = new BitVector("b", allocator)) {
      bits.allocateNew(700);
      for (int trial = 0; trial < 200; trial++) {
        int holes = random.nextInt(3);
        for (int i = 0; i < 700; i++) {
          bits.set(i, 1);
        }
        for (int h = 0; h < holes; h++) {
          bits.set(random.nextInt(700), 0);
        }
        int from = random.nextInt(700);
        int count = random.nextInt(700 - from + 1);
        boolean expected = true;
        for (int i = from; i < from + count; i++) {
          expected &= bits.get(i) == 1;
        }
        assertThat(VectorSlice.allSet(bits.getDataBuffer(), from, count))
            .as("bits [%d, %d)", from, from + count).isEqualTo(expected);
      }
    }
  }
}
