package dev.tributary.preprocess;

import dev.tributary.Dataset;
import dev.tributary.memory.ColumnException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Concatenates numeric columns into one tensor column (a fixed-size list of float32 per row, what
 * {@code Batch.tensor} hands to a tensor library), dropping them (Ray's {@code Concatenator}).
 * Needs no fitting. A null is refused: impute first.
 */
public final class Concatenator implements Preprocessor {
  /** Ray's name for the output column. */
  public static final String DEFAULT_OUTPUT = "concat_out";

  private List<String> columns;
  private String outputColumn;

  private Concatenator() {
    // for Jackson
  }

  private Concatenator(List<String> columns, String outputColumn) {
    this.columns = columns;
    this.outputColumn = outputColumn;
  }

  /** Concatenates {@code columns} into {@link #DEFAULT_OUTPUT}. */
  public static Concatenator of(String... columns) {
    return new Concatenator(Scaling.columns(columns), DEFAULT_OUTPUT);
  }

  /** The same, into {@code column}. */
  public Concatenator into(String column) {
    return new Concatenator(columns, Objects.requireNonNull(column, "column"));
  }

  /** Itself: it has nothing to learn. */
  @Override
  public Concatenator fit(Dataset dataset) {
    return this;
  }

  @Override
  public boolean fitted() {
    return true;
  }

  @Override
  public Map<String, Object> transformBatch(Map<String, Object> batch) {
    double[][] x = new double[columns.size()][];
    for (int c = 0; c < x.length; c++) {
      String column = columns.get(c);
      if (Columns.hasNulls(batch, column)) {
        throw new ColumnException(column, "has nulls; a tensor has none: impute them first");
      }
      x[c] = Columns.doubles(batch, column);
    }
    int rows = x[0].length;
    float[][] tensor = new float[rows][x.length];
    for (int c = 0; c < x.length; c++) {
      for (int i = 0; i < rows; i++) {
        tensor[i][c] = (float) x[c][i];
      }
    }
    Map<String, Object> out = new LinkedHashMap<>(batch);
    columns.forEach(out::remove);
    out.put(outputColumn, tensor);
    return out;
  }
}
