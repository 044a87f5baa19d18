package dev.tributary.gpu;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * One device's dedicated thread: a single-thread scheduler whose thread attaches the device on
 * first use (so its CUDA context is current on that thread and no other), holds its {@link
 * DeviceArena}, and detaches it when the worker shuts down.
 */
final class DeviceWorker {
  private static final ThreadLocal<DeviceWorker> CURRENT = new ThreadLocal<>();

  private final DeviceBackend backend;
  private final double memoryFraction;
  private final Scheduler scheduler;
  private volatile DeviceArena arena;
  private boolean attached;

  DeviceWorker(String threadName, DeviceBackend backend, double memoryFraction) {
    this.backend = backend;
    this.memoryFraction = memoryFraction;
    ThreadFactory threads = task -> {
      Thread t = new Thread(() -> {
        CURRENT.set(this);
        task.run();
      }, threadName);
      t.setDaemon(true);
      return t;
    };
    this.scheduler = Schedulers.newSingle(threads);
  }

  /** The worker whose thread this is, or null off device threads. */
  static DeviceWorker current() {
    return CURRENT.get();
  }

  Scheduler scheduler() {
    return scheduler;
  }

  /** The arena, or null before the first call attached the device. */
  DeviceArena arena() {
    return arena;
  }

  String name() {
    return backend.name();
  }

  /** A call-scoped device for stage {@code stage}; on this worker's thread. */
  Device open(String stage) {
    if (!attached) {
      backend.attach();
      attached = true;
      arena = DeviceArena.ofFreeMemory(backend.allocator(), memoryFraction);
    }
    return new Device(backend.name(), true, arena.open(stage), backend.kernels(), null);
  }

  /**
   * Closes the arena and detaches the device on its own thread, then stops the thread.
   *
   * @throws DeviceMemoryLeakException if the arena still held memory (freed now)
   */
  void shutdown() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    scheduler.schedule(() -> {
      try {
        if (attached) {
          try {
            arena.close();
          } finally {
            backend.detach();
          }
        }
        done.complete(null);
      } catch (RuntimeException | Error e) {
        done.completeExceptionally(e);
      }
    });
    try {
      done.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    } finally {
      scheduler.dispose();
    }
  }
}
