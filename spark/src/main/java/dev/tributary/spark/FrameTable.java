package dev.tributary.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * A {@link Frame} as Spark reads it: a table whose one scan has a partition per read split, each
 * read by a columnar reader running the frame's segment in the task ({@link FrameReader}). Spark
 * takes nothing over (no pushed filters or columns): the dataset's own plan already did.
 */
final class FrameTable implements SupportsRead, ScanBuilder, Scan, Batch {
  private final Frame frame;
  private final StructType schema;

  FrameTable(Frame frame) {
    this.frame = frame;
    try {
      this.schema = ArrowUtils.fromArrowSchema(Schema.fromJSON(frame.schema()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String name() {
    return frame.name();
  }

  @Override
  @SuppressWarnings("deprecation") // Spark still asks a table its schema this way
  public StructType schema() {
    return schema;
  }

  @Override
  public Set<TableCapability> capabilities() {
    return Set.of(TableCapability.BATCH_READ);
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
    return this;
  }

  @Override
  public Scan build() {
    return this;
  }

  @Override
  public StructType readSchema() {
    return schema;
  }

  @Override
  public String description() {
    return "Tributary[" + frame.name() + "]";
  }

  @Override
  public Batch toBatch() {
    return this;
  }

  @Override
  public InputPartition[] planInputPartitions() {
    return IntStream.range(0, frame.splits()).mapToObj(FramePartition::new)
        .toArray(InputPartition[]::new);
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    return new FrameReaders(frame.segment(), frame.schema());
  }

  /**
   * One read split of a frame.
   *
   * @param split the split's index in the read
   */
  record FramePartition(int split) implements InputPartition {}
}
