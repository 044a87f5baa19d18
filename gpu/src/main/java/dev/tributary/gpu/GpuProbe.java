package dev.tributary.gpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether CUDA devices can be used, found once per process: JCuda's classes and natives, the
 * driver ({@code libcuda.so.1}), at least one device, the kernels' PTX accepted by the driver. Every JCuda class is referenced only from
 * {@link CudaDevice}, which is loaded after this probe succeeded, so nothing fails at
 * class-loading time on a machine without a GPU; the reason it is unavailable is logged once.
 */
final class GpuProbe {
  /** Set to {@code true} to run GPU stages on the CPU even where a device is present. */
  static final String DISABLE_PROPERTY = "tributary.gpu.disabled";

  private static final Logger LOG = LoggerFactory.getLogger(GpuProbe.class);
  private static Status status;

  private GpuProbe() {}

  /**
   * The probe's result.
   *
   * @param devices how many CUDA devices there are (0 when unavailable)
   * @param reason why GPU stages fall back to the CPU, or null when devices are available
   */
  record Status(int devices, String reason) {
    boolean available() {
      return devices > 0;
    }
  }

  /** The result, probed on first use. */
  static synchronized Status status() {
    if (status == null) {
      status = probe();
      if (status.available()) {
        LOG.info("GPU stages run on {} CUDA device(s)", status.devices());
      } else {
        LOG.info("GPU stages run on the CPU (fallback): {}", status.reason());
      }
    }
    return status;
  }

  /**
   * The line of a loading error that says what is missing: JCuda's message nests the stack
   * traces of every attempt; the one naming a shared object (e.g. {@code libcuda.so.1: cannot
   * open shared object file}) is the reason, else its first line.
   */
  static String cause(Throwable e) {
    String message = String.valueOf(e.getMessage());
    return message.lines().filter(l -> l.contains("cannot open shared object")).findFirst()
        .map(GpuProbe::sharedObject)
        .orElse(e.getClass().getSimpleName() + ": " + message.lines().findFirst().orElse(""));
  }

  /** From {@code ...: /tmp/libX.so: libcuda.so.1: cannot open ...}, {@code libcuda.so.1: ...}. */
  private static String sharedObject(String line) {
    int cannot = line.indexOf("cannot open shared object");
    int start = line.lastIndexOf(": ", Math.max(0, cannot - 3));
    return line.substring(start < 0 ? 0 : start + 2).trim();
  }

  private static Status probe() {
    if (Boolean.getBoolean(DISABLE_PROPERTY)) {
      return new Status(0, "disabled by -D" + DISABLE_PROPERTY + "=true");
    }
    try {
      Class.forName("jcuda.driver.JCudaDriver", false, GpuProbe.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return new Status(0, "JCuda is not on the class path (" + cause(e) + ")");
    }
    try {
      int devices = CudaDevice.usableDevices();
      return devices > 0 ? new Status(devices, null)
          : new Status(0, "the CUDA driver reports no device");
    } catch (LinkageError e) {
      // JCudaDriver's natives need libcuda.so.1 (the driver): without it, UnsatisfiedLinkError.
      return new Status(0, "the CUDA driver or JCuda's natives could not be loaded ("
          + cause(e) + ")");
    } catch (GpuException e) {
      return new Status(0, e.getMessage());
    }
  }
}
