package dev.tributary.operators.aggregate;

/** Row orders by group id: the rows of each group together, in their original order. */
final class GroupRows {
  private GroupRows() {}

  /** The row indices of {@code rows} rows ordered by {@code groupOf}, stable (a counting sort). */
  static int[] order(int[] groupOf, int rows) {
    int max = 0;
    for (int i = 0; i < rows; i++) {
      max = Math.max(max, groupOf[i]);
    }
    int[] starts = new int[max + 2];
    for (int i = 0; i < rows; i++) {
      starts[groupOf[i] + 1]++;
    }
    for (int g = 0; g <= max; g++) {
      starts[g + 1] += starts[g];
    }
    int[] order = new int[rows];
    for (int i = 0; i < rows; i++) {
      order[starts[groupOf[i]]++] = i;
    }
    return order;
  }
}
