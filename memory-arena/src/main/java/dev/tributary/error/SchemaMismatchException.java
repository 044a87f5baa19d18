package dev.tributary.error;

import org.apache.arrow.vector.types.pojo.Schema;

/** Thrown when blocks that must share a schema (a union, a batch function's output) do not. */
public final class SchemaMismatchException extends TributaryException {
  private static final long serialVersionUID = 1L;

  /** Reports that {@code where} expected {@code expected} and got {@code actual}. */
  public SchemaMismatchException(String where, Schema expected, Schema actual) {
    super(where + ": schema mismatch; expected " + expected + " but got " + actual
        + ". Cast or select columns so every input has the same names and types.");
  }
}
