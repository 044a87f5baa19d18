package dev.tributary.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReader;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.vectorized.ColumnarBatch;

/**
 * Makes each task's columnar reader of a frame, on the executor.
 *
 * @param segment what each task runs
 * @param schema the blocks' Arrow schema as JSON
 */
record FrameReaders(Segment segment, String schema) implements PartitionReaderFactory {
  @Override
  public boolean supportColumnarReads(InputPartition partition) {
    return true;
  }

  @Override
  public PartitionReader<ColumnarBatch> createColumnarReader(InputPartition partition) {
    return new FrameReader(segment, ((FrameTable.FramePartition) partition).split(), schema);
  }

  /** Never asked: every partition is read as columns. */
  @Override
  public PartitionReader<InternalRow> createReader(InputPartition partition) {
    throw new UnsupportedOperationException("a Tributary frame is read as columns");
  }
}
