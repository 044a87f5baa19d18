package dev.tributary.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.operators.CreditPolicy.Bound;
import dev.tributary.operators.CreditPolicy.Credit;
import dev.tributary.operators.CreditPolicy.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The governor's credit rule, case by case (sizes in KiB, MAX = unbounded demand). */
class CreditPolicyTest {
  private static final long K = 1024;

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      # case                                       |budget|held|headroom|mean|ratio|window|queued|outst.|inProc|waiting|demand|pass |blocks|bound
      empty account takes one block                 | 1000 |   0 | 10000 |   0 | -1  |  1 | 0 | 0 | 0 | 0 |   0 | false | 1 | PROGRESS
      empty account, block above the budget         |  100 |   0 | 10000 | 500 |  4  | 16 | 0 | 0 | 0 | 0 |   0 | false | 1 | PROGRESS
      gathering rows: asks with nothing coming      | 1000 | 990 | 10000 | 100 |  1  | 16 | 0 | 0 | 0 | 0 |   1 | false | 1 | PROGRESS
      waiting outputs are not gathering             | 1000 | 990 | 10000 | 100 |  1  | 16 | 0 | 0 | 0 | 1 |   1 | false | 0 | BUDGET
      in-process blocks are not gathering           | 1000 | 990 | 10000 | 100 |  1  | 16 | 0 | 0 | 1 | 0 |   1 | false | 0 | BUDGET
      slow start: window 1 with one queued          | 1000 | 100 | 10000 | 100 |  1  |  1 | 1 | 0 | 0 | 0 |   0 | false | 0 | WINDOW
      slow start: window 2 admits one more          | 1000 | 100 | 10000 | 100 |  1  |  2 | 1 | 0 | 0 | 0 |   0 | false | 1 | WINDOW
      room for several, window caps                 |10000 | 100 |100000 | 100 |  1  |  4 | 1 | 0 | 0 | 0 |   0 | false | 3 | WINDOW
      room divided by block and output              | 1000 |   0 | 10000 | 100 |  4  | 16 | 0 | 1 | 0 | 0 |   0 | false | 1 | BUDGET
      unknown ratio: one block in flight at a time  | 1000 | 200 | 10000 | 100 | -1  | 16 | 0 | 0 | 0 | 0 |   0 | false | 1 | WINDOW
      unknown ratio with a block in process         | 1000 | 200 | 10000 | 100 | -1  | 16 | 0 | 0 | 1 | 0 |   0 | false | 0 | WINDOW
      unknown ratio counts the output as the input  |  350 | 200 | 10000 | 100 | -1  | 16 | 0 | 0 | 0 | 0 |   0 | false | 0 | BUDGET
      in-process outputs count against the budget   | 1000 | 400 | 10000 | 100 |  4  | 16 | 0 | 0 | 4 | 0 |   0 | false | 0 | BUDGET
      same stage with the outputs made              | 3000 |2000 | 10000 | 100 |  4  | 16 | 0 | 0 | 0 | 4 |   0 | false | 2 | BUDGET
      requested blocks count in full                | 1000 |   0 | 10000 | 100 |  1  | 16 | 0 | 4 | 0 | 0 |   0 | false | 1 | BUDGET
      over budget requests nothing                  | 1000 |1200 | 10000 | 100 |  1  | 16 | 2 | 0 | 0 | 0 |   0 | false | 0 | BUDGET
      arena headroom below the room                 |10000 | 100 |   250 | 100 |  0.5| 16 | 0 | 0 | 0 | 0 |   0 | false | 1 | HEADROOM
      arena full                                    |10000 | 100 |     0 | 100 |  1  | 16 | 0 | 0 | 0 | 0 |   0 | false | 0 | HEADROOM
      pass-through: no output to make room for      | 1000 | 500 | 10000 | 100 |  4  | 16 | 0 | 0 | 0 | 0 | MAX | true  | 5 | BUDGET
      pass-through reads one past its consumer      |10000 | 100 | 10000 | 100 |  0  | 16 | 0 | 0 | 0 | 0 |   1 | true  | 2 | WINDOW
      pass-through with a block ready for demand 1  |10000 | 200 | 10000 | 100 |  0  | 16 | 1 | 0 | 0 | 0 |   1 | true  | 1 | WINDOW
      pass-through, consumer holds its blocks       |10000 | 200 | 10000 | 100 |  0  | 16 | 0 | 0 | 0 | 0 |   0 | true  | 1 | WINDOW
      pass-through, consumer waits with none coming | 1000 |1500 | 10000 | 100 |  0  | 16 | 0 | 0 | 0 | 0 |   1 | true  | 1 | PROGRESS
      """)
  void credit(String description, long budget, long held, long headroom, long mean, double ratio,
      long window, long queued, long outstanding, long inProcess, long waiting, String demand,
      boolean passThrough, long blocks, Bound bound) {
    State s = new State(budget * K, held * K, headroom * K, mean * K, ratio, window, queued,
        outstanding, inProcess, waiting,
        demand.equals("MAX") ? Long.MAX_VALUE : Long.parseLong(demand), passThrough);
    assertThat(CreditPolicy.byBytes().credit(s)).isEqualTo(new Credit(blocks, bound));
  }

  @Test
  void onlyMemoryBoundsCountAsThrottled() {
    assertThat(new Credit(0, Bound.BUDGET).throttled()).isTrue();
    assertThat(new Credit(0, Bound.HEADROOM).throttled()).isTrue();
    assertThat(new Credit(0, Bound.WINDOW).throttled()).isFalse();
    assertThat(new Credit(2, Bound.BUDGET).throttled()).isFalse();
  }

  @Test
  void aFixedPrefetchIgnoresMemory() {
    State full = new State(0, 10 * K, 0, 100 * K, 4, 1, 3, 2, 4, 4, 0, false);
    assertThat(CreditPolicy.fixedPrefetch(8).credit(full)).isEqualTo(new Credit(3, Bound.WINDOW));
    assertThat(CreditPolicy.fixedPrefetch(8).governsMemory()).isFalse();
    assertThat(CreditPolicy.byBytes().governsMemory()).isTrue();
  }
}
