package dev.tributary.operators.join;

import dev.tributary.error.TributaryException;
import org.apache.arrow.vector.types.pojo.ArrowType;

/** A join key whose Arrow type differs between the two sides: equal values could never match. */
public final class JoinKeyMismatchException extends TributaryException {
  private final String key;
  private final transient ArrowType left;
  private final transient ArrowType right;

  /** The key {@code key} is of type {@code left} on the left and {@code right} on the right. */
  public JoinKeyMismatchException(String key, ArrowType left, ArrowType right) {
    super("join key '" + key + "' is " + left + " on the left but " + right
        + " on the right; cast one side (mapBatches, withColumn) so both have the same type");
    this.key = key;
    this.left = left;
    this.right = right;
  }

  /** The key column. */
  public String key() {
    return key;
  }

  /** Its type on the left. */
  public ArrowType leftType() {
    return left;
  }

  /** Its type on the right. */
  public ArrowType rightType() {
    return right;
  }
}
