package dev.tributary.http;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Netty 4.2's adaptive allocator takes a {@code StampedLock} for a moment when it grows its
 * magazines on an event loop; Netty's own BlockHound integration does not list it yet. Held for
 * a few instructions, it is not blocking I/O: allowed here so the HTTP tests run under BlockHound.
 */
public final class NettyBlockHound implements BlockHoundIntegration {
  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
    builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup",
        "tryExpandMagazines");
  }
}
