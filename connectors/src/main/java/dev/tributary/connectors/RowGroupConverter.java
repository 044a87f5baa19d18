package dev.tributary.connectors;

import dev.tributary.columnar.Blocks;
import dev.tributary.columnar.ColumnType;
import dev.tributary.error.TributaryException;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
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
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Decodes the rows of one Parquet row group, a chunk at a time, into Arrow vectors for every
 * block a {@link ParquetSource} makes: flat columns column at a time, nested ones (lists,
 * structs) through {@link NestedAssembler}.
 */
final class RowGroupConverter {
  private final Schema arrow;
  private final Path file;
  private final String createdBy;
  /** Top-level field positions read column at a time (flat) and by record assembly (nested). */
  private final int[] flat;
  private final int[] nested;
  private final MessageType flatSchema;
  private final List<ColumnDescriptor> flatColumns;
  private final NestedAssembler assembler;
  private ColumnReader[] columns;
  /** Per flat column, its page decoder, or null where it takes the {@code ColumnReader}. */
  private PageDecoder[] decoders;
  private int group;
  private DecodedSize size;
  private long lastDecodedBytes;
  /**
   * Per entry of the dictionary of the one column a filter reads (then a null), 1 where the
   * filter keeps it; tested on the first {@link #readKept} of the row group, else null.
   */
  private byte[] dictionaryKeeps;

  /**
   * A converter for rows of {@code schema}; {@code metadata} is the file's key-value metadata
   * (see {@link ParquetSchemas#toArrow}).
   */
  RowGroupConverter(MessageType schema, Map<String, String> metadata, Path file,
      String createdBy) {
    this.arrow = ParquetSchemas.toArrow(schema, metadata, file.toString());
    this.file = file;
    this.createdBy = createdBy;
    List<Type> flatTypes = new ArrayList<>();
    List<Type> nestedTypes = new ArrayList<>();
    List<Field> nestedFields = new ArrayList<>();
    List<Integer> flatAt = new ArrayList<>();
    List<Integer> nestedAt = new ArrayList<>();
    for (int i = 0; i < schema.getFieldCount(); i++) {
      Type t = schema.getType(i);
      if (t.isPrimitive() && !t.isRepetition(Type.Repetition.REPEATED)) {
        flatTypes.add(t);
        flatAt.add(i);
      } else {
        nestedTypes.add(t);
        nestedFields.add(arrow.getFields().get(i));
        nestedAt.add(i);
      }
    }
    this.flat = flatAt.stream().mapToInt(Integer::intValue).toArray();
    this.nested = nestedAt.stream().mapToInt(Integer::intValue).toArray();
    this.flatSchema = new MessageType(schema.getName(), flatTypes);
    this.flatColumns = flatSchema.getColumns();
    this.assembler = nestedTypes.isEmpty() ? null : new NestedAssembler(
        new MessageType(schema.getName(), nestedTypes), nestedFields, createdBy);
  }

  /** The Arrow schema of the blocks this converter makes. */
  Schema schema() {
    return arrow;
  }

  /**
   * Positions this converter at the first row of {@code rowGroup} (the file's {@code group}th),
   * whose decoded size is estimated by {@code size} (variable-width vectors are allocated for it,
   * not grown by doubling). With {@code vectorized}, the flat columns {@link PageDecoder}
   * reads are decoded page by page, the others (and all without it) by parquet-mr's {@code
   * ColumnReader}: chosen here, once per column chunk. {@code keep} is null when {@code
   * rowGroup} holds every page, else the row ranges ({@code [from, to]} pairs) a read filtered by
   * column index kept (parquet-mr's readers take them from {@code rowGroup}'s row indexes).
   */
  void start(PageReadStore rowGroup, int group, DecodedSize size, boolean vectorized,
      long[] keep) {
    this.group = group;
    this.size = size;
    this.dictionaryKeeps = null;
    ColumnReadStoreImpl store = new ColumnReadStoreImpl(rowGroup,
        new DummyRecordConverter(flatSchema).getRootConverter(), flatSchema, createdBy);
    columns = new ColumnReader[flatColumns.size()];
    decoders = new PageDecoder[flatColumns.size()];
    for (int c = 0; c < columns.length; c++) {
      ColumnDescriptor column = flatColumns.get(c);
      Field field = arrow.getFields().get(flat[c]);
      if (vectorized && PageDecoder.supports(column, field)) {
        decoders[c] = PageDecoder.of(column, field, rowGroup.getPageReader(column), keep);
      } else {
        columns[c] = store.getColumnReader(column);
      }
    }
    if (assembler != null) {
      assembler.start(rowGroup);
    }
  }

  /** The next {@code rows} rows of the row group as a block charged to {@code account}. */
  Block read(int rows, Account account) {
    return account.allocate(() -> {
      List<FieldVector> vectors = new ArrayList<>();
      try {
        for (int i = 0; i < arrow.getFields().size(); i++) {
          FieldVector v = arrow.getFields().get(i).createVector(account.allocator());
          vectors.add(v);
          double perValue = size.bytesPerValue(i);
          if (perValue > 0 && v instanceof BaseVariableWidthVector w) {
            w.setInitialCapacity(rows, perValue);
          } else {
            v.setInitialCapacity(rows);
          }
          v.allocateNew();
        }
        for (int c = 0; c < flat.length; c++) {
          FieldVector v = vectors.get(flat[c]);
          try {
            if (decoders[c] != null) {
              decoders[c].read(v, rows);
            } else {
              fill(v, columns[c], flatColumns.get(c), rows);
            }
          } catch (OutOfMemoryException e) {
            throw e;
          } catch (RuntimeException e) {
            throw new CorruptInputException(file,
                "row group " + group + ", column " + v.getName(), e);
          }
        }
        if (assembler != null) {
          List<FieldVector> targets = new ArrayList<>();
          for (int i : nested) {
            targets.add(vectors.get(i));
          }
          try {
            assembler.read(rows, targets);
          } catch (OutOfMemoryException e) {
            throw e;
          } catch (RuntimeException e) {
            throw new CorruptInputException(file, "row group " + group + ", columns "
                + targets.stream().map(FieldVector::getName).toList(), e);
          }
        }
        return Block.wrap(new VectorSchemaRoot(arrow.getFields(), vectors, rows), account);
      } catch (RuntimeException e) {
        vectors.forEach(FieldVector::close);
        throw e;
      }
    });
  }

  /**
   * Whether {@link #readKept} may run: every column is flat and decoded page by page (known
   * after {@link #start}).
   */
  boolean decodesKeptOnly() {
    if (assembler != null) {
      return false;
    }
    for (PageDecoder d : decoders) {
      if (d == null) {
        return false;
      }
    }
    return true;
  }

  /**
   * The next {@code rows} rows of the row group that {@code filter} keeps, with the {@code
   * output} columns only, as a block charged to {@code account}; null when it keeps none. The
   * columns the filter reads are decoded first and tested; the others are then decoded only
   * at the rows kept, the rest passed over undecoded (no decoded row is copied to be dropped).
   * A filter of one column the output does not hold, dictionary-encoded, is tested once per
   * dictionary entry, and the column's values are not decoded at all. Only when {@link
   * #decodesKeptOnly()}. {@link #lastDecodedBytes()} then says how many bytes were decoded, the
   * filter's columns included.
   */
  Block readKept(int rows, Account account, RowFilter filter, Set<String> filterColumns,
      List<String> output) {
    List<Integer> tested = new ArrayList<>();
    for (int c = 0; c < flat.length; c++) {
      if (filterColumns.contains(arrow.getFields().get(flat[c]).getName())) {
        tested.add(c);
      }
    }
    List<String> fromProbe = output.stream().filter(filterColumns::contains).toList();
    boolean byDictionary = tested.size() == 1 && fromProbe.isEmpty()
        && decoders[tested.get(0)].hasDictionary();
    long[] mask;
    try (Block probe = byDictionary ? null : decode(tested, rows, null, rows, account)) {
      if (probe == null) {
        mask = maskByDictionary(tested.get(0), rows, account, filter);
      } else {
        mask = filter.mask(probe);
        lastDecodedBytes = probe.sizeBytes();
      }
      int kept = 0;
      for (long w : mask) {
        kept += Long.bitCount(w);
      }
      long[] keep = kept == rows ? null : mask;
      List<Integer> rest = new ArrayList<>();
      for (int c = 0; c < flat.length; c++) {
        if (!tested.contains(c)) {
          rest.add(c);
        }
      }
      if (kept == 0) {
        for (int c : rest) {
          decoders[c].read(null, rows, mask, 0);
        }
        return null;
      }
      Block decoded = decode(rest, rows, keep, kept, account);
      lastDecodedBytes += decoded.sizeBytes();
      if (fromProbe.isEmpty()) {
        return decoded;
      }
      try (decoded; Block taken = keep == null ? Blocks.project(probe, identity(fromProbe),
          account) : Blocks.take(probe, fromProbe, RowMask.indexes(mask), kept, account);
          Block both = Blocks.zip(taken, decoded, account)) {
        return Blocks.project(both, identity(output), account);
      }
    }
  }

  /**
   * Whether {@link #summarize} may run for the columns {@code needed} (those a filter tests and
   * those summarized): each is a flat column decoded page by page, and those summarized are
   * int32, int64, float or double columns (known after {@link #start}).
   */
  boolean summarizes(Set<String> tested, Iterable<ColumnSummary> summarized) {
    for (String name : tested) {
      int c = flatIndex(name);
      if (c < 0 || decoders[c] == null) {
        return false;
      }
    }
    for (ColumnSummary summary : summarized) {
      int c = flatIndex(summary.column());
      if (c < 0 || decoders[c] == null
          || !decoders[c].summarizes(arrow.getFields().get(flat[c]))) {
        return false;
      }
    }
    return true;
  }

  /** The index into {@link #flat} of the flat column {@code name}, or -1. */
  private int flatIndex(String name) {
    for (int c = 0; c < flat.length; c++) {
      if (arrow.getFields().get(flat[c]).getName().equals(name)) {
        return c;
      }
    }
    return -1;
  }

  /**
   * Adds the next {@code rows} rows of the row group that {@code filter} keeps (null: every row)
   * to {@code into}: their count, and the values of each column it summarizes, gathered straight
   * from the pages at the rows kept ({@link PageDecoder#summarize}), never into a vector. The
   * filter is tested as {@link #readKept} tests it (a one-column filter on a dictionary-encoded
   * column not summarized, once per dictionary entry); a column both tested and summarized is
   * summarized from the decoded probe. Only when {@link #summarizes}.
   */
  void summarize(int rows, Account account, RowFilter filter, Set<String> filterColumns,
      ScanSummary into) {
    List<Integer> tested = new ArrayList<>();
    if (filter != null) {
      for (int c = 0; c < flat.length; c++) {
        if (filterColumns.contains(arrow.getFields().get(flat[c]).getName())) {
          tested.add(c);
        }
      }
    }
    boolean summarizesTested = false;
    for (ColumnSummary summary : into.columns()) {
      summarizesTested |= filterColumns.contains(summary.column());
    }
    boolean byDictionary = tested.size() == 1 && !summarizesTested
        && decoders[tested.get(0)].hasDictionary();
    long[] mask = null;
    int kept = rows;
    try (Block probe = filter == null || byDictionary ? null
        : decode(tested, rows, null, rows, account)) {
      if (filter != null) {
        mask = probe == null ? maskByDictionary(tested.get(0), rows, account, filter)
            : filter.mask(probe);
        kept = 0;
        for (long w : mask) {
          kept += Long.bitCount(w);
        }
      }
      long[] keep = kept == rows ? null : mask;
      into.addRows(kept);
      for (ColumnSummary summary : into.columns()) {
        int c = flatIndex(summary.column());
        if (tested.contains(c)) {
          summary.addVector(probe.vector(summary.column()), rows, keep);
        } else if (kept == 0) {
          decoders[c].read(null, rows, mask, 0);
        } else {
          try {
            decoders[c].summarize(rows, keep, summary);
          } catch (TributaryException e) {
            throw e;
          } catch (RuntimeException e) {
            throw new CorruptInputException(file,
                "row group " + group + ", column " + summary.column(), e);
          }
        }
      }
    }
  }

  /**
   * The rows of the next {@code rows} that {@code filter}, reading flat column {@code c} only,
   * keeps: tested once per entry of the chunk's dictionary (on the first call for the row
   * group), the ids of dictionary-encoded pages then looked up; values of other pages are
   * decoded into a scratch block and tested there.
   */
  private long[] maskByDictionary(int c, int rows, Account account, RowFilter filter) {
    Field field = arrow.getFields().get(flat[c]);
    if (dictionaryKeeps == null) {
      FieldVector entries = account.allocate(
          () -> decoders[c].dictionaryEntries(field, account.allocator()));
      try (Block block = Block.wrap(new VectorSchemaRoot(List.of(field), List.of(entries),
          entries.getValueCount()), account)) {
        long[] bits = filter.mask(block);
        dictionaryKeeps = new byte[block.rowCount()];
        for (int i = 0; i < dictionaryKeeps.length; i++) {
          dictionaryKeeps[i] = (byte) ((bits[i >>> 6] >>> i) & 1);
        }
      }
      decoders[c].maskThrough(dictionaryKeeps);
    }
    List<int[]> decoded = new ArrayList<>();
    FieldVector[] scratch = {null};
    try {
      long[] mask;
      try {
        mask = decoders[c].mask(rows, dictionaryKeeps, () -> {
          scratch[0] = account.allocate(() -> {
            FieldVector v = field.createVector(account.allocator());
            v.setInitialCapacity(rows);
            v.allocateNew();
            return v;
          });
          return scratch[0];
        }, decoded);
      } catch (OutOfMemoryException e) {
        throw e;
      } catch (RuntimeException e) {
        throw new CorruptInputException(file,
            "row group " + group + ", column " + field.getName(), e);
      }
      lastDecodedBytes = (rows + 7) / 8;
      if (scratch[0] != null) {
        FieldVector v = scratch[0];
        scratch[0] = null;
        try (Block block = Block.wrap(new VectorSchemaRoot(List.of(field), List.of(v), rows),
            account)) {
          lastDecodedBytes += block.sizeBytes();
          long[] tested = filter.mask(block);
          for (int[] range : decoded) {
            for (int r = range[0]; r < range[1]; r++) {
              mask[r >>> 6] |= tested[r >>> 6] & (1L << r);
            }
          }
        }
      }
      return mask;
    } finally {
      if (scratch[0] != null) {
        scratch[0].close();
      }
    }
  }

  /** Bytes of the blocks the last {@link #readKept} decoded. */
  long lastDecodedBytes() {
    return lastDecodedBytes;
  }

  private static Map<String, String> identity(List<String> names) {
    Map<String, String> map = new LinkedHashMap<>();
    names.forEach(n -> map.put(n, n));
    return map;
  }

  /**
   * The flat columns {@code at} (indexes into {@link #flat}) of the next {@code rows} rows, only
   * those {@code mask} keeps ({@code kept} of them; null: all), as a block.
   */
  private Block decode(List<Integer> at, int rows, long[] mask, int kept, Account account) {
    return account.allocate(() -> {
      List<FieldVector> vectors = new ArrayList<>();
      try {
        for (int c : at) {
          Field field = arrow.getFields().get(flat[c]);
          FieldVector v = field.createVector(account.allocator());
          vectors.add(v);
          double perValue = size.bytesPerValue(flat[c]);
          if (perValue > 0 && v instanceof BaseVariableWidthVector w) {
            w.setInitialCapacity(kept, perValue);
          } else {
            v.setInitialCapacity(kept);
          }
          v.allocateNew();
          try {
            decoders[c].read(v, rows, mask, kept);
          } catch (OutOfMemoryException e) {
            throw e;
          } catch (RuntimeException e) {
            throw new CorruptInputException(file,
                "row group " + group + ", column " + v.getName(), e);
          }
        }
        return Block.wrap(new VectorSchemaRoot(
            vectors.stream().map(FieldVector::getField).toList(), vectors, kept), account);
      } catch (RuntimeException e) {
        vectors.forEach(FieldVector::close);
        throw e;
      }
    });
  }

  /** Decodes {@code rows} values of one flat column; the common types take a tight loop. */
  private static void fill(FieldVector vector, ColumnReader reader, ColumnDescriptor column,
      int rows) {
    int maxDef = column.getMaxDefinitionLevel();
    PrimitiveTypeName physical = column.getPrimitiveType().getPrimitiveTypeName();
    ColumnType type = ColumnType.of(vector);
    if (type == ColumnType.INT64 && physical == PrimitiveTypeName.INT64) {
      BigIntVector v = (BigIntVector) vector;
      for (int r = 0; r < rows; r++, reader.consume()) {
        if (reader.getCurrentDefinitionLevel() == maxDef) {
          v.set(r, reader.getLong());
        }
      }
    } else if (type == ColumnType.FLOAT64) {
      Float8Vector v = (Float8Vector) vector;
      for (int r = 0; r < rows; r++, reader.consume()) {
        if (reader.getCurrentDefinitionLevel() == maxDef) {
          v.set(r, reader.getDouble());
        }
      }
    } else if (type == ColumnType.INT32) {
      IntVector v = (IntVector) vector;
      for (int r = 0; r < rows; r++, reader.consume()) {
        if (reader.getCurrentDefinitionLevel() == maxDef) {
          v.set(r, reader.getInteger());
        }
      }
    } else if (type == ColumnType.UTF8) {
      VarCharVector v = (VarCharVector) vector;
      for (int r = 0; r < rows; r++, reader.consume()) {
        if (reader.getCurrentDefinitionLevel() == maxDef) {
          v.setSafe(r, reader.getBinary().getBytesUnsafe());
        }
      }
    } else {
      ParquetValues.Leaf leaf = ParquetValues.leaf(vector);
      for (int r = 0; r < rows; r++, reader.consume()) {
        if (reader.getCurrentDefinitionLevel() != maxDef) {
          continue;
        }
        leaf.index = r;
        switch (physical) {
          case INT64 -> leaf.addLong(reader.getLong());
          case INT32 -> leaf.addInt(reader.getInteger());
          case DOUBLE -> leaf.addDouble(reader.getDouble());
          case FLOAT -> leaf.addFloat(reader.getFloat());
          case BOOLEAN -> leaf.addBoolean(reader.getBoolean());
          default -> leaf.addBinary(reader.getBinary());
        }
      }
    }
    vector.setValueCount(rows);
  }
}
