package dev.tributary.memory;

/**
 * Names one block written to a {@link SpillStore}: what {@link SpillStore#put(Block)} returns and
 * {@link SpillStore#get(SpillHandle, Account)} takes back.
 *
 * @param id the block's key in the store
 * @param chunks how many I/O pieces (of the store's chunk size at most) its buffers were written in
 * @param bytes the size of its raw Arrow buffers on disk (the record-batch body, 8-byte aligned)
 * @param rowCount the block's row count
 * @param blockBytes the off-heap bytes the block held when spilled
 */
public record SpillHandle(long id, int chunks, long bytes, int rowCount, long blockBytes) {}
