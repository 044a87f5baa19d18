package dev.tributary.bench.peers;

import dev.tributary.connectors.ParquetSink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.DummyRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The raw baseline: parquet-mr's column readers straight into Arrow vectors, and parquet-mr's
 * writer fed row by row from Arrow vectors, with no Reactor, no arena and no governor. It is the
 * same low-level path {@code ParquetSource} and {@code ParquetSink} use, so a ratio against it
 * measures Tributary's own overhead.
 *
 * <p>Flat required columns of int32, int64, float64, utf8 and µs timestamps (adjusted to UTC, as
 * {@code timestamp[us, UTC]}, the type Tributary reads them as): the benchmark's schema.
 */
public final class RawParquet {

  private RawParquet() {}

  /**
   * Reads {@code columns} of {@code file}, one row group at a time, into a fresh root per row
   * group allocated from {@code allocator}; {@code sink} receives and must close each root.
   */
  public static void read(Path file, List<String> columns, BufferAllocator allocator,
      Consumer<VectorSchemaRoot> sink) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file),
        ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
      MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
      List<Type> fields = new ArrayList<>();
      for (String c : columns) {
        fields.add(fileSchema.getType(c));
      }
      MessageType schema = new MessageType(fileSchema.getName(), fields);
      reader.setRequestedSchema(schema);
      Schema arrow = toArrow(schema);
      String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
      PageReadStore rowGroup;
      while ((rowGroup = reader.readNextRowGroup()) != null) {
        int rows = (int) rowGroup.getRowCount();
        ColumnReadStoreImpl store = new ColumnReadStoreImpl(rowGroup,
            new DummyRecordConverter(schema).getRootConverter(), schema, createdBy);
        List<FieldVector> vectors = new ArrayList<>();
        List<ColumnDescriptor> descriptors = schema.getColumns();
        for (int c = 0; c < descriptors.size(); c++) {
          FieldVector v = arrow.getFields().get(c).createVector(allocator);
          fill(v, store.getColumnReader(descriptors.get(c)), rows);
          vectors.add(v);
        }
        sink.accept(new VectorSchemaRoot(arrow.getFields(), vectors, rows));
      }
    }
  }

  private static void fill(FieldVector vector, ColumnReader reader, int rows) {
    vector.setInitialCapacity(rows);
    vector.allocateNew();
    if (vector instanceof BigIntVector v) {
      for (int r = 0; r < rows; r++) {
        v.set(r, reader.getLong());
        reader.consume();
      }
    } else if (vector instanceof TimeStampVector v) {
      for (int r = 0; r < rows; r++) {
        v.set(r, reader.getLong());
        reader.consume();
      }
    } else if (vector instanceof IntVector v) {
      for (int r = 0; r < rows; r++) {
        v.set(r, reader.getInteger());
        reader.consume();
      }
    } else if (vector instanceof Float8Vector v) {
      for (int r = 0; r < rows; r++) {
        v.set(r, reader.getDouble());
        reader.consume();
      }
    } else if (vector instanceof VarCharVector v) {
      for (int r = 0; r < rows; r++) {
        v.setSafe(r, reader.getBinary().getBytesUnsafe());
        reader.consume();
      }
    } else {
      throw new IllegalArgumentException("unsupported column " + vector.getField());
    }
    vector.setValueCount(rows);
  }

  private static Schema toArrow(MessageType schema) {
    List<Field> fields = new ArrayList<>();
    for (Type t : schema.getFields()) {
      PrimitiveType p = t.asPrimitiveType();
      ArrowType type = switch (p.getPrimitiveTypeName()) {
        case INT64 -> p.getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation
            ? new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC") : new ArrowType.Int(64, true);
        case INT32 -> new ArrowType.Int(32, true);
        case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
        case BINARY -> ArrowType.Utf8.INSTANCE;
        default -> throw new IllegalArgumentException("unsupported column " + p);
      };
      fields.add(new Field(p.getName(), FieldType.notNullable(type), null));
    }
    return new Schema(fields);
  }

  /** The Parquet schema the writer uses for an Arrow schema (all columns required). */
  static MessageType toParquet(Schema schema) {
    Types.MessageTypeBuilder message = Types.buildMessage();
    for (Field f : schema.getFields()) {
      ArrowType t = f.getType();
      if (t instanceof ArrowType.Timestamp) {
        message.required(PrimitiveTypeName.INT64)
            .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
            .named(f.getName());
      } else if (t instanceof ArrowType.Int i) {
        message.required(i.getBitWidth() == 64 ? PrimitiveTypeName.INT64 : PrimitiveTypeName.INT32)
            .named(f.getName());
      } else if (t instanceof ArrowType.FloatingPoint) {
        message.required(PrimitiveTypeName.DOUBLE).named(f.getName());
      } else if (t instanceof ArrowType.Utf8) {
        message.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType())
            .named(f.getName());
      } else {
        throw new IllegalArgumentException("unsupported column " + f);
      }
    }
    return message.named("raw");
  }

  /** An open Parquet file written row by row from Arrow roots of one schema. */
  public static final class Writer implements AutoCloseable {
    private final ParquetWriter<Row> writer;
    private final Row row = new Row();

    /** Opens {@code file} (overwritten) for rows of {@code schema}, compressed with {@code codec}. */
    public Writer(Path file, Schema schema, CompressionCodecName codec) throws IOException {
      writer = new Builder(file, toParquet(schema))
          .withCompressionCodec(codec)
          .withRowGroupSize(ParquetSink.DEFAULT_ROW_GROUP_BYTES)
          .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
          .build();
    }

    /** Writes row {@code index} of {@code root}. */
    public void write(VectorSchemaRoot root, int index) throws IOException {
      if (row.root != root) {
        row.root = root;
        row.vectors = root.getFieldVectors();
      }
      row.index = index;
      writer.write(row);
    }

    /** Writes every row of {@code root}. */
    public void writeAll(VectorSchemaRoot root) throws IOException {
      for (int r = 0; r < root.getRowCount(); r++) {
        write(root, r);
      }
    }

    @Override
    public void close() throws IOException {
      writer.close();
    }
  }

  /** One row of a root, as the write support sees it. */
  private static final class Row {
    VectorSchemaRoot root;
    List<FieldVector> vectors;
    int index;
  }

  private static final class Builder extends ParquetWriter.Builder<Row, Builder> {
    private final MessageType schema;

    Builder(Path file, MessageType schema) {
      super(new LocalOutputFile(file));
      this.schema = schema;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(Configuration conf) {
      return new RowWriteSupport(schema);
    }
  }

  /** Feeds one row to parquet-mr's record consumer, column by column. */
  private static final class RowWriteSupport extends WriteSupport<Row> {
    private final MessageType schema;
    private RecordConsumer consumer;

    RowWriteSupport(MessageType schema) {
      this.schema = schema;
    }

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(schema, new HashMap<>());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.consumer = recordConsumer;
    }

    @Override
    public void write(Row row) {
      consumer.startMessage();
      int r = row.index;
      for (int c = 0; c < row.vectors.size(); c++) {
        FieldVector v = row.vectors.get(c);
        String name = v.getName();
        consumer.startField(name, c);
        if (v instanceof BigIntVector x) {
          consumer.addLong(x.get(r));
        } else if (v instanceof TimeStampVector x) {
          consumer.addLong(x.get(r));
        } else if (v instanceof IntVector x) {
          consumer.addInteger(x.get(r));
        } else if (v instanceof Float8Vector x) {
          consumer.addDouble(x.get(r));
        } else if (v instanceof VarCharVector x) {
          consumer.addBinary(Binary.fromConstantByteArray(x.get(r)));
        }
        consumer.endField(name, c);
      }
      consumer.endMessage();
    }
  }

  /** Bytes of Arrow buffers a root holds (what MB/s counts on both sides). */
  public static long arrowBytes(VectorSchemaRoot root) {
    long bytes = 0;
    for (FieldVector v : root.getFieldVectors()) {
      bytes += v.getBufferSize();
    }
    return bytes;
  }
}
