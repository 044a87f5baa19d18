package dev.tributary.gpu;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The GPU compute strategy of a batch stage: the CUDA devices it runs on. Each device has one
 * dedicated thread (a single-thread scheduler owned by the runtime), so a CUDA context never
 * changes threads; blocks go to the devices in turn. Where no device can be used (no GPU, no
 * driver, no JCuda natives) the stage runs on the CPU instead, with the same results; the reason
 * is logged once.
 *
 * @param devices the device indices (distinct, 0-based), in the order blocks go to them
 */
public record GpuCompute(List<Integer> devices) {
  /**
   * Checks the devices.
   *
   * @throws IllegalArgumentException if there is none, one is negative or one is repeated
   */
  public GpuCompute {
    devices = List.copyOf(devices);
    if (devices.isEmpty()) {
      throw new IllegalArgumentException("name at least one device");
    }
    if (devices.stream().anyMatch(d -> d < 0)
        || devices.stream().distinct().count() != devices.size()) {
      throw new IllegalArgumentException("devices must be distinct and >= 0, were " + devices);
    }
  }

  /** Runs on the given devices; {@code gpu()} is device 0. */
  public static GpuCompute gpu(int... devices) {
    return new GpuCompute(devices.length == 0 ? List.of(0)
        : Arrays.stream(devices).boxed().toList());
  }

  /** {@code gpu(0, 1)}: how plans show it. */
  @Override
  public String toString() {
    return devices.stream().map(String::valueOf).collect(Collectors.joining(", ", "gpu(", ")"));
  }
}
