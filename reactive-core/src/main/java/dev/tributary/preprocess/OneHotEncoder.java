package dev.tributary.preprocess;

import dev.tributary.Dataset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces each column by one int64 0/1 column per distinct value, named {@code
 * <column>_<value>}, in sorted value order (Ray's {@code OneHotEncoder}, the column-per-category
 * form). A null, or a value not seen when fitting, has 0 in every column.
 */
public final class OneHotEncoder implements Preprocessor {
  private List<String> columns;
  /** Per column, its categories in order (as text keys); null until fitted. */
  private Map<String, List<String>> categories;

  private OneHotEncoder() {
    // for Jackson
  }

  private OneHotEncoder(List<String> columns, Map<String, List<String>> categories) {
    this.columns = columns;
    this.categories = categories;
  }

  /** An unfitted encoder of {@code columns}. */
  public static OneHotEncoder of(String... columns) {
    return new OneHotEncoder(Scaling.columns(columns), null);
  }

  @Override
  public OneHotEncoder fit(Dataset dataset) {
    Categories[] found = Categories.fit(dataset, columns);
    Map<String, List<String>> fitted = new LinkedHashMap<>();
    for (int i = 0; i < found.length; i++) {
      fitted.put(columns.get(i), found[i].sortedKeys());
    }
    return new OneHotEncoder(columns, fitted);
  }

  @Override
  public boolean fitted() {
    return categories != null;
  }

  @Override
  public Map<String, Object> transformBatch(Map<String, Object> batch) {
    requireFitted();
    Map<String, Object> out = new LinkedHashMap<>(batch);
    for (String column : columns) {
      List<String> keys = categories.get(column);
      Long[] codes = Categories.encode(batch, column, Categories.indexOf(keys));
      long[][] hot = new long[keys.size()][codes.length];
      for (int i = 0; i < codes.length; i++) {
        if (codes[i] != null) {
          hot[codes[i].intValue()][i] = 1;
        }
      }
      out.remove(column);
      for (int k = 0; k < keys.size(); k++) {
        out.put(column + "_" + keys.get(k), hot[k]);
      }
    }
    return out;
  }
}
