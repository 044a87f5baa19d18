package dev.tributary.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.PartitionPlan.Split;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitPackingTest {
  private static final long MIB = 1 << 20;

  private static List<Split> files(long... bytes) {
    return IntStream.range(0, bytes.length)
        .mapToObj(f -> new Split(f, 0, Integer.MAX_VALUE, bytes[f])).toList();
  }

  @Test
  void consecutiveSplitsFillTheCoresSharesInOrder() {
    // 4 x (30 + 4) MiB over 2 cores: 68 MiB each, two files per partition (as Spark SQL packs).
    List<int[]> packed = new SplitPacking(128 * MIB, 4 * MIB, 2)
        .pack(files(30 * MIB, 30 * MIB, 30 * MIB, 30 * MIB));
    assertThat(packed).containsExactly(new int[] {0, 1}, new int[] {2, 3});
  }

  @Test
  void aPartitionHoldsAtMostTheSplitSize() {
    List<int[]> packed = new SplitPacking(50 * MIB, 4 * MIB, 1)
        .pack(files(30 * MIB, 10 * MIB, 30 * MIB, 60 * MIB, 1));
    assertThat(packed).containsExactly(new int[] {0, 1}, new int[] {2}, new int[] {3},
        new int[] {4});
  }

  @Test
  void largeSplitsStayAloneAndManySmallOnesShareThePartitions() {
    assertThat(new SplitPacking(1, 0, 2).pack(files(5, 5, 5))).containsExactly(new int[] {0},
        new int[] {1}, new int[] {2});
    // 100 empty files cost 400 MiB to open: 200 MiB per core (a partition closes once the next
    // split would pass it, as Spark SQL's do), at most 128 MiB per partition.
    assertThat(new SplitPacking(1024 * MIB, 4 * MIB, 2).pack(files(new long[100])))
        .extracting(p -> p.length).containsExactly(51, 49);
    assertThat(new SplitPacking(128 * MIB, 4 * MIB, 2).pack(files(new long[100])))
        .extracting(p -> p.length).containsExactly(33, 33, 33, 1);
    assertThat(new SplitPacking(128 * MIB, 4 * MIB, 2).pack(List.of())).isEmpty();
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> new SplitPacking(0, 0, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SplitPacking(1, 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
