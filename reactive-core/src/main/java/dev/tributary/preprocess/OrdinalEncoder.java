package dev.tributary.preprocess;

import dev.tributary.Dataset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces each column's values by their index among the column's distinct values, sorted (Ray's
 * {@code OrdinalEncoder}); int64 out. Nulls, and values not seen when fitting, become null.
 */
public final class OrdinalEncoder implements Preprocessor {
  private List<String> columns;
  /** Per column, its categories in index order (as text keys); null until fitted. */
  private Map<String, List<String>> categories;

  private OrdinalEncoder() {
    // for Jackson
  }

  private OrdinalEncoder(List<String> columns, Map<String, List<String>> categories) {
    this.columns = columns;
    this.categories = categories;
  }

  /** An unfitted encoder of {@code columns}. */
  public static OrdinalEncoder of(String... columns) {
    return new OrdinalEncoder(Scaling.columns(columns), null);
  }

  @Override
  public OrdinalEncoder fit(Dataset dataset) {
    Categories[] found = Categories.fit(dataset, columns);
    Map<String, List<String>> fitted = new LinkedHashMap<>();
    for (int i = 0; i < found.length; i++) {
      fitted.put(columns.get(i), found[i].sortedKeys());
    }
    return new OrdinalEncoder(columns, fitted);
  }

  @Override
  public boolean fitted() {
    return categories != null;
  }

  /** The categories of {@code column} in index order, as text. */
  public List<String> categories(String column) {
    requireFitted();
    return categories.get(column);
  }

  @Override
  public Map<String, Object> transformBatch(Map<String, Object> batch) {
    requireFitted();
    Map<String, Object> out = new LinkedHashMap<>(batch);
    for (String column : columns) {
      out.put(column, Categories.encode(batch, column,
          Categories.indexOf(categories.get(column))));
    }
    return out;
  }
}
