package dev.tributary.spark;

import dev.tributary.BlockIterator;
import dev.tributary.TributaryRuntime;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * One task's read of a frame: the segment's governed pipeline over the task's split, in a
 * runtime of its own with the task's memory limit, each block shown to Spark as a {@link
 * ColumnarBatch} over its own vectors (valid until the next batch, as Spark's contract says),
 * released when Spark moves on; closing (Spark does at the task's end, also on failure) ends the
 * execution and its runtime.
 */
final class FrameReader implements PartitionReader<ColumnarBatch> {
  private final TributaryRuntime runtime;
  private final BlockIterator blocks;
  private final Account account;
  private final Schema schema;
  private final List<FieldVector> made = new ArrayList<>();
  private Block current;
  private ColumnarBatch batch;
  private boolean closed;

  FrameReader(Segment segment, int split, String schema) {
    try {
      this.schema = Schema.fromJSON(schema);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.runtime = segment.runtime(TaskContext.get());
    try {
      this.account = runtime.arena().openAccount("spark frame");
      this.blocks = segment.pipeline(segment.scan().read(split), runtime).iterator();
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
  }

  @Override
  public boolean next() {
    releaseCurrent();
    if (!blocks.hasNext()) {
      return false;
    }
    // Out of the execution on arrival, as a task's other outputs: its scope may end first.
    current = blocks.next().transferTo(account);
    batch = new ColumnarBatch(FrameColumns.of(current, schema, account, made),
        current.rowCount());
    return true;
  }

  @Override
  public ColumnarBatch get() {
    return batch;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try (runtime) {
      releaseCurrent();
      blocks.close();
    }
  }

  /**
   * Spark is done with the batch: its block and copies go back (the batch itself is not closed:
   * that would close vectors the block owns).
   */
  private void releaseCurrent() {
    batch = null;
    made.forEach(FieldVector::close);
    made.clear();
    if (current != null) {
      current.close();
      current = null;
    }
  }
}
