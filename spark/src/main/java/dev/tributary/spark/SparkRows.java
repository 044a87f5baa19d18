package dev.tributary.spark;

import dev.tributary.Dataset;
import dev.tributary.PartitionPlan;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.plan.Source;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.Objects;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.util.ArrowUtils;
import reactor.core.publisher.Flux;

/**
 * A Spark DataFrame as a Tributary dataset ({@link SparkEngine#fromSpark}): Spark's executors
 * turn its rows into Arrow record batches (the path PySpark's {@code toPandas} takes), which the
 * reading process loads into its own account, partition after partition, as they come.
 */
final class SparkRows {
  private SparkRows() {}

  /** {@code frame}'s rows as a dataset that runs a Spark job each time it runs. */
  static Dataset read(org.apache.spark.sql.Dataset<Row> frame) {
    Objects.requireNonNull(frame, "frame");
    if (!(frame instanceof org.apache.spark.sql.classic.Dataset<Row> classic)) {
      throw new IllegalArgumentException("fromSpark reads DataFrames of a SparkSession in this"
          + " process, not " + frame.getClass().getName() + " (Spark Connect)");
    }
    SparkSession session = frame.sparkSession();
    String zone = session.conf().get("spark.sql.session.timeZone");
    boolean largeVarTypes = Boolean.parseBoolean(session.conf().get(
        "spark.sql.execution.arrow.useLargeVarTypes", "false"));
    int rowsPerBatch = Integer.parseInt(session.conf().get(
        "spark.sql.execution.arrow.maxRecordsPerBatch", "10000"));
    Schema schema = ArrowUtils.toArrowSchema(frame.schema(), zone, true, largeVarTypes);
    JavaRDD<byte[]> batches = classic.toArrowBatchRdd(rowsPerBatch <= 0 ? Integer.MAX_VALUE
        : rowsPerBatch, zone, true, largeVarTypes).toJavaRDD();
    // Read on the execution's I/O scheduler, where waiting for Spark may block.
    return PartitionPlan.read(Source.of("Spark[" + String.join(", ", frame.columns()) + "]",
        (account, settings, stats) -> Flux.fromIterable(batches::toLocalIterator)
            .map(bytes -> load(bytes, schema, account)), () -> schema, () -> -1));
  }

  /** One record batch message of {@code schema}, loaded into {@code account}. */
  private static Block load(byte[] bytes, Schema schema, Account account) {
    return account.allocate(() -> {
      try (ArrowRecordBatch batch = MessageSerializer.deserializeRecordBatch(new ReadChannel(
              Channels.newChannel(new ByteArrayInputStream(bytes))), account.allocator());
          VectorSchemaRoot root = VectorSchemaRoot.create(schema, account.allocator())) {
        new VectorLoader(root, NoCompressionCodec.Factory.INSTANCE).load(batch);
        return Block.adopt(root, account);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
