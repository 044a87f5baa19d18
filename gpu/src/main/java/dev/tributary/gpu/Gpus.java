package dev.tributary.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import reactor.core.scheduler.Scheduler;

/**
 * The GPU side of a runtime: one worker per CUDA device (a dedicated single-thread scheduler that
 * owns the device's context and its {@link DeviceArena}), or none where devices cannot be used,
 * with the reason. A {@code TributaryRuntime} opens it on the first GPU stage and closes it with
 * itself.
 */
public final class Gpus implements AutoCloseable {
  /** The default share of a device's free memory its arena may hold. */
  public static final double DEFAULT_MEMORY_FRACTION = 0.8;

  private final List<DeviceWorker> workers;
  private final String fallbackReason;
  private volatile boolean closed;

  private Gpus(List<DeviceWorker> workers, String fallbackReason) {
    this.workers = List.copyOf(workers);
    this.fallbackReason = fallbackReason;
  }

  /**
   * The machine's CUDA devices, probed once per process (the reason they cannot be used is logged
   * once), each arena limited to {@code memoryFraction} of the device's free memory when the
   * device is first used. Threads are named {@code <name>-gpu-<index>}.
   *
   * @throws IllegalArgumentException unless {@code 0 < memoryFraction <= 1}
   */
  public static Gpus open(String name, double memoryFraction) {
    checkFraction(memoryFraction);
    GpuProbe.Status status = GpuProbe.status();
    List<DeviceBackend> devices = new ArrayList<>();
    IntStream.range(0, status.devices()).forEach(i -> devices.add(new CudaDevice(i)));
    return of(name, memoryFraction, devices, status.reason());
  }

  /**
   * {@code devices} devices simulated on the host, each with {@code bytesPerDevice} of "device"
   * memory (native host memory) and the host's kernels, each on its own thread like a CUDA
   * device: to test pipelines of GPU stages (threads, device memory accounting, what is left
   * after cancel and error) on machines without a GPU. Their {@link Device}s say {@link
   * Device#isGpu()} true.
   *
   * @throws IllegalArgumentException unless {@code devices >= 1}, {@code bytesPerDevice >= 1}
   *     and {@code 0 < memoryFraction <= 1}
   */
  public static Gpus simulated(String name, int devices, long bytesPerDevice,
      double memoryFraction) {
    checkFraction(memoryFraction);
    if (devices < 1 || bytesPerDevice < 1) {
      throw new IllegalArgumentException("devices and bytesPerDevice must be >= 1, were "
          + devices + " and " + bytesPerDevice);
    }
    List<DeviceBackend> simulated = new ArrayList<>();
    IntStream.range(0, devices).forEach(i -> simulated.add(
        new SimulatedDevice("simulated:" + i, bytesPerDevice)));
    return of(name, memoryFraction, simulated, null);
  }

  /**
   * Checks {@code compute} against this machine when the plan is built: probes the devices (once
   * per process; it may load native libraries, so this is where a pipeline is built, not on a
   * stream's thread) and refuses a device index the machine does not have. Without any usable
   * device nothing is refused: the stage will run on the CPU.
   *
   * @throws GpuException if the machine has devices but not one that {@code compute} names
   */
  public static void check(GpuCompute compute) {
    int devices = GpuProbe.status().devices();
    for (int d : compute.devices()) {
      if (devices > 0 && d >= devices) {
        throw noSuchDevice(compute, d, devices);
      }
    }
  }

  private static GpuException noSuchDevice(GpuCompute compute, int device, int devices) {
    return new GpuException(compute + " names device " + device + ", but this machine has "
        + devices + " CUDA device(s): 0 to " + (devices - 1));
  }

  /** Workers over the given backends (tests plug in fake devices here). */
  static Gpus of(String name, double memoryFraction, List<DeviceBackend> devices,
      String fallbackReason) {
    List<DeviceWorker> workers = new ArrayList<>();
    for (int i = 0; i < devices.size(); i++) {
      workers.add(new DeviceWorker(name + "-gpu-" + i, devices.get(i), memoryFraction));
    }
    return new Gpus(workers, devices.isEmpty() ? fallbackReason : null);
  }

  /** How many devices GPU stages can use (0: they run on the CPU). */
  public int deviceCount() {
    return workers.size();
  }

  /** Why GPU stages run on the CPU, or null when devices are used. */
  public String fallbackReason() {
    return fallbackReason;
  }

  /**
   * The scheduler a stage with {@code compute} runs its calls on: the device's own thread, or
   * the devices' threads in turn; null when there is no device (the stage runs on the CPU).
   *
   * @throws GpuException if a device index is not one of this machine's devices
   */
  public Scheduler scheduler(GpuCompute compute) {
    if (closed) {
      throw new IllegalStateException("the runtime's GPU workers are closed");
    }
    if (workers.isEmpty()) {
      return null;
    }
    List<Scheduler> chosen = new ArrayList<>();
    for (int d : compute.devices()) {
      if (d >= workers.size()) {
        throw noSuchDevice(compute, d, workers.size());
      }
      chosen.add(workers.get(d).scheduler());
    }
    return chosen.size() == 1 ? chosen.get(0) : new DeviceRoundRobin(chosen);
  }

  /** The device bytes held now on all devices. */
  public long heldBytes() {
    return workers.stream().map(DeviceWorker::arena)
        .mapToLong(a -> a == null ? 0 : a.heldBytes()).sum();
  }

  /** The arenas of the devices used so far (a device's arena opens on its first call). */
  public List<DeviceArena> arenas() {
    return workers.stream().map(DeviceWorker::arena).filter(a -> a != null).toList();
  }

  /**
   * Closes every device's arena and context on its own thread, then stops the threads. Blocks.
   *
   * @throws DeviceMemoryLeakException if an arena still held memory (freed now), the first
   *     with the others suppressed
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException first = null;
    for (DeviceWorker worker : workers) {
      try {
        worker.shutdown();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  static void checkFraction(double memoryFraction) {
    if (!(memoryFraction > 0 && memoryFraction <= 1)) {
      throw new IllegalArgumentException("memoryFraction must be in (0, 1], was "
          + memoryFraction);
    }
  }

  @Override
  public String toString() {
    return "Gpus[" + (workers.isEmpty() ? "CPU fallback: " + fallbackReason
        : workers.stream().map(DeviceWorker::name).toList()) + "]";
  }
}
