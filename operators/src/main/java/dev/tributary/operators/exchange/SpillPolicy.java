package dev.tributary.operators.exchange;

/** When a {@link LocalExchange} moves held blocks to disk. */
public enum SpillPolicy {
  /** When what it holds passes its budget (the default). */
  WHEN_OVER_BUDGET,
  /** Every block, as it arrives: nothing stays in memory. */
  ALWAYS,
  /** Never: passing the budget fails with {@link InsufficientMemoryException}. */
  NEVER
}
