package dev.tributary.memory;

/**
 * A snapshot of one account's memory: what it holds, its peak, its budget and hard limit.
 *
 * @param name the account's name
 * @param heldBytes bytes charged to the account now
 * @param peakBytes the most bytes the account held at once
 * @param budgetBytes the governor's target for the account
 * @param hardLimitBytes the bytes no allocation may take the account past
 */
public record AccountUsage(
    String name, long heldBytes, long peakBytes, long budgetBytes, long hardLimitBytes) {

  @Override
  public String toString() {
    return String.format(
        "%s: %s held, %s peak, %s budget", name, Bytes.format(heldBytes), Bytes.format(peakBytes),
        Bytes.format(budgetBytes));
  }
}
