package dev.tributary.gpu;

import dev.tributary.error.TributaryException;

/**
 * A GPU stage cannot run as asked: a device index the machine does not have, a CUDA call that
 * failed (the message names the call and CUDA's error), or a column a kernel cannot take.
 */
public final class GpuException extends TributaryException {
  private static final long serialVersionUID = 1L;

  GpuException(String message) {
    super(message);
  }

  GpuException(String message, Throwable cause) {
    super(message, cause);
  }
}
