package dev.tributary.memory;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Completes Reactor's own BlockHound integration for a race every pipeline can meet: a task
 * scheduled on a worker that is disposed at that moment (a stream cancelled or completed while
 * it requests more) is cancelled inside {@code WorkerTask.setFuture}, which removes it from the
 * executor's queue under the queue's lock. Reactor allows the same lock in {@code
 * WorkerTask.dispose}; a thread finding it held parks for the few instructions another holds it,
 * not for I/O. Seen as {@code Unsafe.park} under {@code ExecutionWork.Task.start} on a
 * non-blocking thread. Loaded by BlockHound's service loader, only where BlockHound is installed.
 */
public final class SchedulerBlockHound implements BlockHoundIntegration {
  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside("reactor.core.scheduler.WorkerTask", "setFuture");
    builder.allowBlockingCallsInside("reactor.core.scheduler.SchedulerTask", "setFuture");
  }
}
