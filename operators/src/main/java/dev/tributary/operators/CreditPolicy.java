package dev.tributary.operators;

/**
 * The credit rule of a memory governor as a pure function: from what an operator's account holds
 * and expects, how many more blocks its governor may request upstream now. No clocks, no
 * threads, no state: the {@link Governor} gathers a {@link State} and applies the {@link Credit}.
 *
 * <p>Byte-based (the default). A new block is expected to cost {@code mean x (1 + ratio)}: the
 * block itself and the output it will become ({@code ratio} is the operator's measured output
 * bytes per input byte, and 0 at a pass-through boundary such as the consumer's end; until the
 * first output is measured it is taken as 1 and only one block is in flight at a time). The account is expected to hold what it holds now, plus
 * the outputs its queued and in-process blocks will become, plus the full cost of blocks
 * requested and not yet arrived. Credit is the room left under the budget (and under the arena's
 * headroom) divided by the cost, never more than the window allows: blocks in flight (requested,
 * queued, in process) start at one and double per block handed on, up to {@link #MAX_WINDOW}, so
 * a consumer that stops early makes upstream compute only a few blocks. A pass-through boundary
 * also reads at most one block beyond what its consumer asked for.
 *
 * <p>Progress. Memory never holds the credit below one block for an account holding nothing with
 * nothing requested, so a block larger than the whole budget still flows; nor for an operator
 * that asks for input while it has nothing queued, coming, in process or waiting to hand on (it
 * is gathering rows into a batch, and would wait forever on its own partial batch otherwise).
 * Before the first block arrives nothing is known of block sizes, so only these rules apply.
 *
 * <p>Count-based ({@link #fixedPrefetch(int)}): a plain prefetch of a fixed number of blocks,
 * ignoring memory; the ungoverned baseline benchmarks compare against.
 */
public final class CreditPolicy {
  /**
   * The most blocks in flight however much room there is: past a few blocks per boundary,
   * prefetch adds memory and cache misses, not throughput.
   */
  public static final long MAX_WINDOW = 16;

  private static final CreditPolicy BYTES = new CreditPolicy(0);

  private final int prefetch;

  private CreditPolicy(int prefetch) {
    this.prefetch = prefetch;
  }

  /** The byte-based policy. */
  public static CreditPolicy byBytes() {
    return BYTES;
  }

  /** A plain prefetch of {@code blocks} blocks, ignoring memory. */
  public static CreditPolicy fixedPrefetch(int blocks) {
    if (blocks < 1) {
      throw new IllegalArgumentException("blocks must be >= 1, was " + blocks);
    }
    return new CreditPolicy(blocks);
  }

  /** Whether this policy looks at memory at all. */
  public boolean governsMemory() {
    return prefetch == 0;
  }

  /**
   * What a governor knows when it decides.
   *
   * @param budgetBytes the account's budget
   * @param heldBytes what the account holds now (queued inputs, blocks in process, outputs not
   *     yet taken downstream)
   * @param headroomBytes what the level above the account can still allocate: its execution
   *     scope's headroom, or the arena's
   * @param meanBlockBytes the running mean of arriving blocks' bytes (0 before the first)
   * @param outputRatio the operator's output bytes per input byte, negative while unknown
   * @param window the blocks allowed in flight now (the slow start)
   * @param queued blocks arrived and waiting in the governor
   * @param outstanding blocks requested upstream and not yet arrived
   * @param inProcess blocks the operator took whose output is not made yet
   * @param waitingOutputs outputs the operator made and has not handed on yet
   * @param demand blocks downstream asked for and has not received ({@code Long.MAX_VALUE}:
   *     unbounded)
   * @param passThrough whether nothing runs behind the governor (no output to make room for)
   */
  public record State(long budgetBytes, long heldBytes, long headroomBytes, double meanBlockBytes,
      double outputRatio, long window, long queued, long outstanding, long inProcess,
      long waitingOutputs, long demand, boolean passThrough) {}

  /** What holds the credit back, when something does. */
  public enum Bound {
    /** The window or the consumer's demand: memory has room to spare. */
    WINDOW,
    /** The account's budget: waiting for the account's room signal helps. */
    BUDGET,
    /** The headroom above the account (execution cap or arena): memory others hold must go. */
    HEADROOM,
    /** A progress rule granted a block whatever memory says. */
    PROGRESS
  }

  /**
   * A decision.
   *
   * @param blocks how many more blocks to request upstream now (never negative)
   * @param bound what limited it
   */
  public record Credit(long blocks, Bound bound) {
    /** Whether memory, not the window, keeps this governor from requesting anything. */
    public boolean throttled() {
      return blocks == 0 && (bound == Bound.BUDGET || bound == Bound.HEADROOM);
    }
  }

  /** The credit for {@code s}. */
  public Credit credit(State s) {
    if (prefetch > 0) {
      return new Credit(Math.max(0, prefetch - s.queued() - s.outstanding()), Bound.WINDOW);
    }
    long windowLeft = s.window() - s.queued() - s.outstanding() - s.inProcess()
        - s.waitingOutputs();
    if (s.passThrough()) {
      long asked = s.demand() == Long.MAX_VALUE ? Long.MAX_VALUE : s.demand() + 1;
      windowLeft = Math.min(windowLeft, asked - s.queued() - s.outstanding());
    } else if (s.outputRatio() < 0) {
      // Until the first output is measured its size is a guess: one block in flight at a time.
      windowLeft = Math.min(windowLeft,
          1 - s.queued() - s.outstanding() - s.inProcess() - s.waitingOutputs());
    }
    boolean progress = s.heldBytes() == 0 && s.outstanding() == 0
        || s.demand() > 0 && s.queued() == 0 && s.outstanding() == 0 && s.inProcess() == 0
            && s.waitingOutputs() == 0;
    if (s.meanBlockBytes() <= 0) {
      // Nothing arrived yet, so nothing is known of block sizes: one block at a time.
      return progress ? new Credit(1, Bound.PROGRESS) : new Credit(0, Bound.WINDOW);
    }
    if (windowLeft <= 0) {
      return new Credit(0, Bound.WINDOW);
    }
    double ratio = s.passThrough() ? 0 : s.outputRatio() < 0 ? 1 : s.outputRatio();
    double mean = s.meanBlockBytes();
    double cost = Math.max(1, mean * (1 + ratio));
    // Bytes already committed but not yet held: outputs of admitted blocks, blocks on their way.
    double committed = (s.queued() + s.inProcess()) * mean * ratio + s.outstanding() * cost;
    long byBudget = (long) Math.floor((s.budgetBytes() - s.heldBytes() - committed) / cost);
    long byHeadroom = (long) Math.floor((s.headroomBytes() - committed) / cost);
    long byMemory = Math.min(byBudget, byHeadroom);
    if (byMemory >= windowLeft) {
      return new Credit(windowLeft, Bound.WINDOW);
    }
    if (byMemory <= 0 && progress) {
      return new Credit(1, Bound.PROGRESS);
    }
    return new Credit(Math.max(0, byMemory),
        byBudget <= byHeadroom ? Bound.BUDGET : Bound.HEADROOM);
  }

  @Override
  public String toString() {
    return prefetch > 0 ? "CreditPolicy[prefetch " + prefetch + " blocks]" : "CreditPolicy[bytes]";
  }
}
