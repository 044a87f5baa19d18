package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Random;
import org.apache.parquet.bytes.HeapByteBufferAllocator;
import org.apache.parquet.column.values.rle.RunLengthBitPackingHybridEncoder;
import org.junit.jupiter.api.Test;

/**
 * Dictionary ids decoded straight into keep bits ({@link RleBitPackedHybrid#decodeKeeps}) say
 * what decoding the ids then looking each up says, for ids written by parquet-mr's own encoder:
 * repeated runs and bit-packed groups, counts that end inside a group, several widths.
 */
class RleBitPackedHybridTest {
  @Test
  void keepBitsEqualIdsLookedUp() throws IOException {
    Random random = new Random(7);
    for (int bitWidth : new int[] {0, 1, 3, 8, 10, 13, 20}) {
      int entries = 1 << bitWidth;
      byte[] keeps = new byte[entries];
      for (int i = 0; i < entries; i++) {
        keeps[i] = (byte) (random.nextInt(3) == 0 ? 1 : 0);
      }
      keeps[0] = 1;
      for (int count : new int[] {1, 7, 64, 65, 1000, 4099}) {
        int[] values = new int[count];
        RunLengthBitPackingHybridEncoder encoder = new RunLengthBitPackingHybridEncoder(
            bitWidth, 64, 1 << 16, new HeapByteBufferAllocator());
        for (int i = 0; i < count; i++) {
          // Stretches of one id (repeated runs) between random ones (bit-packed groups).
          values[i] = (i / 50) % 3 == 0 ? (i / 150) % entries : random.nextInt(entries);
          encoder.writeInt(values[i]);
        }
        byte[] bytes = encoder.toBytes().toByteArray();
        int[] ids = new int[count + 8];
        RleBitPackedHybrid.decode(bytes, 0, bytes.length, bitWidth, ids, count);
        long[] bits = new long[(count + 8) / 64 + 2];
        RleBitPackedHybrid.decodeKeeps(bytes, 0, bytes.length, bitWidth, keeps, bits, count);
        for (int i = 0; i < count; i++) {
          assertThat(ids[i]).isEqualTo(values[i]);
          assertThat((bits[i >>> 6] >>> i) & 1).as("width %d, count %d, value %d", bitWidth,
              count, i).isEqualTo((long) keeps[values[i]]);
        }
      }
    }
  }
}
