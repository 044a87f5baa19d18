package dev.tributary.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Execution scopes: the middle level of arena, scope, account. A scope caps one execution, ends
 * its memory when it closes (leftovers released and named at once), and takes back blocks it
 * handed out to a receiver that dropped them.
 */
class ExecutionScopeTest {
  private final Arena arena = Arena.create("scopes", 64 * Bytes.MiB);
  private final List<MemoryLeakException> leaks = new CopyOnWriteArrayList<>();

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  private ExecutionScope scope(String name, long limit) {
    return arena.openScope(name, limit, leaks::add);
  }

  private static Block longs(Account account, int rows) {
    return TestBlocks.of(account, new long[rows]);
  }

  /** Runs the garbage collector until {@code done} holds (the cleaner runs on its own thread). */
  private static void collectUntil(java.util.function.BooleanSupplier done) {
    for (int i = 0; i < 200 && !done.getAsBoolean(); i++) {
      System.gc();
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
    }
  }

  @Test
  void thePeakIsTheScopesOwnNotTheArenasNorAnEarlierScopes() {
    ExecutionScope earlier = scope("earlier", arena.limitBytes());
    try (Block big = longs(earlier.open("big"), 1_000_000)) {
      assertThat(earlier.peakBytes()).isEqualTo(big.sizeBytes());
    }
    earlier.close();
    Account outside = arena.openAccount("another execution");
    ExecutionScope scope = scope("now", arena.limitBytes());
    Account source = scope.open("source");
    Account sink = scope.open("sink");
    try (Block other = longs(outside, 500_000)) {
      Block a = longs(source, 10_000);
      Block b = longs(source, 10_000);
      long both = a.sizeBytes() + b.sizeBytes();
      Block moved = a.transferTo(sink);
      assertThat(scope.heldBytes()).isEqualTo(both);
      moved.close();
      b.close();
      assertThat(scope.peakBytes()).as("a move within the scope counts once").isEqualTo(both);
      assertThat(arena.peakBytes()).isGreaterThan(scope.peakBytes() + other.sizeBytes());
    }
    // A block arriving from outside the scope counts from when it arrives.
    Block arriving = longs(outside, 200_000).transferTo(sink);
    assertThat(scope.peakBytes()).isEqualTo(arriving.sizeBytes());
    arriving.close();
    scope.close();
    outside.close();
    assertThat(leaks).isEmpty();
    assertThat(scope.isClosed()).isTrue();
  }

  @Test
  void closingAScopeReleasesWhatAFunctionAllocatedAndDroppedAndNamesTheOperator() {
    ExecutionScope scope = scope("range->map #1", arena.limitBytes());
    Account stage = scope.open("MapBatches");
    Account output = scope.open("Output");
    // A user function allocates a vector and throws before returning it.
    BigIntVector dropped = new BigIntVector("x", stage.allocator());
    dropped.allocateNew(10_000);
    Block kept = longs(output, 100);
    kept.close();
    assertThat(arena.allocatedBytes()).isPositive();
    scope.close();
    assertThat(arena.allocatedBytes()).isZero();
    assertThat(leaks).singleElement().satisfies(e -> assertThat(e)
        .hasMessageContaining("execution 'range->map #1'")
        .hasMessageContaining("operator 'MapBatches'")
        .hasMessageContaining("released now")
        .hasMessageNotContaining("'Output'"));
    assertThat(scope.isClosed()).isTrue();
  }

  @Test
  void aScopeIsCappedWithinTheArenaAndTwoScopesShareTheArenasBound() {
    ExecutionScope small = scope("small", 4 * Bytes.MiB);
    ExecutionScope large = scope("large", arena.limitBytes());
    Account a = small.open("a");
    assertThatThrownBy(() -> a.allocate(() -> longs(a, 1_000_000)))
        .isInstanceOf(MemoryLimitExceededException.class)
        .hasMessageContaining("execution 'small'");
    Account b = large.open("b");
    Block most = longs(b, 8_000_000);
    // The large scope may take the arena's whole limit, but what it holds counts for the small.
    Account c = small.open("c");
    assertThatThrownBy(() -> c.allocate(() -> longs(c, 500_000)))
        .isInstanceOf(MemoryLimitExceededException.class)
        .hasMessageContaining("arena 'scopes'");
    most.close();
    small.close();
    large.close();
    assertThat(leaks).isEmpty();
  }

  @Test
  void aHandedOutBlockKeepsItsScopeOpenUntilItsReceiverClosesIt() {
    ExecutionScope scope = scope("handing", arena.limitBytes());
    Account output = scope.open("Output");
    Block out = scope.handOut(longs(output, 1000), "Output");
    scope.close();
    assertThat(scope.isClosed()).isFalse();
    assertThat(TestBlocks.values(out)).hasSize(1000);
    out.close();
    assertThat(scope.isClosed()).isTrue();
    assertThat(leaks).isEmpty();
  }

  @Test
  void aDroppedHandedOutBlockIsReclaimedAndReportedNamingExecutionAndOperator() {
    ExecutionScope scope = scope("dropping", arena.limitBytes());
    Account output = scope.open("Output");
    scope.handOut(longs(output, 1000), "Output");
    Block keptVector = scope.handOut(longs(output, 2000), "Output");
    FieldVector vector = keptVector.vector("v");
    keptVector = null;
    scope.close();
    collectUntil(() -> !leaks.isEmpty());
    assertThat(leaks).singleElement().satisfies(e -> assertThat(e)
        .hasMessageContaining("execution 'dropping'")
        .hasMessageContaining("operator 'Output'")
        .hasMessageContaining("never closed"));
    // The second block was dropped too, but a reader still holds its vector: never freed under it.
    assertThat(scope.handedOutBlocks()).isEqualTo(1);
    assertThat(vector.getValueCount()).isEqualTo(2000);
    assertThat(((BigIntVector) vector).get(1999)).isZero();
    vector = null;
    collectUntil(scope::isClosed);
    assertThat(leaks).hasSize(2);
    assertThat(leaks.get(1)).hasMessageContaining("2 blocks").hasMessageContaining("'Output'");
    assertThat(scope.isClosed()).isTrue();
  }

  @Test
  void aRefusedAllocationWaitsForDroppedBlocksToBeReclaimed() {
    ExecutionScope scope = scope("leaky consumer", arena.limitBytes());
    Account output = scope.open("Output");
    for (int i = 0; i < 8; i++) {
      scope.handOut(longs(output, 1_000_000), "Output"); // 7.8 MiB each, never closed
    }
    Account next = arena.openAccount("next execution");
    // 64 MiB hold 8 blocks only once the dropped ones come back: no System.gc() here.
    Block fits = next.allocate(() -> longs(next, 1_000_000));
    assertThat(leaks).isNotEmpty().allSatisfy(e -> assertThat(e)
        .hasMessageContaining("leaky consumer").hasMessageContaining("Output"));
    fits.close();
    next.close();
    scope.close();
    collectUntil(scope::isClosed);
  }

  @Test
  void closingTheArenaReleasesABlockStillHandedOutAndSpendsIt() {
    Arena other = Arena.create("closing", 16 * Bytes.MiB);
    ExecutionScope scope = other.openScope("open", other.limitBytes(), leaks::add);
    Block out = scope.handOut(longs(scope.open("Output"), 1000), "Output");
    assertThatThrownBy(other::close).isInstanceOf(MemoryLeakException.class)
        .hasMessageContaining("execution 'open'").hasMessageContaining("Output");
    assertThat(other.allocatedBytes()).isZero();
    assertThatThrownBy(out::close).isInstanceOf(BlockClosedException.class)
        .hasMessageContaining("arena 'closing' closed");
  }
}
