package dev.tributary.memory;

/**
 * Names one block written to a {@link SpillStore}: what {@link SpillStore#put(Block)} returns and
 * {@link SpillStore#get(SpillHandle, Account)} takes back.
 *
 * @param id the block's key in the store
 * @param chunks how many chunks its IPC bytes were cut into
 * @param bytes the size of its Arrow IPC bytes on disk
 * @param rowCount the block's row count
 * @param blockBytes the off-heap bytes the block held when spilled
 */
public record SpillHandle(long id, int chunks, long bytes, int rowCount, long blockBytes) {}
