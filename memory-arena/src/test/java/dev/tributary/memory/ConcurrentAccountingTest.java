package dev.tributary.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConcurrentAccountingTest {
  private static final int THREADS = 8;
  private static final int ROUNDS = 2000;

  private final Arena arena = Arena.create("concurrent", 256 * Bytes.MiB);

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).isZero();
    arena.close();
  }

  @Test
  void eightThreadsAllocatingTransferringAndClosingLeaveExactAccounting() throws Exception {
    Account[] accounts = new Account[4];
    for (int i = 0; i < accounts.length; i++) {
      accounts[i] = arena.openAccount("shared-" + i);
    }
    CyclicBarrier checkpoint = new CyclicBarrier(THREADS + 1);
    CyclicBarrier resume = new CyclicBarrier(THREADS + 1);
    List<List<Block>> held = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<Long>> rowsSeen = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      List<Block> mine = new ArrayList<>();
      held.add(mine);
      long seed = t;
      rowsSeen.add(pool.submit(() -> churn(accounts, mine, new Random(seed), checkpoint, resume)));
    }

    // Mid-run, every thread pauses holding some blocks: each account must be charged exactly
    // for the blocks it owns, and the arena for all of them.
    checkpoint.await(60, TimeUnit.SECONDS);
    long[] expected = new long[accounts.length];
    long total = 0;
    for (List<Block> mine : held) {
      for (Block b : mine) {
        for (int i = 0; i < accounts.length; i++) {
          if (b.owner() == accounts[i]) {
            expected[i] += b.sizeBytes();
          }
        }
        total += b.sizeBytes();
      }
    }
    for (int i = 0; i < accounts.length; i++) {
      assertThat(accounts[i].heldBytes()).as(accounts[i].name()).isEqualTo(expected[i]);
    }
    assertThat(arena.allocatedBytes()).isEqualTo(total).isPositive();
    resume.await(60, TimeUnit.SECONDS);

    long rows = 0;
    for (Future<Long> f : rowsSeen) {
      rows += f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(rows).isPositive();
    for (Account a : accounts) {
      assertThat(a.heldBytes()).as(a.name()).isZero();
      a.close();
    }
    assertThat(arena.peakBytes()).isLessThanOrEqualTo(arena.limitBytes());
  }

  private static long churn(
      Account[] accounts, List<Block> mine, Random random, CyclicBarrier checkpoint,
      CyclicBarrier resume) throws Exception {
    long rows = 0;
    for (int round = 0; round < ROUNDS; round++) {
      if (round == ROUNDS / 2) {
        checkpoint.await(60, TimeUnit.SECONDS);
        resume.await(60, TimeUnit.SECONDS);
      }
      int action = random.nextInt(3);
      if (action == 0 || mine.isEmpty()) {
        Account owner = accounts[random.nextInt(accounts.length)];
        mine.add(TestBlocks.of(owner, new long[1 + random.nextInt(4096)]));
      } else if (action == 1) {
        int i = random.nextInt(mine.size());
        mine.set(i, mine.get(i).transferTo(accounts[random.nextInt(accounts.length)]));
      } else {
        Block b = mine.remove(random.nextInt(mine.size()));
        rows += b.rowCount();
        b.close();
      }
    }
    for (Block b : mine) {
      rows += b.rowCount();
      b.close();
    }
    mine.clear();
    return rows;
  }
}
