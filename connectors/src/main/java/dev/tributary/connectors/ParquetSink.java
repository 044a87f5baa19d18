package dev.tributary.connectors;

import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Writes a stream of blocks as Parquet files in a directory, atomically: every file is written
 * under a hidden temporary name and all are renamed to their final names only when the whole
 * stream completed; a failed or cancelled write deletes its temporary files and leaves nothing.
 *
 * <p>File names ({@code part-<uuid>-<n>.parquet}) cannot collide across runs. A new file starts
 * every {@link #rowsPerFile(long)} rows. Blocks are closed once written.
 */
public final class ParquetSink {
  /** Default rows per row group target in bytes: large enough to read fast, small enough to split. */
  public static final long DEFAULT_ROW_GROUP_BYTES = 64L << 20;

  private final Path directory;
  private final CompressionCodecName codec;
  private final long rowsPerFile;

  private ParquetSink(Path directory, CompressionCodecName codec, long rowsPerFile) {
    this.directory = directory;
    this.codec = codec;
    this.rowsPerFile = rowsPerFile;
  }

  /** A sink into {@code directory} (created if missing), SNAPPY-compressed, one file per stream. */
  public static ParquetSink to(Path directory) {
    return new ParquetSink(Objects.requireNonNull(directory, "directory"),
        CompressionCodecName.SNAPPY, Long.MAX_VALUE);
  }

  /** Compression: {@code SNAPPY} (default), {@code ZSTD}, {@code GZIP} or {@code UNCOMPRESSED}. */
  public ParquetSink compression(CompressionCodecName codec) {
    return new ParquetSink(directory, Objects.requireNonNull(codec, "codec"), rowsPerFile);
  }

  /** Starts a new file every {@code rows} rows. */
  public ParquetSink rowsPerFile(long rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("rowsPerFile must be >= 1, was " + rows);
    }
    return new ParquetSink(directory, codec, rows);
  }

  /**
   * Writes every block on an I/O thread of Reactor's bounded-elastic scheduler and completes with
   * what was written.
   */
  public Mono<WriteSummary> write(Flux<Block> blocks) {
    return write(blocks, Schedulers.boundedElastic());
  }

  /** Writes every block on an I/O thread of {@code io} and completes with what was written. */
  public Mono<WriteSummary> write(Flux<Block> blocks, Scheduler io) {
    return SinkRun.run(blocks, Job::new, io);
  }


  /** The state of one write: the open writer and the files written so far. */
  private final class Job extends FileJob {
    private ParquetWriter<Row> writer;

    Job() {
      super(directory, ".parquet", rowsPerFile, "writeParquet");
    }

    @Override
    void openFile(Path path, Schema schema) throws IOException {
      writer = new Builder(path, schema)
          .withCompressionCodec(codec)
          .withRowGroupSize(DEFAULT_ROW_GROUP_BYTES)
          .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
          .build();
    }

    @Override
    void writeRows(Block block) throws IOException {
      Row row = new Row(block);
      for (int r = 0; r < block.rowCount(); ) {
        for (int end = r + fileFor(block.rowCount() - r); r < end; r++) {
          row.index = r;
          writer.write(row);
        }
      }
    }

    @Override
    void closeFile() throws IOException {
      writer.close();
    }
  }


  /** One row of a block, as the write support sees it. */
  private static final class Row {
    final List<FieldVector> vectors;
    int index;
    /** The block's column writers, made once per block by the write support that uses them. */
    ColumnWriter[] writers;
    RowWriteSupport writersOf;

    Row(Block block) {
      this.vectors = block.root().getFieldVectors();
    }
  }

  /** Writes one column's value of a row, or nothing for a null. */
  @FunctionalInterface
  private interface ColumnWriter {
    void write(int row);
  }

  private static final class Builder extends ParquetWriter.Builder<Row, Builder> {
    private final MessageType schema;
    private final Schema arrow;

    Builder(Path file, Schema arrow) {
      super(new LocalOutputFile(file));
      this.schema = ParquetSchemas.toParquet(arrow);
      this.arrow = arrow;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(Configuration conf) {
      return new RowWriteSupport(schema, arrow);
    }
  }

  /** Feeds one block row at a time to parquet-mr's record consumer. */
  private static final class RowWriteSupport extends WriteSupport<Row> {
    private final MessageType schema;
    private final Schema arrow;
    private RecordConsumer consumer;

    RowWriteSupport(MessageType schema, Schema arrow) {
      this.schema = schema;
      this.arrow = arrow;
    }

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(schema, new HashMap<>());
    }

    @Override
    public FinalizedWriteContext finalizeWrite() {
      return new FinalizedWriteContext(Map.of(ParquetSchemas.ARROW_SCHEMA_KEY, arrow.toJson()));
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.consumer = recordConsumer;
    }

    @Override
    public void write(Row row) {
      if (row.writersOf != this) {
        row.writers = writers(row.vectors);
        row.writersOf = this;
      }
      consumer.startMessage();
      int r = row.index;
      for (ColumnWriter w : row.writers) {
        w.write(r);
      }
      consumer.endMessage();
    }

    /** One writer per top-level column (a tree for nested ones), made once per block. */
    private ColumnWriter[] writers(List<FieldVector> vectors) {
      ColumnWriter[] out = new ColumnWriter[vectors.size()];
      for (int c = 0; c < out.length; c++) {
        out[c] = fieldWriter(vectors.get(c), vectors.get(c).getName(), c);
      }
      return out;
    }

    /** Writes slot r of {@code v} as field {@code index} of the current group, unless null. */
    private ColumnWriter fieldWriter(FieldVector v, String name, int index) {
      if (v instanceof NullVector) {
        return r -> { }; // every slot is null: the field is left out
      }
      ColumnWriter value = valueWriter(v);
      boolean mayBeNull = v.getNullCount() > 0;
      return r -> {
        if (mayBeNull && v.isNull(r)) {
          return;
        }
        consumer.startField(name, index);
        value.write(r);
        consumer.endField(name, index);
      };
    }

    /** The writer of one non-null value of {@code v}, its type resolved here, not per value. */
    private ColumnWriter valueWriter(FieldVector v) {
      if (v instanceof BigIntVector x) {
        return r -> consumer.addLong(x.get(r));
      } else if (v instanceof Float8Vector x) {
        return r -> consumer.addDouble(x.get(r));
      } else if (v instanceof IntVector x) {
        return r -> consumer.addInteger(x.get(r));
      } else if (v instanceof TimeStampVector x) {
        return r -> consumer.addLong(x.get(r));
      } else if (v instanceof Float4Vector x) {
        return r -> consumer.addFloat(x.get(r));
      } else if (v instanceof BitVector x) {
        return r -> consumer.addBoolean(x.get(r) != 0);
      } else if (v instanceof SmallIntVector x) {
        return r -> consumer.addInteger(x.get(r));
      } else if (v instanceof TinyIntVector x) {
        return r -> consumer.addInteger(x.get(r));
      } else if (v instanceof DateDayVector x) {
        return r -> consumer.addInteger(x.get(r));
      } else if (v instanceof VarCharVector x) {
        byte[][] scratch = {new byte[64]};
        return r -> {
          // Copied into a reused array: parquet-mr copies reused binaries it keeps.
          int start = x.getStartOffset(r);
          int length = x.getEndOffset(r) - start;
          if (scratch[0].length < length) {
            scratch[0] = new byte[Math.max(length, scratch[0].length * 2)];
          }
          x.getDataBuffer().getBytes(start, scratch[0], 0, length);
          consumer.addBinary(Binary.fromReusedByteArray(scratch[0], 0, length));
        };
      } else if (v instanceof VarBinaryVector x) {
        return r -> consumer.addBinary(Binary.fromConstantByteArray(x.get(r)));
      } else if (v instanceof FixedSizeBinaryVector x) {
        return r -> consumer.addBinary(Binary.fromConstantByteArray(x.get(r)));
      } else if (v instanceof DecimalVector x) {
        return r -> decimal(x, r);
      } else if (v instanceof MapVector x) {
        List<FieldVector> entry = ((StructVector) x.getDataVector()).getChildrenFromFields();
        FieldVector keys = entry.get(0);
        ColumnWriter key = fieldWriter(keys, ParquetSchemas.MAP_KEY, 0);
        ColumnWriter value = fieldWriter(entry.get(1), ParquetSchemas.MAP_VALUE, 1);
        return r -> {
          int from = x.getElementStartIndex(r);
          int to = x.getElementEndIndex(r);
          for (int i = from; i < to; i++) {
            if (keys.isNull(i)) {
              throw new ColumnException(v.getName(), "row " + r + " holds a null map key;"
                  + " Parquet map keys are required");
            }
          }
          map(key, value, from, to);
        };
      } else if (v instanceof ListVector x) {
        ColumnWriter element = fieldWriter(x.getDataVector(), "element", 0);
        return r -> list(element, x.getElementStartIndex(r), x.getElementEndIndex(r));
      } else if (v instanceof FixedSizeListVector x) {
        ColumnWriter element = fieldWriter((FieldVector) x.getDataVector(), "element", 0);
        int size = x.getListSize();
        return r -> list(element, r * size, r * size + size);
      } else if (v instanceof StructVector x) {
        List<FieldVector> children = x.getChildrenFromFields();
        ColumnWriter[] fields = new ColumnWriter[children.size()];
        for (int c = 0; c < fields.length; c++) {
          fields[c] = fieldWriter(children.get(c), children.get(c).getName(), c);
        }
        return r -> {
          consumer.startGroup();
          for (ColumnWriter f : fields) {
            f.write(r);
          }
          consumer.endGroup();
        };
      }
      throw new ColumnException(v.getName(), "type " + v.getField().getType()
          + " cannot be written to Parquet");
    }

    /**
     * A three-level LIST group of the elements {@code [from, to)}: {@code list} repeated once per
     * element, null elements as empty groups.
     */
    private void list(ColumnWriter element, int from, int to) {
      consumer.startGroup();
      if (to > from) {
        consumer.startField("list", 0);
        for (int i = from; i < to; i++) {
          consumer.startGroup();
          element.write(i);
          consumer.endGroup();
        }
        consumer.endField("list", 0);
      }
      consumer.endGroup();
    }

    /** A MAP group of the entries {@code [from, to)}: {@code key_value} repeated per entry. */
    private void map(ColumnWriter key, ColumnWriter value, int from, int to) {
      consumer.startGroup();
      if (to > from) {
        consumer.startField(ParquetSchemas.MAP_ENTRIES, 0);
        for (int i = from; i < to; i++) {
          consumer.startGroup();
          key.write(i);
          value.write(i);
          consumer.endGroup();
        }
        consumer.endField(ParquetSchemas.MAP_ENTRIES, 0);
      }
      consumer.endGroup();
    }

    private void decimal(DecimalVector x, int r) {
      Object value = ParquetValues.physical(x, r);
      if (value instanceof Integer i) {
        consumer.addInteger(i);
      } else if (value instanceof Long l) {
        consumer.addLong(l);
      } else {
        consumer.addBinary((Binary) value);
      }
    }
  }
}
