package dev.tributary.error;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Thrown when blocks or plans that must share a schema (a union, a sink's blocks, a batch
 * function's output) do not: their column names differ, or a column's types differ other than by
 * a null type (see {@code dev.tributary.columnar.Schemas#unify}).
 */
public final class SchemaMismatchException extends TributaryException {
  private static final long serialVersionUID = 1L;

  /** Reports that {@code where} expected {@code expected} and got {@code actual}. */
  public SchemaMismatchException(String where, Schema expected, Schema actual) {
    super(where + ": schema mismatch; expected " + expected + " but got " + actual
        + ". Cast or select columns so every input has the same names and types.");
  }

  /**
   * Reports that {@code where} expected columns named {@code expected} and got {@code actual}
   * (for plans whose column names are known before their types).
   */
  public SchemaMismatchException(String where, List<String> expected, List<String> actual) {
    super(where + ": columns differ; expected " + expected + " but got " + actual
        + ". Select or rename columns so every input has the same names in the same order.");
  }
}
