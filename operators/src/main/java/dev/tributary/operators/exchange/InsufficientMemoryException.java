package dev.tributary.operators.exchange;

import dev.tributary.error.TributaryException;
import dev.tributary.memory.Bytes;

/**
 * Thrown when data that must stay in memory (an exchange that may not spill, such as {@code
 * materialize(MEMORY_ONLY)}) does not fit its budget. The message names the operator, what it
 * needed and what it had; spilling (the default storage level) avoids it.
 */
public final class InsufficientMemoryException extends TributaryException {
  private static final long serialVersionUID = 1L;
  private final long neededBytes;
  private final long budgetBytes;

  InsufficientMemoryException(String operator, long neededBytes, long budgetBytes) {
    super(operator + " must hold at least " + Bytes.format(neededBytes) + " in memory but its"
        + " budget is " + Bytes.format(budgetBytes) + " (short by "
        + Bytes.format(neededBytes - budgetBytes) + "); raise the memory limit or allow spilling"
        + " (StorageLevel.MEMORY_AND_DISK)");
    this.neededBytes = neededBytes;
    this.budgetBytes = budgetBytes;
  }

  /** The bytes held when the budget was passed (a lower bound of what the data needs). */
  public long neededBytes() {
    return neededBytes;
  }

  /** The budget it had. */
  public long budgetBytes() {
    return budgetBytes;
  }
}
