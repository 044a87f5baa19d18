package dev.tributary;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * A JDK executor starts its thread on the first task it is given ({@code addWorker}), under the
 * executor's main lock; a thread of the same executor leaving at that moment holds that lock in
 * {@code processWorkerExit}, which Reactor's own integration already allows for the same reason.
 * The scheduling thread then parks for the few instructions the other holds it: not blocking I/O.
 * Seen once under load as {@code Unsafe.park} under {@code ExecutionWork.Task.start} (a task
 * handed to a fresh bounded-elastic worker from a parallel thread).
 */
public final class SchedulerBlockHound implements BlockHoundIntegration {
  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "addWorker");
  }
}
