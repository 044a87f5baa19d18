package dev.tributary.preprocess;

import dev.tributary.Dataset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces a label column's values by their index among its distinct values, sorted (Ray's
 * {@code LabelEncoder}); int64 out. Nulls, and labels not seen when fitting, become null.
 */
public final class LabelEncoder implements Preprocessor {
  private String labelColumn;
  /** The labels in index order (as text keys); null until fitted. */
  private List<String> classes;

  private LabelEncoder() {
    // for Jackson
  }

  private LabelEncoder(String labelColumn, List<String> classes) {
    this.labelColumn = labelColumn;
    this.classes = classes;
  }

  /** An unfitted encoder of {@code labelColumn}. */
  public static LabelEncoder of(String labelColumn) {
    return new LabelEncoder(Scaling.columns(labelColumn).get(0), null);
  }

  @Override
  public LabelEncoder fit(Dataset dataset) {
    return new LabelEncoder(labelColumn,
        Categories.fit(dataset, List.of(labelColumn))[0].sortedKeys());
  }

  @Override
  public boolean fitted() {
    return classes != null;
  }

  /** The labels in index order, as text. */
  public List<String> classes() {
    requireFitted();
    return classes;
  }

  @Override
  public Map<String, Object> transformBatch(Map<String, Object> batch) {
    requireFitted();
    Map<String, Object> out = new LinkedHashMap<>(batch);
    out.put(labelColumn, Categories.encode(batch, labelColumn, Categories.indexOf(classes)));
    return out;
  }
}
