package dev.tributary.memory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An execution's own peak: the most its accounts held at once (issue 10, item 9). */
class AccountGroupTest {
  private final Arena arena = Arena.create("groups", 64 * Bytes.MiB);

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  private static Block longs(Account account, int rows) {
    return Block.builder(account).column("v", new long[rows]).build();
  }

  @Test
  void thePeakIsTheGroupsOwnNotTheArenasNorAnEarlierGroups() {
    AccountGroup earlier = new AccountGroup(arena);
    try (Block big = longs(earlier.open("big"), 1_000_000)) {
      assertThat(earlier.peakBytes()).isEqualTo(big.sizeBytes());
    }
    Account outside = arena.openAccount("another execution");
    AccountGroup group = new AccountGroup(arena);
    Account source = group.open("source");
    Account sink = group.open("sink");
    try (Block other = longs(outside, 500_000)) {
      Block a = longs(source, 10_000);
      Block b = longs(source, 10_000);
      long both = a.sizeBytes() + b.sizeBytes();
      Block moved = a.transferTo(sink);
      assertThat(group.heldBytes()).isEqualTo(both);
      moved.close();
      b.close();
      assertThat(group.peakBytes()).as("a move within the group counts once").isEqualTo(both);
      assertThat(arena.peakBytes()).isGreaterThan(group.peakBytes() + other.sizeBytes());
    }
    // A block arriving from outside the group counts from when it arrives.
    Block arriving = longs(outside, 200_000).transferTo(sink);
    assertThat(group.peakBytes()).isEqualTo(arriving.sizeBytes());
    arriving.close();
    group.accounts().forEach(Account::close);
    earlier.accounts().forEach(Account::close);
    outside.close();
  }
}
