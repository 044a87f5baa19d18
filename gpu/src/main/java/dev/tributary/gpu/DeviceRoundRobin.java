package dev.tributary.gpu;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * A stage over several devices: each task (each block's call) goes to the next device's own
 * thread in turn. The runtime owns the devices' schedulers; disposing this view stops nothing.
 */
final class DeviceRoundRobin implements Scheduler {
  private final List<Scheduler> devices;
  private final AtomicInteger next = new AtomicInteger();

  DeviceRoundRobin(List<Scheduler> devices) {
    this.devices = List.copyOf(devices);
  }

  private Scheduler next() {
    return devices.get(Math.floorMod(next.getAndIncrement(), devices.size()));
  }

  @Override
  public Disposable schedule(Runnable task) {
    return next().schedule(task);
  }

  @Override
  public Worker createWorker() {
    return next().createWorker();
  }

  @Override
  public void dispose() {
    // The runtime owns the devices' schedulers.
  }

  @Override
  public void init() {
    // Nothing of its own to start: the devices' schedulers run already.
  }
}
