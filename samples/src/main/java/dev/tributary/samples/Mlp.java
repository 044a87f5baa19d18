package dev.tributary.samples;

import dev.tributary.BatchFunction;
import dev.tributary.gpu.Device;
import dev.tributary.gpu.DeviceBuffer;
import dev.tributary.gpu.GpuBatchFunction;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A small multi-layer perceptron with fixed weights (ReLU between layers, scores out): inputs
 * are the float columns {@code x0..x(k-1)}, outputs the score columns {@code y0..y(n-1)} and the
 * predicted {@code label} (the index of the highest score). It runs as a GPU batch function
 * ({@link #onDevice()}: a matrix multiply and a bias+ReLU kernel per layer, on a CUDA device or
 * the CPU fallback) and as a plain Java batch function ({@link #onCpu()}) to check it against.
 *
 * <p>Weights file (little-endian): the layer count {@code L}, the {@code L + 1} widths, then per
 * layer its weights ({@code in x out}, column-major) and its {@code out} biases, as float32.
 */
public final class Mlp {
  /** The weights resource the sample ships (generated from a seed by the samples' tests). */
  public static final String RESOURCE = "mlp-weights.bin";

  private final int[] widths;
  private final List<float[]> weights;
  private final List<float[]> biases;

  /** An MLP of the given widths (inputs first), weights column-major per layer. */
  public Mlp(int[] widths, List<float[]> weights, List<float[]> biases) {
    this.widths = widths.clone();
    this.weights = List.copyOf(weights);
    this.biases = List.copyOf(biases);
    for (int l = 0; l < layers(); l++) {
      if (weights.get(l).length != widths[l] * widths[l + 1]
          || biases.get(l).length != widths[l + 1]) {
        throw new IllegalArgumentException("layer " + l + " does not match widths "
            + java.util.Arrays.toString(widths));
      }
    }
  }

  /** The MLP of the shipped weights resource. */
  public static Mlp load() {
    try (InputStream in = Mlp.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return read(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads the weights file format (see the class comment). */
  public static Mlp read(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int layers = in.getInt();
    int[] widths = new int[layers + 1];
    for (int i = 0; i <= layers; i++) {
      widths[i] = in.getInt();
    }
    List<float[]> weights = new ArrayList<>();
    List<float[]> biases = new ArrayList<>();
    for (int l = 0; l < layers; l++) {
      float[] w = new float[widths[l] * widths[l + 1]];
      in.asFloatBuffer().get(w);
      in.position(in.position() + 4 * w.length);
      float[] b = new float[widths[l + 1]];
      in.asFloatBuffer().get(b);
      in.position(in.position() + 4 * b.length);
      weights.add(w);
      biases.add(b);
    }
    return new Mlp(widths, weights, biases);
  }

  /** The weights file of this MLP (see the class comment). */
  public byte[] write() {
    int floats = 0;
    for (int l = 0; l < layers(); l++) {
      floats += weights.get(l).length + biases.get(l).length;
    }
    ByteBuffer out = ByteBuffer.allocate(4 * (1 + widths.length + floats))
        .order(ByteOrder.LITTLE_ENDIAN);
    out.putInt(layers());
    for (int w : widths) {
      out.putInt(w);
    }
    for (int l = 0; l < layers(); l++) {
      for (float v : weights.get(l)) {
        out.putFloat(v);
      }
      for (float v : biases.get(l)) {
        out.putFloat(v);
      }
    }
    return out.array();
  }

  /** How many inputs it takes. */
  public int inputs() {
    return widths[0];
  }

  /** How many scores it gives. */
  public int outputs() {
    return widths[widths.length - 1];
  }

  private int layers() {
    return widths.length - 1;
  }

  /**
   * The MLP as a GPU batch function: the inputs uploaded as one column-major matrix straight
   * from the Arrow columns, each layer a matrix multiply then bias (+ReLU but for the last) on
   * the device, the scores downloaded straight into Arrow columns; the label chosen on the host.
   */
  public GpuBatchFunction onDevice() {
    return (batch, device, out) -> {
      int rows = batch.getRowCount();
      List<FieldVector> x = new ArrayList<>();
      for (int i = 0; i < inputs(); i++) {
        x.add(batch.getVector("x" + i));
      }
      DeviceBuffer activations = device.upload(x);
      for (int l = 0; l < layers(); l++) {
        int k = widths[l];
        int n = widths[l + 1];
        DeviceBuffer w = upload(device, weights.get(l), out);
        DeviceBuffer b = upload(device, biases.get(l), out);
        DeviceBuffer next = device.allocate(Math.max(4, 4L * rows * n));
        device.matmul(activations, w, next, rows, k, n);
        device.biasActivation(next, b, rows, n, l < layers() - 1);
        // Free each layer's inputs as soon as the next layer has them (the call frees the rest).
        activations.close();
        w.close();
        b.close();
        activations = next;
      }
      List<FieldVector> columns = new ArrayList<>();
      try {
        for (int j = 0; j < outputs(); j++) {
          Float4Vector y = new Float4Vector("y" + j, out);
          columns.add(y);
          y.allocateNew(rows);
          y.setValueCount(rows);
          device.download(activations, 4L * rows * j, y);
        }
        columns.add(labels(columns, rows, out));
        return new VectorSchemaRoot(columns);
      } catch (RuntimeException | Error e) {
        columns.forEach(FieldVector::close);
        throw e;
      }
    };
  }

  /**
   * The same MLP in plain Java over column batches (float arrays), summing in the same order as
   * the device's kernels: the CPU stage, and the reference the GPU stage is checked against.
   */
  public BatchFunction onCpu() {
    return batch -> {
      int rows = ((float[]) batch.get("x0")).length;
      float[][] activations = new float[inputs()][];
      for (int i = 0; i < inputs(); i++) {
        activations[i] = (float[]) batch.get("x" + i);
      }
      for (int l = 0; l < layers(); l++) {
        int k = widths[l];
        int n = widths[l + 1];
        float[] w = weights.get(l);
        float[][] next = new float[n][rows];
        for (int j = 0; j < n; j++) {
          float[] column = next[j];
          for (int p = 0; p < k; p++) {
            float wpj = w[p + j * k];
            float[] a = activations[p];
            for (int r = 0; r < rows; r++) {
              column[r] += a[r] * wpj;
            }
          }
          float bias = biases.get(l)[j];
          boolean relu = l < layers() - 1;
          for (int r = 0; r < rows; r++) {
            float v = column[r] + bias;
            column[r] = relu && v < 0f ? 0f : v;
          }
        }
        activations = next;
      }
      Map<String, Object> result = new LinkedHashMap<>();
      int[] label = new int[rows];
      for (int j = 0; j < outputs(); j++) {
        result.put("y" + j, activations[j]);
        for (int r = 0; r < rows; r++) {
          if (activations[j][r] > activations[label[r]][r]) {
            label[r] = j;
          }
        }
      }
      result.put("label", label);
      return result;
    };
  }

  private static DeviceBuffer upload(Device device, float[] values, BufferAllocator host) {
    try (ArrowBuf staging = host.buffer(4L * values.length)) {
      for (int i = 0; i < values.length; i++) {
        staging.setFloat(4L * i, values[i]);
      }
      DeviceBuffer buffer = device.allocate(4L * values.length);
      buffer.copyFromHost(0, staging, 0, 4L * values.length);
      return buffer;
    }
  }

  private static IntVector labels(List<FieldVector> scores, int rows, BufferAllocator out) {
    IntVector label = new IntVector("label", out);
    label.allocateNew(rows);
    for (int r = 0; r < rows; r++) {
      int best = 0;
      for (int j = 1; j < scores.size(); j++) {
        if (((Float4Vector) scores.get(j)).get(r) > ((Float4Vector) scores.get(best)).get(r)) {
          best = j;
        }
      }
      label.set(r, best);
    }
    label.setValueCount(rows);
    return label;
  }
}
