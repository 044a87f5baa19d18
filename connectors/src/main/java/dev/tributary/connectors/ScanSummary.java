package dev.tributary.connectors;

import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ParquetSource#summarize} found: the rows its read kept and a {@link ColumnSummary}
 * of each column asked for. A row group's summary is made on its reader's thread; the row
 * groups' summaries are then merged in reading order.
 */
public final class ScanSummary {
  private long rows;
  private final Map<String, ColumnSummary> columns;

  private ScanSummary(Map<String, ColumnSummary> columns) {
    this.columns = columns;
  }

  /** An empty summary asking for {@code columns} (what each of them asks). */
  static ScanSummary of(List<ColumnSummary> columns) {
    Map<String, ColumnSummary> map = new LinkedHashMap<>();
    for (ColumnSummary c : columns) {
      map.put(c.column(), c.empty());
    }
    return new ScanSummary(map);
  }

  /** The rows kept. */
  public long rows() {
    return rows;
  }

  /**
   * The summary of {@code column}.
   *
   * @throws IllegalArgumentException if it was not asked for
   */
  public ColumnSummary column(String column) {
    ColumnSummary c = columns.get(column);
    if (c == null) {
      throw new IllegalArgumentException("column " + column + " was not summarized; the"
          + " summary has " + columns.keySet());
    }
    return c;
  }

  /** The columns summarized, in the order asked. */
  Iterable<ColumnSummary> columns() {
    return columns.values();
  }

  void addRows(long n) {
    rows += n;
  }

  /**
   * Adds a decoded block's rows and values.
   *
   * @throws ColumnException if the block lacks a column asked for, or holds one of another type
   */
  void add(Block block) {
    int n = block.rowCount();
    rows += n;
    for (ColumnSummary c : columns.values()) {
      c.addVector(block.vector(c.column()), n, null);
    }
  }

  /** Adds {@code other}'s rows and values after this one's; returns this summary. */
  ScanSummary merge(ScanSummary other) {
    rows += other.rows;
    for (ColumnSummary c : columns.values()) {
      c.merge(other.columns.get(c.column()));
    }
    return this;
  }

  @Override
  public String toString() {
    return rows + " rows; " + columns.values();
  }
}
