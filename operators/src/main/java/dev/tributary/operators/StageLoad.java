package dev.tributary.operators;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a stage has in hand, as its governor needs to know it: blocks it took whose output is not
 * made yet, outputs made and not yet handed on, and the output bytes it makes per input byte.
 * Written by the operator ({@link MapBlocks}), read by the {@link Governor} on its input: the
 * control channel between them, kept apart from the stats that report on them.
 *
 * <p>A finished block fires the listener: a governor that held back for room looks again (an
 * operator that returns its input releases nothing, so the account's room signal stays silent).
 * Thread-safe.
 */
public final class StageLoad {
  private final AtomicLong taken = new AtomicLong();
  private final AtomicLong finished = new AtomicLong();
  private final AtomicLong made = new AtomicLong();
  private final AtomicLong handedOn = new AtomicLong();
  private final AtomicLong bytesIn = new AtomicLong();
  private final AtomicLong bytesOut = new AtomicLong();
  private volatile Runnable listener;

  /** Sets what runs after each finished block (quick and non-blocking; null removes it). */
  public void onFinished(Runnable listener) {
    this.listener = listener;
  }

  /** The operator took a block to process. */
  public void taken() {
    taken.incrementAndGet();
  }

  /**
   * The operator finished a block of {@code inBytes}, making {@code outBytes} of output ({@code
   * made}: whether there is an output block to hand on).
   */
  public void finished(long inBytes, long outBytes, boolean made) {
    bytesIn.addAndGet(inBytes);
    bytesOut.addAndGet(outBytes);
    if (made) {
      this.made.incrementAndGet();
    }
    finished.incrementAndGet();
    Runnable r = listener;
    if (r != null) {
      r.run();
    }
  }

  /** An output left the operator downstream. */
  public void handedOn() {
    handedOn.incrementAndGet();
  }

  /** Blocks taken whose output is not made yet. */
  public long inProcess() {
    return Math.max(0, taken.get() - finished.get());
  }

  /** Outputs made and not yet handed on. */
  public long waitingOutputs() {
    return Math.max(0, made.get() - handedOn.get());
  }

  /** Output bytes per input byte so far, or -1 before the first block finished. */
  public double outputRatio() {
    long in = bytesIn.get();
    return finished.get() == 0 || in == 0 ? -1 : bytesOut.get() / (double) in;
  }

  @Override
  public String toString() {
    return "StageLoad[" + inProcess() + " in process, " + waitingOutputs() + " waiting, ratio "
        + outputRatio() + "]";
  }
}
