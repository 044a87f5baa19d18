package dev.tributary.memory;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The accounts of one execution's operators, opened together in one arena, and the most bytes
 * they held at once: an execution's own peak, which the arena's peak cannot give when several
 * executions share the arena or one ran before.
 *
 * <p>The peak is the sum of the group's accounts, taken after every allocation in one of them and
 * every block moved into one, the only moments they grow. A block moving between two accounts of
 * the group is counted once when it arrives (an allocation racing the move may see it in both for
 * that instant, as Arrow's own accountants do).
 */
public final class AccountGroup {
  private final Arena arena;
  private final List<Account> accounts = new CopyOnWriteArrayList<>();
  private final AtomicLong peak = new AtomicLong();

  /** An empty group of accounts of {@code arena}. */
  public AccountGroup(Arena arena) {
    this.arena = Objects.requireNonNull(arena, "arena");
  }

  /** Opens an account of this group whose budget and hard limit are the arena's limit. */
  public Account open(String name) {
    Account account = arena.openAccount(name, arena.limitBytes(), arena.limitBytes(), this);
    accounts.add(account);
    return account;
  }

  /** The accounts opened so far, in opening order. */
  public List<Account> accounts() {
    return List.copyOf(accounts);
  }

  /** Bytes the group's accounts hold now. */
  public long heldBytes() {
    long held = 0;
    for (Account a : accounts) {
      held += a.heldBytes();
    }
    return held;
  }

  /** The most bytes the group's accounts held at once. */
  public long peakBytes() {
    return peak.get();
  }

  void sample() {
    long held = heldBytes();
    if (held > peak.get()) {
      peak.accumulateAndGet(held, Math::max);
    }
  }

  @Override
  public String toString() {
    return "AccountGroup[" + accounts.size() + " accounts, " + Bytes.format(heldBytes())
        + " held, " + Bytes.format(peakBytes()) + " peak]";
  }
}
