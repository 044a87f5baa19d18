package dev.tributary.operators;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * The row-level flat map: every input row becomes the zero or more rows a user function returns,
 * cut into blocks of about a target size <em>as they are produced</em> ({@link RowChunks}), each
 * made only when downstream asks for it. One row that expands into millions therefore streams
 * through the memory limit block by block instead of being built on the heap at once.
 *
 * <p>Input blocks are taken one at a time (the next is requested only when the current one's
 * outputs are all emitted); the input's rows are read to the heap and its block released before
 * the function runs. The function's iterables are consumed lazily: return an {@code Iterable}
 * that computes rows on demand for large expansions. Failures of the function are {@link
 * UserFunctionException}s naming the operator and input block.
 */
public final class FlatMapRows implements Function<Flux<Block>, Flux<Block>> {
  private final String name;
  private final Function<Map<String, Object>, ? extends Iterable<Map<String, Object>>> fn;
  private final Account account;
  private final long targetBlockBytes;
  private final OperatorStats stats;
  private final StageLoad load;

  private FlatMapRows(String name,
      Function<Map<String, Object>, ? extends Iterable<Map<String, Object>>> fn, Account account,
      long targetBlockBytes, OperatorStats stats, StageLoad load) {
    this.name = name;
    this.fn = fn;
    this.account = account;
    this.targetBlockBytes = targetBlockBytes;
    this.stats = stats;
    this.load = load;
  }

  /**
   * An operator named {@code name} applying {@code fn} to every row, emitting blocks of about
   * {@code targetBlockBytes} allocated in {@code account}.
   */
  public static FlatMapRows of(String name,
      Function<Map<String, Object>, ? extends Iterable<Map<String, Object>>> fn, Account account,
      long targetBlockBytes) {
    if (targetBlockBytes < 1) {
      throw new IllegalArgumentException("targetBlockBytes must be >= 1, was " + targetBlockBytes);
    }
    return new FlatMapRows(Objects.requireNonNull(name, "name"), Objects.requireNonNull(fn, "fn"),
        Objects.requireNonNull(account, "account"), targetBlockBytes,
        new OperatorStats(name).account(account), new StageLoad());
  }

  /** Reports into {@code stats} instead of the operator's own counters. */
  public FlatMapRows stats(OperatorStats stats) {
    return new FlatMapRows(name, fn, account, targetBlockBytes, stats.account(account), load);
  }

  /**
   * What this operator has in hand (the input block being expanded, output bytes per input
   * byte), for the governor on its input ({@link Governor#feeding(StageLoad)}).
   */
  public StageLoad load() {
    return load;
  }

  @Override
  public Flux<Block> apply(Flux<Block> upstream) {
    Flux<Block> out = Flux.defer(() -> {
      AtomicLong index = new AtomicLong();
      // Prefetch 0: the next input is requested only once this one's outputs are emitted.
      return upstream.concatMap(b -> expand(b, index.getAndIncrement()), 0);
    });
    return stats.instrument(out).doOnDiscard(Block.class, Block::release);
  }

  private Flux<Block> expand(Block received, long index) {
    List<Map<String, Object>> rows;
    long inBytes;
    try (Block in = received.transferTo(account)) {
      stats.recordIn(in);
      inBytes = in.sizeBytes();
      rows = Rows.read(in);
    } catch (RuntimeException e) {
      received.release();
      throw e;
    }
    load.taken();
    // Outputs are made only as downstream asks, so none waits here: each is handed on as made.
    AtomicLong outBytes = new AtomicLong();
    return RowChunks.of(new Expansion(rows.iterator(), index), null, account, targetBlockBytes,
        RowChunks.DEFAULT_MAX_ROWS)
        .doOnNext(b -> outBytes.addAndGet(b.sizeBytes()))
        .onErrorMap(e -> UserCalls.failure(name, index, e))
        .doFinally(signal -> load.finished(inBytes, outBytes.get(), false));
  }

  /** The function's rows for each input row in turn, computed as they are asked for. */
  private final class Expansion implements Iterator<Map<String, Object>> {
    private final Iterator<Map<String, Object>> inputs;
    private final long blockIndex;
    private Iterator<Map<String, Object>> current = Collections.emptyIterator();

    Expansion(Iterator<Map<String, Object>> inputs, long blockIndex) {
      this.inputs = inputs;
      this.blockIndex = blockIndex;
    }

    @Override
    public boolean hasNext() {
      try {
        while (!current.hasNext()) {
          if (!inputs.hasNext()) {
            return false;
          }
          Map<String, Object> row = inputs.next();
          Iterable<Map<String, Object>> produced = stats.timeUser(() -> fn.apply(row));
          current = produced == null ? Collections.emptyIterator() : produced.iterator();
        }
        return true;
      } catch (RuntimeException | Error e) {
        throw UserCalls.failure(name, blockIndex, e);
      }
    }

    @Override
    public Map<String, Object> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      try {
        return current.next();
      } catch (RuntimeException | Error e) {
        throw UserCalls.failure(name, blockIndex, e);
      }
    }
  }

  @Override
  public String toString() {
    return "FlatMapRows[" + name + "]";
  }
}
