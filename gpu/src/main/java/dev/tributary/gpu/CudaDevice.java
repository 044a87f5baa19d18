package dev.tributary.gpu;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * A CUDA device through JCuda's driver API: its primary context made current on the device's
 * worker thread, the kernels loaded from the PTX resource ({@code cuModuleLoadData}, JIT-compiled
 * by the driver: no CUDA toolkit needed on the host). The only class that names JCuda types; it
 * is loaded only after {@link GpuProbe} found JCuda on the class path.
 */
final class CudaDevice implements DeviceBackend {
  /** The PTX resource: generated from src/main/cuda by gpu/ptx.sh. */
  static final String PTX = "tributary_kernels.ptx";
  private static final int THREADS = 256;
  private static final int TILE = 16;
  /** Host copies go through direct-buffer views of at most this many bytes each. */
  private static final long COPY_CHUNK = 1L << 30;

  private final int index;
  private final CUdevice device = new CUdevice();
  private final CUcontext context = new CUcontext();
  private final CUmodule module = new CUmodule();
  private final Map<String, CUfunction> functions = new HashMap<>();
  private final Map<Long, CUdeviceptr> pointers = new HashMap<>();
  private final Allocator allocator = new Allocator();
  private final CudaKernels kernels = new CudaKernels();
  private long nextHandle = 1;
  private String name;

  CudaDevice(int index) {
    this.index = index;
    this.name = "cuda:" + index;
  }

  /**
   * Initialises the driver, counts devices, and checks that device 0 JIT-compiles the kernels'
   * PTX (a driver too old for its ISA would refuse it): the devices GPU stages can use.
   *
   * @throws LinkageError if the driver or JCuda's natives cannot be loaded
   * @throws GpuException if the driver refuses to initialise (no device, too old for JCuda) or
   *     to load the kernels
   */
  static int usableDevices() {
    check(cuInit(0), "cuInit");
    int[] count = {0};
    check(cuDeviceGetCount(count), "cuDeviceGetCount");
    if (count[0] > 0) {
      CUdevice first = new CUdevice();
      check(cuDeviceGet(first, 0), "cuDeviceGet(0)");
      CUcontext primary = new CUcontext();
      check(cuDevicePrimaryCtxRetain(primary, first), "cuDevicePrimaryCtxRetain");
      try {
        check(cuCtxSetCurrent(primary), "cuCtxSetCurrent");
        CUmodule probe = new CUmodule();
        check(cuModuleLoadData(probe, ptx()), "cuModuleLoadData(" + PTX + ")");
        cuModuleUnload(probe);
      } finally {
        // Leave the probing thread without a current context: devices live on their workers.
        cuCtxSetCurrent(new CUcontext());
        cuDevicePrimaryCtxRelease(first);
      }
    }
    return count[0];
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void attach() {
    check(cuDeviceGet(device, index), "cuDeviceGet(" + index + ")");
    byte[] model = new byte[256];
    check(cuDeviceGetName(model, model.length, device), "cuDeviceGetName");
    name = "cuda:" + index + " " + new String(model, StandardCharsets.US_ASCII).trim()
        .replace("\0", "");
    check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
    check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    check(cuModuleLoadData(module, ptx()), "cuModuleLoadData(" + PTX + ")");
  }

  @Override
  public DeviceAllocator allocator() {
    return allocator;
  }

  @Override
  public Kernels kernels() {
    return kernels;
  }

  @Override
  public void detach() {
    pointers.values().forEach(p -> cuMemFree(p));
    pointers.clear();
    cuModuleUnload(module);
    cuDevicePrimaryCtxRelease(device);
  }

  private static String ptx() {
    try (InputStream in = CudaDevice.class.getResourceAsStream(PTX)) {
      if (in == null) {
        throw new GpuException("the kernels' resource " + PTX + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private CUfunction function(String kernel) {
    return functions.computeIfAbsent(kernel, k -> {
      CUfunction f = new CUfunction();
      check(cuModuleGetFunction(f, module, k), "cuModuleGetFunction(" + k + ")");
      return f;
    });
  }

  private CUdeviceptr pointer(long handle) {
    CUdeviceptr p = pointers.get(handle);
    if (p == null) {
      throw new IllegalStateException("no device memory of handle " + handle + " on " + name);
    }
    return p;
  }

  private static void check(int result, String call) {
    if (result != CUresult.CUDA_SUCCESS) {
      throw new GpuException(call + " failed: " + CUresult.stringFor(result));
    }
  }

  private static int blocks(long n) {
    return (int) Math.max(1, Math.min((n + THREADS - 1) / THREADS, 65_535));
  }

  private final class Allocator implements DeviceAllocator {
    @Override
    public String device() {
      return name;
    }

    @Override
    public long freeBytes() {
      long[] free = {0};
      long[] total = {0};
      check(cuMemGetInfo(free, total), "cuMemGetInfo");
      return free[0];
    }

    @Override
    public long allocate(long bytes) {
      CUdeviceptr p = new CUdeviceptr();
      int result = cuMemAlloc(p, bytes);
      if (result == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
        return 0;
      }
      check(result, "cuMemAlloc(" + bytes + ")");
      long handle = nextHandle++;
      pointers.put(handle, p);
      return handle;
    }

    @Override
    public void free(long handle) {
      CUdeviceptr p = pointers.remove(handle);
      if (p != null) {
        check(cuMemFree(p), "cuMemFree");
      }
    }

    @Override
    public void copyToDevice(long handle, long offset, long hostAddress, long bytes) {
      CUdeviceptr base = pointer(handle);
      for (long done = 0; done < bytes; done += COPY_CHUNK) {
        int n = (int) Math.min(COPY_CHUNK, bytes - done);
        check(cuMemcpyHtoD(base.withByteOffset(offset + done),
            Pointer.to(MemoryUtil.directBuffer(hostAddress + done, n)), n), "cuMemcpyHtoD");
      }
    }

    @Override
    public void copyToHost(long hostAddress, long handle, long offset, long bytes) {
      CUdeviceptr base = pointer(handle);
      for (long done = 0; done < bytes; done += COPY_CHUNK) {
        int n = (int) Math.min(COPY_CHUNK, bytes - done);
        check(cuMemcpyDtoH(Pointer.to(MemoryUtil.directBuffer(hostAddress + done, n)),
            base.withByteOffset(offset + done), n), "cuMemcpyDtoH");
      }
    }
  }

  private final class CudaKernels implements Kernels {
    @Override
    public void elementwise(Arithmetic op, int bytes, long a, long b, long out, long n) {
      launch(op.kernel(bytes), blocks(n), 1, THREADS, 1, Pointer.to(
          Pointer.to(pointer(a)), Pointer.to(pointer(b)), Pointer.to(pointer(out)),
          Pointer.to(new long[] {n})));
    }

    @Override
    public void matmul(long a, long b, long c, int m, int k, int n) {
      launch("matmul_f32", (m + TILE - 1) / TILE, (n + TILE - 1) / TILE, TILE, TILE,
          Pointer.to(Pointer.to(pointer(a)), Pointer.to(pointer(b)), Pointer.to(pointer(c)),
              Pointer.to(new int[] {m}), Pointer.to(new int[] {k}), Pointer.to(new int[] {n})));
    }

    @Override
    public void biasActivation(long x, long bias, int m, int n, boolean relu) {
      launch("bias_act_f32", blocks((long) m * n), 1, THREADS, 1, Pointer.to(
          Pointer.to(pointer(x)), Pointer.to(pointer(bias)), Pointer.to(new int[] {m}),
          Pointer.to(new int[] {n}), Pointer.to(new int[] {relu ? 1 : 0})));
    }

    @Override
    public void synchronize() {
      check(cuCtxSynchronize(), "cuCtxSynchronize");
    }

    private void launch(String kernel, int gridX, int gridY, int blockX, int blockY,
        Pointer parameters) {
      check(cuLaunchKernel(function(kernel), gridX, gridY, 1, blockX, blockY, 1, 0, null,
          parameters, null), "cuLaunchKernel(" + kernel + ")");
    }
  }
}
