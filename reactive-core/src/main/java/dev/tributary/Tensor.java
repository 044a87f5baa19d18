package dev.tributary;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * A fixed-size-list column of a batch as one dense tensor, for tensor libraries: a direct
 * buffer over the Arrow memory (zero-copy, little-endian, row-major) and its shape, rows first
 * ({@code [rows, d1, d2, ...]} for nested fixed-size lists). Valid as long as its batch: copy it
 * to keep it.
 */
public final class Tensor {
  private final ByteBuffer data;
  private final int[] shape;
  private final ArrowType.FloatingPoint floating;
  private final ArrowType elementType;

  Tensor(ByteBuffer data, int[] shape, ArrowType elementType) {
    this.data = data.order(ByteOrder.LITTLE_ENDIAN);
    this.shape = shape.clone();
    this.elementType = elementType;
    this.floating = elementType instanceof ArrowType.FloatingPoint f ? f : null;
  }

  /** The raw bytes (a direct, read-only view). */
  public ByteBuffer bytes() {
    return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The shape, rows first. */
  public int[] shape() {
    return shape.clone();
  }

  /** The elements' Arrow type. */
  public ArrowType elementType() {
    return elementType;
  }

  /** The elements as floats. @throws IllegalStateException unless they are float32 */
  public FloatBuffer floats() {
    require(floating != null && floating.getPrecision()
        == org.apache.arrow.vector.types.FloatingPointPrecision.SINGLE, "float32");
    return bytes().asFloatBuffer();
  }

  /** The elements as doubles. @throws IllegalStateException unless they are float64 */
  public DoubleBuffer doubles() {
    require(floating != null && floating.getPrecision()
        == org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE, "float64");
    return bytes().asDoubleBuffer();
  }

  /** The elements as ints. @throws IllegalStateException unless they are int32 */
  public IntBuffer ints() {
    require(elementType instanceof ArrowType.Int i && i.getBitWidth() == 32, "int32");
    return bytes().asIntBuffer();
  }

  /** The elements as longs. @throws IllegalStateException unless they are int64 */
  public LongBuffer longs() {
    require(elementType instanceof ArrowType.Int i && i.getBitWidth() == 64, "int64");
    return bytes().asLongBuffer();
  }

  private void require(boolean ok, String type) {
    if (!ok) {
      throw new IllegalStateException("the tensor's elements are " + elementType + ", not "
          + type);
    }
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape) + " of " + elementType;
  }
}
