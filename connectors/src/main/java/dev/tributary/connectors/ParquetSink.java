package dev.tributary.connectors;

import dev.tributary.columnar.ColumnType;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import dev.tributary.memory.HeapCharge;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
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
 * Writes a stream of blocks as Parquet files in a directory, atomically: files are written into a
 * hidden staging directory and published only when the whole stream completed, all at once when
 * the directory is new (see {@link #write(Flux)}); a failed or cancelled write leaves nothing.
 *
 * <p>File names ({@code part-<uuid>-<n>.parquet}) cannot collide across runs and sort in the
 * stream's order: reading the files in name order gives the rows in the order written. A new
 * file starts every {@link #fileBytes(long)} of Arrow data (default {@value #DEFAULT_FILE_BYTES},
 * about one row group), or every {@link #rowsPerFile(long)} rows; consecutive files are written
 * at once, each on a thread of its own ({@link #writers(int)}), which changes nothing in what is
 * written. {@link #partitionBy(String...)} writes Hive-style partition directories, on one
 * thread. Blocks are closed once written.
 *
 * <p>Serializable (its directory as a path name), so that a distributed engine can hand the same
 * settings to its workers, each writing into a staging directory of its own ({@link #into}).
 */
public final class ParquetSink implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Default rows per row group target in bytes: large enough to read fast, small enough to split. */
  public static final long DEFAULT_ROW_GROUP_BYTES = 64L << 20;

  /** Default Arrow bytes per file: one row group's worth, so a file is a reader's unit of work. */
  public static final long DEFAULT_FILE_BYTES = 64L << 20;

  /** The most files {@link #defaultWriters()} writes at once. */
  public static final int MAX_DEFAULT_WRITERS = 4;

  private final Path directory;
  private final CompressionCodecName codec;
  private final long rowsPerFile;
  private final List<String> partitionBy;
  private final long fileBytes;
  private final int writers;

  private ParquetSink(Path directory, CompressionCodecName codec, long rowsPerFile,
      List<String> partitionBy, long fileBytes, int writers) {
    this.directory = directory;
    this.codec = codec;
    this.rowsPerFile = rowsPerFile;
    this.partitionBy = partitionBy;
    this.fileBytes = fileBytes;
    this.writers = writers;
  }

  /**
   * Files written at once by default: one per core, at most {@value #MAX_DEFAULT_WRITERS} (each
   * parquet-mr writer buffers a row group on the heap).
   */
  public static int defaultWriters() {
    return Math.max(1, Math.min(MAX_DEFAULT_WRITERS, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * A sink into {@code directory} (created if missing), SNAPPY-compressed, a new file every
   * {@value #DEFAULT_FILE_BYTES} bytes of Arrow data, {@link #defaultWriters()} files written at
   * once.
   *
   * @throws WriteException if {@code directory} is an existing file
   */
  public static ParquetSink to(Path directory) {
    AtomicFiles.checkTarget(Objects.requireNonNull(directory, "directory"));
    return new ParquetSink(directory, CompressionCodecName.SNAPPY, Long.MAX_VALUE, List.of(),
        DEFAULT_FILE_BYTES, defaultWriters());
  }

  /** The directory this sink publishes into. */
  public Path directory() {
    return directory;
  }

  /**
   * The same sink (compression, file size, writers, partitions) writing into {@code directory}.
   *
   * @throws WriteException if {@code directory} is an existing file
   */
  public ParquetSink into(Path directory) {
    AtomicFiles.checkTarget(Objects.requireNonNull(directory, "directory"));
    return new ParquetSink(directory, codec, rowsPerFile, partitionBy, fileBytes, writers);
  }

  /** Compression: {@code SNAPPY} (default), {@code ZSTD}, {@code GZIP} or {@code UNCOMPRESSED}. */
  public ParquetSink compression(CompressionCodecName codec) {
    return new ParquetSink(directory, Objects.requireNonNull(codec, "codec"), rowsPerFile,
        partitionBy, fileBytes, writers);
  }

  /**
   * Starts a new file every {@code rows} rows (in each partition), instead of every {@link
   * #fileBytes(long)}.
   */
  public ParquetSink rowsPerFile(long rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("rowsPerFile must be >= 1, was " + rows);
    }
    return new ParquetSink(directory, codec, rows, partitionBy, fileBytes, writers);
  }

  /**
   * Starts a new file every {@code bytes} of Arrow data (unless {@link #rowsPerFile(long)} is
   * given; not in partitioned writes). The rows per file are fixed from the first block's bytes
   * per row, in multiples of {@value FileJob#PIECE_ROWS} rows (at least that many), so which
   * rows go to which file does not depend on block sizes or on {@link #writers(int)}. {@code
   * Long.MAX_VALUE} writes one file.
   */
  public ParquetSink fileBytes(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("fileBytes must be >= 1, was " + bytes);
    }
    return new ParquetSink(directory, codec, rowsPerFile, partitionBy, bytes, writers);
  }

  /**
   * Writes up to {@code n} consecutive files at once, each encoded and compressed on a thread of
   * its own (default {@link #defaultWriters()}; {@code 1} writes on the sink's I/O thread). The
   * files and their rows are the same for every {@code n}. Rows handed to a file's thread and not
   * yet written stay charged to the memory limit (at most {@code n} files' worth, at most a
   * quarter of the limit), and the write waits for room. Partitioned writes use one thread.
   */
  public ParquetSink writers(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("writers must be >= 1, was " + n);
    }
    return new ParquetSink(directory, codec, rowsPerFile, partitionBy, fileBytes, n);
  }

  /**
   * Writes Hive-style partition directories, as Spark's {@code partitionBy} does: each row goes
   * to {@code c1=v1/c2=v2/part-....parquet} by its values of {@code columns}, which the files do
   * not repeat. Values are escaped as {@link Partitioning} describes (nulls as {@code
   * __HIVE_DEFAULT_PARTITION__}); partition columns must be integers, strings, booleans, dates,
   * timestamps or decimals (checked on the first block, before any file is written). At most
   * {@value FileJob#MAX_OPEN_FILES} files are open at once (one per partition while there are no
   * more partitions than that; beyond, the least recently written is finished and its next rows
   * start a new file); rows clustered by partition write fewer, larger files. The open files
   * share the write's buffer budget: more open files, smaller row groups.
   *
   * @throws IllegalArgumentException if no column is given
   * @throws ColumnException if a column is given twice
   */
  public ParquetSink partitionBy(String... columns) {
    return new ParquetSink(directory, codec, rowsPerFile, FileJob.partitionColumns(columns),
        fileBytes, writers);
  }

  @Override
  public String toString() {
    return "ParquetSink[" + directory + ", " + codec
        + (rowsPerFile == Long.MAX_VALUE ? ", " + fileBytes + " bytes per file"
            : ", " + rowsPerFile + " rows per file")
        + ", " + writers + " writers"
        + (partitionBy.isEmpty() ? "" : ", partitioned by " + partitionBy) + "]";
  }

  /**
   * Writes every block on an I/O thread of Reactor's bounded-elastic scheduler and completes with
   * what was written. Publishing is all or nothing: into a directory that did not exist, every
   * file appears in one rename; into an existing one, files are moved in one by one and moved
   * back if one fails. A failed or cancelled write leaves nothing, by the time the error arrives
   * or {@code dispose()} returns.
   */
  public Mono<WriteSummary> write(Flux<Block> blocks) {
    return write(blocks, Schedulers.boundedElastic());
  }

  /**
   * Like {@link #write(Flux)}, writing on an I/O thread of {@code io} (a runtime's, so the write
   * counts as its execution's work).
   */
  public Mono<WriteSummary> write(Flux<Block> blocks, Scheduler io) {
    return SinkRun.run(blocks, Job::new, io);
  }


  /** A path is not serializable: the sink travels as its settings, the directory by name. */
  private Object writeReplace() {
    return new Settings(directory.toString(), codec, rowsPerFile, List.copyOf(partitionBy),
        fileBytes, writers);
  }

  /** What a serialized sink holds. */
  private record Settings(String directory, CompressionCodecName codec, long rowsPerFile,
      List<String> partitionBy, long fileBytes, int writers) implements Serializable {
    private Object readResolve() {
      return new ParquetSink(Path.of(directory), codec, rowsPerFile, partitionBy, fileBytes,
          writers);
    }
  }

  /** One write: Parquet files through parquet-mr writers. */
  private final class Job extends FileJob {
    Job() {
      super(directory, ".parquet", rowsPerFile, fileBytes, partitionBy, "writeParquet", writers);
    }

    @Override
    FileOut open(Path path, Schema schema) throws IOException {
      // A row group is buffered on the heap until written: its size is the file's share of the
      // budget, and what it holds is charged to the job's account.
      long rowGroup = fileBufferBytes(DEFAULT_ROW_GROUP_BYTES);
      HeapCharge charge = account().heapCharge();
      if (FlatParquetFile.writes(schema)) {
        return new FlatParquetFile(path, schema, codec,
            () -> fileBufferBytes(DEFAULT_ROW_GROUP_BYTES), charge);
      }
      // parquet-mr's record writer buffers up to a row group, charged as that from the start;
      // smaller while the account has no room (at the least, a minimal row group uncharged).
      while (!charge.trySet(rowGroup) && rowGroup > MIN_FILE_BUFFER) {
        rowGroup /= 2;
      }
      ParquetWriter<Row> writer;
      try {
        writer = new Builder(path, schema)
            .withCompressionCodec(codec)
            .withRowGroupSize(rowGroup)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .build();
      } catch (IOException | RuntimeException e) {
        charge.close();
        throw e;
      }
      return new FileOut() {
        @Override
        public void write(Block block) throws IOException {
          Row row = new Row(block);
          for (int r = 0, n = block.rowCount(); r < n; r++) {
            row.index = r;
            writer.write(row);
          }
        }

        @Override
        public void close() throws IOException {
          try {
            writer.close();
          } finally {
            charge.close();
          }
        }
      };
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
      if (ColumnType.of(v) == ColumnType.NULL) {
        return r -> { }; // every slot is null: the field is left out
      }
      boolean mayBeNull = v.getNullCount() > 0;
      ColumnWriter flat = flatField(v, name, index, mayBeNull);
      if (flat != null) {
        return flat;
      }
      ColumnWriter value = valueWriter(v);
      return r -> {
        if (mayBeNull && v.isNull(r)) {
          return;
        }
        consumer.startField(name, index);
        value.write(r);
        consumer.endField(name, index);
      };
    }

    /**
     * For the common flat types, the whole field of a row in one body: null check, field and
     * value read straight from the data buffer, so each value costs one dispatch, not two, and
     * no null check when the block has no nulls; null for other types.
     */
    private ColumnWriter flatField(FieldVector v, String name, int index, boolean mayBeNull) {
      ArrowBuf data;
      switch (ColumnType.of(v)) {
        case INT64, TIMESTAMP_ZONED, TIMESTAMP_LOCAL -> {
          data = v.getDataBuffer();
          if (!mayBeNull) {
            return r -> {
              consumer.startField(name, index);
              consumer.addLong(data.getLong((long) r * Long.BYTES));
              consumer.endField(name, index);
            };
          }
          return r -> {
            if (!v.isNull(r)) {
              consumer.startField(name, index);
              consumer.addLong(data.getLong((long) r * Long.BYTES));
              consumer.endField(name, index);
            }
          };
        }
        case FLOAT64 -> {
          data = v.getDataBuffer();
          if (!mayBeNull) {
            return r -> {
              consumer.startField(name, index);
              consumer.addDouble(data.getDouble((long) r * Double.BYTES));
              consumer.endField(name, index);
            };
          }
          return r -> {
            if (!v.isNull(r)) {
              consumer.startField(name, index);
              consumer.addDouble(data.getDouble((long) r * Double.BYTES));
              consumer.endField(name, index);
            }
          };
        }
        case INT32, DATE_DAY -> {
          data = v.getDataBuffer();
          if (!mayBeNull) {
            return r -> {
              consumer.startField(name, index);
              consumer.addInteger(data.getInt((long) r * Integer.BYTES));
              consumer.endField(name, index);
            };
          }
          return r -> {
            if (!v.isNull(r)) {
              consumer.startField(name, index);
              consumer.addInteger(data.getInt((long) r * Integer.BYTES));
              consumer.endField(name, index);
            }
          };
        }
        default -> {
          return null;
        }
      }
    }

    /** The writer of one non-null value of {@code v}, its type resolved here, not per value. */
    private ColumnWriter valueWriter(FieldVector v) {
      return switch (ColumnType.of(v)) {
        case INT64 -> {
          BigIntVector x = (BigIntVector) v;
          yield r -> consumer.addLong(x.get(r));
        }
        case FLOAT64 -> {
          Float8Vector x = (Float8Vector) v;
          yield r -> consumer.addDouble(x.get(r));
        }
        case INT32 -> {
          IntVector x = (IntVector) v;
          yield r -> consumer.addInteger(x.get(r));
        }
        case TIMESTAMP_ZONED, TIMESTAMP_LOCAL -> {
          TimeStampVector x = (TimeStampVector) v;
          yield r -> consumer.addLong(x.get(r));
        }
        case FLOAT32 -> {
          Float4Vector x = (Float4Vector) v;
          yield r -> consumer.addFloat(x.get(r));
        }
        case BOOL -> {
          BitVector x = (BitVector) v;
          yield r -> consumer.addBoolean(x.get(r) != 0);
        }
        case INT16 -> {
          SmallIntVector x = (SmallIntVector) v;
          yield r -> consumer.addInteger(x.get(r));
        }
        case INT8 -> {
          TinyIntVector x = (TinyIntVector) v;
          yield r -> consumer.addInteger(x.get(r));
        }
        case DATE_DAY -> {
          DateDayVector x = (DateDayVector) v;
          yield r -> consumer.addInteger(x.get(r));
        }
        case UTF8 -> {
          VarCharVector x = (VarCharVector) v;
          byte[][] scratch = {new byte[64]};
          yield r -> {
            // Copied into a reused array: parquet-mr copies reused binaries it keeps.
            int start = x.getStartOffset(r);
            int length = x.getEndOffset(r) - start;
            if (scratch[0].length < length) {
              scratch[0] = new byte[Math.max(length, scratch[0].length * 2)];
            }
            x.getDataBuffer().getBytes(start, scratch[0], 0, length);
            consumer.addBinary(Binary.fromReusedByteArray(scratch[0], 0, length));
          };
        }
        case BINARY -> {
          VarBinaryVector x = (VarBinaryVector) v;
          yield r -> consumer.addBinary(Binary.fromConstantByteArray(x.get(r)));
        }
        case FIXED_BINARY -> {
          FixedSizeBinaryVector x = (FixedSizeBinaryVector) v;
          yield r -> consumer.addBinary(Binary.fromConstantByteArray(x.get(r)));
        }
        case DECIMAL -> {
          DecimalVector x = (DecimalVector) v;
          yield r -> decimal(x, r);
        }
        case MAP -> {
          MapVector x = (MapVector) v;
          List<FieldVector> entry = ((StructVector) x.getDataVector()).getChildrenFromFields();
          FieldVector keys = entry.get(0);
          ColumnWriter key = fieldWriter(keys, ParquetSchemas.MAP_KEY, 0);
          ColumnWriter value = fieldWriter(entry.get(1), ParquetSchemas.MAP_VALUE, 1);
          yield r -> {
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
        }
        case LIST -> {
          ListVector x = (ListVector) v;
          ColumnWriter element = fieldWriter(x.getDataVector(), "element", 0);
          yield r -> list(element, x.getElementStartIndex(r), x.getElementEndIndex(r));
        }
        case FIXED_LIST -> {
          FixedSizeListVector x = (FixedSizeListVector) v;
          ColumnWriter element = fieldWriter((FieldVector) x.getDataVector(), "element", 0);
          int size = x.getListSize();
          yield r -> list(element, r * size, r * size + size);
        }
        case STRUCT -> {
          List<FieldVector> children = ((StructVector) v).getChildrenFromFields();
          ColumnWriter[] fields = new ColumnWriter[children.size()];
          for (int c = 0; c < fields.length; c++) {
            fields[c] = fieldWriter(children.get(c), children.get(c).getName(), c);
          }
          yield r -> {
            consumer.startGroup();
            for (ColumnWriter f : fields) {
              f.write(r);
            }
            consumer.endGroup();
          };
        }
        case NULL, UNSUPPORTED -> throw new ColumnException(v.getName(), "type "
            + v.getField().getType() + " cannot be written to Parquet");
      };
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
