package dev.tributary.gpu;

import java.util.List;
import java.util.Objects;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;

/**
 * Where one call of a GPU stage computes: a CUDA device, or the CPU when none can be used (the
 * fallback, with the same kernels written for the host). Its memory is charged to the call's
 * {@link DeviceAccount} and freed when the call ends ({@link #close()}), whatever the function
 * left open.
 *
 * <p>Matrices are column-major: a matrix of {@code m} rows is its columns one after the other,
 * so {@link #upload(List)} of {@code k} Arrow columns of {@code m} rows is an {@code m x k} matrix
 * and {@link #download} of column {@code j} reads from byte offset {@code 4 * m * j}.
 *
 * <p>Copies go straight between Arrow's off-heap buffers and the device. Only the data buffer of
 * a column travels: null slots carry whatever value the column holds there (0 when written by
 * Tributary); {@link #elementwise(Arithmetic, FieldVector, FieldVector, String,
 * BufferAllocator)} keeps nulls null.
 */
public final class Device implements AutoCloseable {
  private final String name;
  private final boolean gpu;
  private final DeviceAccount account;
  private final Kernels kernels;
  private final DeviceArena ownArena;

  Device(String name, boolean gpu, DeviceAccount account, Kernels kernels, DeviceArena ownArena) {
    this.name = name;
    this.gpu = gpu;
    this.account = account;
    this.kernels = kernels;
    this.ownArena = ownArena;
  }

  /**
   * The device of the calling thread for one call of stage {@code stage}: on a GPU stage's device
   * thread, that device (its memory charged to the device's arena); anywhere else, the CPU
   * fallback, its memory allocated from {@code host} (the stage's own host account). Close it
   * when the call ends.
   */
  public static Device open(String stage, BufferAllocator host) {
    Objects.requireNonNull(stage, "stage");
    DeviceWorker worker = DeviceWorker.current();
    if (worker != null) {
      return worker.open(stage);
    }
    DeviceArena arena = DeviceArena.create(new HostAllocator(
        Objects.requireNonNull(host, "host")), Long.MAX_VALUE);
    return new Device("cpu", false, arena.open(stage), HostKernels.INSTANCE, arena);
  }

  /** The device's name: {@code cuda:N <model>}, or {@code cpu} for the fallback. */
  public String name() {
    return name;
  }

  /** Whether this is a CUDA device (false: the CPU fallback). */
  public boolean isGpu() {
    return gpu;
  }

  /** The account this call's device memory is charged to. */
  public DeviceAccount account() {
    return account;
  }

  /** Allocates {@code bytes} of device memory (contents undefined). */
  public DeviceBuffer allocate(long bytes) {
    return account.allocate(bytes);
  }

  /** Copies one fixed-width column's values to the device. */
  public DeviceBuffer upload(FieldVector column) {
    return upload(List.of(column));
  }

  /**
   * Copies fixed-width columns of equal length and width to the device, one after the other: a
   * column-major matrix with a row per value and a column per vector.
   *
   * @throws GpuException if a column is not fixed-width or the columns differ in length or width
   */
  public DeviceBuffer upload(List<? extends FieldVector> columns) {
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("name at least one column");
    }
    int rows = columns.get(0).getValueCount();
    int width = width(columns.get(0));
    for (FieldVector c : columns) {
      if (width(c) != width || c.getValueCount() != rows) {
        throw new GpuException("columns uploaded together must have one width and length: '"
            + c.getName() + "' has " + c.getValueCount() + " values of " + width(c)
            + " bytes, '" + columns.get(0).getName() + "' " + rows + " of " + width);
      }
    }
    long columnBytes = (long) rows * width;
    DeviceBuffer buffer = allocate(Math.max(1, columnBytes * columns.size()));
    for (int j = 0; j < columns.size(); j++) {
      if (columnBytes > 0) {
        buffer.copyFromHost(j * columnBytes, columns.get(j).getDataBuffer(), 0, columnBytes);
      }
    }
    return buffer;
  }

  /**
   * Copies {@code target.getValueCount()} values from {@code source} at byte {@code offset} into
   * the data buffer of {@code target} (fixed-width, allocated by the caller), and marks them set.
   */
  public void download(DeviceBuffer source, long offset, FieldVector target) {
    long bytes = (long) target.getValueCount() * width(target);
    if (bytes > 0) {
      source.copyToHost(offset, target.getDataBuffer(), 0, bytes);
    }
    ArrowBuf validity = target.getValidityBuffer();
    for (int i = 0; i < target.getValueCount(); i++) {
      BitVectorHelper.setBit(validity, i);
    }
  }

  /**
   * {@code out[i] = a[i] op b[i]} for {@code n} elements of {@code elementBytes} bytes (4: float,
   * 8: double).
   */
  public void elementwise(Arithmetic op, DeviceBuffer a, DeviceBuffer b, DeviceBuffer out,
      int elementBytes, long n) {
    if (elementBytes != 4 && elementBytes != 8) {
      throw new IllegalArgumentException("elementBytes must be 4 or 8, was " + elementBytes);
    }
    long bytes = n * elementBytes;
    fits(a, bytes, "a");
    fits(b, bytes, "b");
    fits(out, bytes, "out");
    if (n > 0) {
      kernels.elementwise(op, elementBytes, a.handle(), b.handle(), out.handle(), n);
    }
  }

  /**
   * {@code a op b} on two float (or two double) columns of equal length, computed on this device:
   * a new column named {@code name} allocated from {@code out}, null where either input is null.
   *
   * @throws GpuException if the columns are not both float4 or both float8, or differ in length
   */
  public FieldVector elementwise(Arithmetic op, FieldVector a, FieldVector b, String name,
      BufferAllocator out) {
    boolean floats = a instanceof Float4Vector && b instanceof Float4Vector;
    if (!floats && !(a instanceof Float8Vector && b instanceof Float8Vector)
        || a.getValueCount() != b.getValueCount()) {
      throw new GpuException("element-wise " + op + " takes two float or two double columns of"
          + " one length: '" + a.getName() + "' is " + a.getField().getType() + " of "
          + a.getValueCount() + ", '" + b.getName() + "' " + b.getField().getType() + " of "
          + b.getValueCount());
    }
    int n = a.getValueCount();
    FieldVector result = floats ? new Float4Vector(name, out) : new Float8Vector(name, out);
    try {
      ((BaseFixedWidthVector) result).allocateNew(n);
      result.setValueCount(n);
      try (DeviceBuffer x = upload(a); DeviceBuffer y = upload(b);
          DeviceBuffer z = allocate(Math.max(1, (long) n * width(a)))) {
        elementwise(op, x, y, z, width(a), n);
        download(z, 0, result);
      }
      // Null where either input is null: the AND of the validity bitmaps, word by word.
      ArrowBuf valid = result.getValidityBuffer();
      ArrowBuf va = a.getValidityBuffer();
      ArrowBuf vb = b.getValidityBuffer();
      int bytes = BitVectorHelper.getValidityBufferSizeFromCount(n);
      for (int i = 0; i < bytes; i++) {
        valid.setByte(i, va.getByte(i) & vb.getByte(i));
      }
      return result;
    } catch (RuntimeException | Error e) {
      result.close();
      throw e;
    }
  }

  /** {@code c[m x n] = a[m x k] * b[k x n]}, float32, column-major. */
  public void matmul(DeviceBuffer a, DeviceBuffer b, DeviceBuffer c, int m, int k, int n) {
    if (m < 0 || k < 0 || n < 0) {
      throw new IllegalArgumentException("dimensions must be >= 0, were " + m + "x" + k + "x" + n);
    }
    fits(a, 4L * m * k, "a");
    fits(b, 4L * k * n, "b");
    fits(c, 4L * m * n, "c");
    if ((long) m * n > 0) {
      kernels.matmul(a.handle(), b.handle(), c.handle(), m, k, n);
    }
  }

  /** {@code x[m x n] += bias[n]} per column, then {@code max(x, 0)} if {@code relu}; float32. */
  public void biasActivation(DeviceBuffer x, DeviceBuffer bias, int m, int n, boolean relu) {
    fits(x, 4L * m * n, "x");
    fits(bias, 4L * n, "bias");
    if ((long) m * n > 0) {
      kernels.biasActivation(x.handle(), bias.handle(), m, n, relu);
    }
  }

  /** Waits for the kernels launched so far, then frees the call's device memory. */
  @Override
  public void close() {
    try {
      kernels.synchronize();
    } finally {
      account.close();
      if (ownArena != null) {
        ownArena.close();
      }
    }
  }

  private static void fits(DeviceBuffer buffer, long bytes, String what) {
    if (buffer.bytes() < bytes) {
      throw new IllegalArgumentException(what + " holds " + buffer.bytes() + " bytes, needs "
          + bytes);
    }
  }

  private static int width(FieldVector column) {
    if (!(column instanceof BaseFixedWidthVector v) || v.getTypeWidth() == 0) {
      throw new GpuException("column '" + column.getName() + "' is "
          + column.getField().getType() + ": only fixed-width columns go to a device");
    }
    return v.getTypeWidth();
  }

  @Override
  public String toString() {
    return "Device[" + name + ", " + account.heldBytes() + " bytes held]";
  }
}
