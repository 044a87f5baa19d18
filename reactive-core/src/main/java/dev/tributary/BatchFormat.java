package dev.tributary;

/** How a batch function sees its batch. */
public enum BatchFormat {
  /** A {@code Map<String, Object>} of column name to Java array (a copy), like Ray's "numpy". */
  COLUMNS,
  /** An Arrow {@code VectorSchemaRoot}, like Ray's "pyarrow". */
  ARROW
}
