package dev.tributary.connectors;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.DummyRecordConverter;
import org.apache.parquet.schema.MessageType;

/**
 * Decodes the rows of one Parquet row group, a chunk at a time, into Arrow vectors: the
 * column-at-a-time conversion a {@link ParquetSource} uses for every block it makes.
 */
final class RowGroupConverter {
  private final MessageType schema;
  private final Schema arrow;
  private final Path file;
  private final String createdBy;
  private ColumnReader[] columns;
  private int group;

  RowGroupConverter(MessageType schema, Path file, String createdBy) {
    this.schema = schema;
    this.arrow = ParquetSchemas.toArrow(schema, file.toString());
    this.file = file;
    this.createdBy = createdBy;
  }

  /** Positions this converter at the first row of {@code rowGroup} (the file's {@code group}th). */
  void start(PageReadStore rowGroup, int group) {
    this.group = group;
    ColumnReadStoreImpl store = new ColumnReadStoreImpl(rowGroup,
        new DummyRecordConverter(schema).getRootConverter(), schema, createdBy);
    List<ColumnDescriptor> descriptors = schema.getColumns();
    columns = new ColumnReader[descriptors.size()];
    for (int c = 0; c < columns.length; c++) {
      columns[c] = store.getColumnReader(descriptors.get(c));
    }
  }

  /** The next {@code rows} rows of the row group as a block charged to {@code account}. */
  Block read(int rows, Account account) {
    return account.allocate(() -> {
      List<FieldVector> vectors = new ArrayList<>();
      try {
        for (int c = 0; c < columns.length; c++) {
          Field field = arrow.getFields().get(c);
          FieldVector v = field.createVector(account.allocator());
          vectors.add(v);
          try {
            fill(v, columns[c], schema.getColumns().get(c).getMaxDefinitionLevel(), rows);
          } catch (OutOfMemoryException e) {
            throw e;
          } catch (RuntimeException e) {
            throw new CorruptInputException(file,
                "row group " + group + ", column " + field.getName(), e);
          }
        }
        return Block.wrap(new VectorSchemaRoot(arrow.getFields(), vectors, rows), account);
      } catch (RuntimeException e) {
        vectors.forEach(FieldVector::close);
        throw e;
      }
    });
  }

  private static void fill(FieldVector vector, ColumnReader reader, int maxDef, int rows) {
    vector.setInitialCapacity(rows);
    vector.allocateNew();
    for (int r = 0; r < rows; r++) {
      boolean present = reader.getCurrentDefinitionLevel() == maxDef;
      if (!present) {
        vector.setNull(r);
      } else if (vector instanceof BigIntVector v) {
        v.set(r, reader.getLong());
      } else if (vector instanceof IntVector v) {
        v.set(r, reader.getInteger());
      } else if (vector instanceof Float8Vector v) {
        v.set(r, reader.getDouble());
      } else if (vector instanceof Float4Vector v) {
        v.set(r, reader.getFloat());
      } else if (vector instanceof BitVector v) {
        v.set(r, reader.getBoolean() ? 1 : 0);
      } else if (vector instanceof VarCharVector v) {
        v.setSafe(r, reader.getBinary().getBytesUnsafe());
      } else if (vector instanceof VarBinaryVector v) {
        v.setSafe(r, reader.getBinary().getBytesUnsafe());
      }
      reader.consume();
    }
    vector.setValueCount(rows);
  }
}
