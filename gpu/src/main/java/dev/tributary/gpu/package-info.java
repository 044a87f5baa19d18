/**
 * GPU stages: the {@link dev.tributary.gpu.GpuCompute} strategy for batch functions ({@code
 * Dataset.mapBatches(GpuBatchFunction, GpuCompute)}), one dedicated thread per CUDA device
 * ({@link dev.tributary.gpu.Gpus}, owned by the runtime) so a context never changes threads,
 * device memory as an account ({@link dev.tributary.gpu.DeviceArena}, {@link
 * dev.tributary.gpu.DeviceAccount}, {@link dev.tributary.gpu.DeviceBuffer}) with copies straight
 * from Arrow's off-heap buffers, and kernels (element-wise arithmetic, a dense matrix multiply)
 * shipped as PTX and JIT-compiled by the driver through JCuda's driver API.
 *
 * <p>Without a usable device (no GPU, no driver, no JCuda natives, a driver that refuses the
 * kernels' PTX, or {@code
 * -Dtributary.gpu.disabled=true}) the same functions run on the CPU ({@link
 * dev.tributary.gpu.Device#isGpu()} false) with host kernels and the same results; the reason is
 * logged once. JCuda classes are touched only after a probe succeeded, so nothing fails at
 * class-loading time.
 */
package dev.tributary.gpu;
