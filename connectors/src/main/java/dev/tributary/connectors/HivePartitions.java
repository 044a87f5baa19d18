package dev.tributary.connectors;

import dev.tributary.columnar.JavaValues;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The partition columns of a set of input files: one per {@code key=value} directory level below
 * each file's base (see {@link Partitioning}), typed once from every file's value, and each
 * file's values. Sources append them to the blocks they read from a file. Serializable (as its
 * {@link Form}), to travel with its source.
 */
final class HivePartitions implements Serializable {
  /** No partition columns. */
  static final HivePartitions NONE = new HivePartitions(List.of(), Map.of());

  private static final ArrowType INT64 = new ArrowType.Int(64, true);

  private final List<Field> fields;
  /** Each file's values (Java values of the fields' types), in field order. */
  private final Map<Path, Object[]> values;

  private HivePartitions(List<Field> fields, Map<Path, Object[]> values) {
    this.fields = fields;
    this.values = values;
  }

  /**
   * The partition columns of {@code inputs} as {@code partitioning} says.
   *
   * @throws ColumnException if files sit under different keys (or a key twice), a given type
   *     names no key, or a value does not parse as its given type
   */
  static HivePartitions discover(List<InputFiles.Input> inputs, Partitioning partitioning) {
    if (!partitioning.enabled()) {
      return NONE;
    }
    Map<Path, List<HivePath.Segment>> segments = new LinkedHashMap<>();
    for (InputFiles.Input input : inputs) {
      segments.put(input.file(), segments(input));
    }
    InputFiles.Input first = inputs.get(0);
    List<String> keys = keys(first.file(), segments.get(first.file()));
    for (Map.Entry<Path, List<HivePath.Segment>> e : segments.entrySet()) {
      List<String> other = keys(e.getKey(), e.getValue());
      if (!other.equals(keys)) {
        String column = keys.isEmpty() ? other.get(0) : keys.get(0);
        throw new ColumnException(column, "partition directories disagree: " + first.file()
            + " sits under keys " + keys + " but " + e.getKey() + " under " + other + "; read"
            + " them separately, or without partition columns (Partitioning.none())");
      }
    }
    for (String name : partitioning.givenNames()) {
      if (!keys.contains(name)) {
        throw new ColumnException(name, "is given a partition type but no directory is named "
            + name + "=...; the partition keys are " + keys);
      }
    }
    if (keys.isEmpty()) {
      return NONE;
    }
    List<Field> fields = new ArrayList<>(keys.size());
    for (int k = 0; k < keys.size(); k++) {
      String key = keys.get(k);
      int index = k;
      ArrowType type = partitioning.given(key).map(Field::getType)
          .orElseGet(() -> infer(segments.values().stream().map(s -> s.get(index).value())
              .toList()));
      fields.add(new Field(key, FieldType.nullable(type), null));
    }
    Map<Path, Object[]> values = new HashMap<>();
    segments.forEach((file, s) -> {
      Object[] row = new Object[fields.size()];
      for (int k = 0; k < row.length; k++) {
        try {
          row[k] = TextTypes.parse(s.get(k).value(), fields.get(k));
        } catch (IllegalArgumentException e) {
          throw new ColumnException(fields.get(k).getName(), "partition value '"
              + s.get(k).value() + "' of " + file + " is not a " + fields.get(k).getType());
        }
      }
      values.put(file, row);
    });
    return new HivePartitions(List.copyOf(fields), values);
  }

  /** The {@code key=value} directories between an input's base and its file. */
  private static List<HivePath.Segment> segments(InputFiles.Input input) {
    if (input.base() == null) {
      return List.of();
    }
    Path relative = input.base().relativize(input.file());
    List<HivePath.Segment> out = new ArrayList<>();
    for (int i = 0; i < relative.getNameCount() - 1; i++) {
      HivePath.Segment s = HivePath.parse(relative.getName(i).toString());
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  private static List<String> keys(Path file, List<HivePath.Segment> segments) {
    List<String> keys = segments.stream().map(HivePath.Segment::key).toList();
    for (String key : keys) {
      if (keys.indexOf(key) != keys.lastIndexOf(key)) {
        throw new ColumnException(key, "is a partition key twice in the path of " + file);
      }
    }
    return keys;
  }

  /** int64 when every non-null value is a plain integer as Java writes it, else utf8. */
  private static ArrowType infer(List<String> texts) {
    boolean any = false;
    for (String t : texts) {
      if (t != null) {
        any = true;
        if (!plainInteger(t)) {
          return ArrowType.Utf8.INSTANCE;
        }
      }
    }
    return any ? INT64 : ArrowType.Utf8.INSTANCE;
  }

  /** Whether {@code t} reads as a long and writes back the same (no {@code +}, {@code 007}). */
  private static boolean plainInteger(String t) {
    try {
      return Long.toString(Long.parseLong(t)).equals(t);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The partition columns, in path order. */
  List<Field> fields() {
    return fields;
  }

  /** Whether there are no partition columns. */
  boolean isEmpty() {
    return fields.isEmpty();
  }

  /** The partition values of {@code file}, in field order. */
  Object[] values(Path file) {
    return values.get(file).clone();
  }

  /** Whether {@code name} is a partition column. */
  boolean has(String name) {
    return fields.stream().anyMatch(f -> f.getName().equals(name));
  }

  /**
   * {@code block} (rows read from {@code file}) with the file's partition values appended as
   * columns, charged to the block's account; the input block is spent either way.
   *
   * @throws ColumnException if the file has a column named like a partition key
   */
  Block append(Block block, Path file) {
    if (fields.isEmpty()) {
      return block;
    }
    Object[] row = values.get(file);
    int rows = block.rowCount();
    return append(block, file, (field, k) -> constant(field, row[k], rows, block.owner()));
  }

  /**
   * {@code block} with partition columns appended whose row r holds the values of {@code
   * rowFiles.get(r)} (for sources that put several files in one block, a row per file).
   */
  Block appendRows(Block block, List<Path> rowFiles) {
    if (fields.isEmpty()) {
      return block;
    }
    return append(block, rowFiles.get(0), (field, k) -> {
      FieldVector v = field.createVector(block.owner().allocator());
      try {
        v.setInitialCapacity(rowFiles.size());
        v.allocateNew();
        for (int r = 0; r < rowFiles.size(); r++) {
          JavaValues.set(v, r, values.get(rowFiles.get(r))[k]);
        }
        v.setValueCount(rowFiles.size());
        return v;
      } catch (RuntimeException e) {
        v.close();
        throw e;
      }
    });
  }

  /** Travels as its {@link Form}. */
  @Serial
  private Object writeReplace() {
    Map<String, Object[]> byName = new HashMap<>();
    values.forEach((file, row) -> byName.put(file.toAbsolutePath().toString(), row));
    return new Form(new Schema(fields).toJson(), byName);
  }

  @Serial
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("HivePartitions travel as their Form");
  }

  /**
   * Partition columns as they travel: the fields as Arrow's schema JSON, each file's values by
   * its absolute path name.
   */
  private record Form(String fields, Map<String, Object[]> values) implements Serializable {
    @Serial
    private Object readResolve() throws IOException {
      if (values.isEmpty()) {
        return NONE;
      }
      Map<Path, Object[]> byPath = new HashMap<>();
      values.forEach((file, row) -> byPath.put(Path.of(file), row));
      return new HivePartitions(List.copyOf(Schema.fromJSON(fields).getFields()), byPath);
    }
  }

  /** Makes the vector of partition column {@code k}. */
  @FunctionalInterface
  private interface ColumnMaker {
    FieldVector make(Field field, int k);
  }

  private Block append(Block block, Path file, ColumnMaker maker) {
    try (block) {
      for (Field f : fields) {
        if (block.root().getVector(f.getName()) != null) {
          throw new ColumnException(f.getName(), "is a column of " + file + " and a partition"
              + " key in its path; read with Partitioning.none() or rename one of them");
        }
      }
      Account account = block.owner();
      return account.allocate(() -> {
        List<FieldVector> added = new ArrayList<>(fields.size());
        try {
          for (int k = 0; k < fields.size(); k++) {
            added.add(maker.make(fields.get(k), k));
          }
          List<FieldVector> vectors = new ArrayList<>(block.root().getFieldVectors());
          vectors.addAll(added);
          List<Field> all = new ArrayList<>(block.schema().getFields());
          all.addAll(fields);
          // Moves the block's vectors and the new ones into a block of their own, zero-copy.
          return Block.adopt(new VectorSchemaRoot(all, vectors, block.rowCount()), account);
        } finally {
          added.forEach(FieldVector::close);
        }
      });
    }
  }

  /** {@code rows} copies of {@code value}: set once, then copied slot to slot. */
  private static FieldVector constant(Field field, Object value, int rows, Account account) {
    FieldVector v = field.createVector(account.allocator());
    try (FieldVector one = field.createVector(account.allocator())) {
      v.setInitialCapacity(rows);
      v.allocateNew();
      one.setInitialCapacity(1);
      one.allocateNew();
      JavaValues.set(one, 0, value);
      one.setValueCount(1);
      for (int r = 0; r < rows; r++) {
        v.copyFromSafe(0, r, one);
      }
      v.setValueCount(rows);
      return v;
    } catch (RuntimeException e) {
      v.close();
      throw e;
    }
  }
}
