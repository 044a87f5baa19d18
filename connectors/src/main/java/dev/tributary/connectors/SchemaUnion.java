package dev.tributary.connectors;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

/**
 * The one schema the files of a source are read in, unified from their own schemas when the
 * source is planned (footers only), in the spirit of Arrow's schema unification: a column keeps
 * its type where every file agrees; a flat column widens where every value converts exactly
 * (int8 → int16 → int32 → int64, float32 → float64, int8/int16 → float32, int8 to int32 →
 * float64); a column some files lack reads as nulls there; a column nullable in one file is
 * nullable. Anything else (int64 and float64, utf8 and int64, nested columns of different types)
 * is refused with a {@link ColumnException} naming the column, both files and both types.
 * {@link #conversion} turns a file's blocks into the unified schema.
 */
final class SchemaUnion {
  /** The types a flat column may widen to, narrowest first (the first both sides fit wins). */
  private static final List<ArrowType> WIDENING = List.of(new ArrowType.Int(8, true),
      new ArrowType.Int(16, true), new ArrowType.Int(32, true), new ArrowType.Int(64, true),
      new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE),
      new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));

  private final Schema schema;

  private SchemaUnion(Schema schema) {
    this.schema = schema;
  }

  /**
   * Unifies the schemas of {@code files} (one each, same order). The columns are {@code
   * columns} in that order when given (each must be in at least one file), else every column of
   * every file in the order they are first seen.
   *
   * @throws ColumnException if two files disagree on a column beyond widening, or a named column
   *     is in no file
   */
  static SchemaUnion of(List<Path> files, List<Schema> schemas, List<String> columns) {
    Map<String, Column> unified = new LinkedHashMap<>();
    if (columns != null) {
      columns.forEach(name -> unified.put(name, null));
    }
    for (int i = 0; i < files.size(); i++) {
      for (Field field : schemas.get(i).getFields()) {
        Column seen = unified.get(field.getName());
        unified.put(field.getName(), seen == null ? new Column(field, files.get(i))
            : seen.with(field, files.get(i)));
      }
    }
    List<Field> fields = new ArrayList<>(unified.size());
    unified.forEach((name, column) -> {
      if (column == null) {
        throw new ColumnException(name, "not in any of the " + files.size() + " files; "
            + (files.isEmpty() ? "" : files.get(0) + " has "
            + schemas.get(0).getFields().stream().map(Field::getName).toList()));
      }
      boolean inEvery = schemas.stream().allMatch(s -> hasField(s, name));
      fields.add(inEvery ? column.field : nullable(column.field));
    });
    return new SchemaUnion(new Schema(fields));
  }

  /** The unified schema. */
  Schema schema() {
    return schema;
  }

  /**
   * How blocks of a file whose columns are {@code file} become blocks of the unified schema, or
   * null when they already are.
   */
  Conversion conversion(Schema file) {
    return file.equals(schema) ? null : new Conversion(file, schema);
  }

  private static boolean hasField(Schema schema, String name) {
    return schema.getFields().stream().anyMatch(f -> f.getName().equals(name));
  }

  private static Field nullable(Field f) {
    return f.isNullable() ? f : new Field(f.getName(),
        new FieldType(true, f.getType(), f.getDictionary(), f.getMetadata()), f.getChildren());
  }

  /**
   * A column's unified field so far, and a file that holds it with its own field there (the
   * file named when a later one disagrees).
   */
  private record Column(Field field, Path file, Field inFile) {
    Column(Field field, Path file) {
      this(field, file, field);
    }

    /** This column unified with {@code other}, read from {@code otherFile}. */
    Column with(Field other, Path otherFile) {
      boolean nullable = field.isNullable() || other.isNullable();
      ArrowType type = field.getType();
      if (type.equals(other.getType()) && field.getChildren().equals(other.getChildren())) {
        return nullable == field.isNullable() ? this
            : new Column(SchemaUnion.nullable(field), file, inFile);
      }
      ArrowType wider = field.getChildren().isEmpty() && other.getChildren().isEmpty()
          ? widening(type, other.getType()) : null;
      if (wider == null) {
        throw new ColumnException(field.getName(), "is " + describe(inFile) + " in " + file
            + " but " + describe(other) + " in " + otherFile + "; the files of one source must"
            + " agree on each column's type up to exact widening (int8 → int16 → int32 →"
            + " int64, float32 → float64, int8/int16 → float32, int8 to int32 → float64)");
      }
      Field widened = new Field(field.getName(), new FieldType(nullable, wider, null), null);
      return wider.equals(type) ? new Column(widened, file, inFile)
          : new Column(widened, otherFile, other);
    }

    /** The field's type (and children) as Arrow prints it, without its name. */
    private static String describe(Field f) {
      return f.toString().substring(f.getName().length() + 2);
    }
  }

  /** The narrowest type every value of {@code a} and of {@code b} converts to exactly, or null. */
  private static ArrowType widening(ArrowType a, ArrowType b) {
    for (ArrowType candidate : WIDENING) {
      if (fits(a, candidate) && fits(b, candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** Whether every value of {@code type} is exactly a value of {@code target}. */
  private static boolean fits(ArrowType type, ArrowType target) {
    if (type.equals(target)) {
      return true;
    }
    if (!(type instanceof ArrowType.Int i) || !i.getIsSigned()) {
      return type instanceof ArrowType.FloatingPoint f
          && f.getPrecision() == FloatingPointPrecision.SINGLE
          && target instanceof ArrowType.FloatingPoint t
          && t.getPrecision() == FloatingPointPrecision.DOUBLE;
    }
    if (target instanceof ArrowType.Int t) {
      return t.getIsSigned() && t.getBitWidth() >= i.getBitWidth();
    }
    if (target instanceof ArrowType.FloatingPoint t) {
      // A float's significand holds 24 (single) or 53 (double) bits exactly.
      int significand = t.getPrecision() == FloatingPointPrecision.SINGLE ? 24 : 53;
      return t.getPrecision() != FloatingPointPrecision.HALF && i.getBitWidth() < significand;
    }
    return false;
  }

  /**
   * Turns one file's blocks into the unified schema, resolved once per file: columns of the same
   * field move over unchanged, columns that only became nullable move into a nullable vector
   * (zero-copy), narrower flat columns are widened value by value, and missing columns are
   * all-null vectors.
   */
  static final class Conversion {
    private final Schema target;
    /** Per target column: its position in the file's blocks, or -1 when the file lacks it. */
    private final int[] source;

    private Conversion(Schema file, Schema target) {
      this.target = target;
      this.source = new int[target.getFields().size()];
      for (int c = 0; c < source.length; c++) {
        String name = target.getFields().get(c).getName();
        source[c] = -1;
        for (int f = 0; f < file.getFields().size(); f++) {
          if (file.getFields().get(f).getName().equals(name)) {
            source[c] = f;
          }
        }
      }
    }

    /** {@code block} in the unified schema, charged to {@code account}; the input is spent. */
    Block apply(Block block, Account account) {
      try (block) {
        return account.allocate(() -> {
          int rows = block.rowCount();
          List<FieldVector> in = block.root().getFieldVectors();
          List<FieldVector> out = new ArrayList<>(source.length);
          try {
            for (int c = 0; c < source.length; c++) {
              Field field = target.getFields().get(c);
              FieldVector from = source[c] < 0 ? null : in.get(source[c]);
              out.add(from == null ? nulls(field, rows, account)
                  : from.getField().equals(field) ? from
                  : from.getField().getType().equals(field.getType()) ? retyped(from, field,
                  account) : widened(from, field, rows, account));
            }
            // Moves every vector (the input's unchanged ones, zero-copy) into a block of its own.
            return Block.adopt(new VectorSchemaRoot(target.getFields(), out, rows), account);
          } finally {
            for (FieldVector v : out) {
              if (in.stream().noneMatch(x -> x == v)) {
                v.close(); // emptied by the move, or never handed over when this failed
              }
            }
          }
        });
      }
    }

    private static FieldVector nulls(Field field, int rows, Account account) {
      FieldVector v = field.createVector(account.allocator());
      v.setInitialCapacity(rows);
      v.allocateNew();
      v.setValueCount(rows);
      return v;
    }

    /** {@code from}'s buffers in a vector of {@code field} (the same type, now nullable). */
    private static FieldVector retyped(FieldVector from, Field field, Account account) {
      TransferPair pair = from.getTransferPair(field, account.allocator());
      pair.transfer();
      return (FieldVector) pair.getTo();
    }

    /** {@code from}'s values widened into a new vector of {@code field}. */
    private static FieldVector widened(FieldVector from, Field field, int rows, Account account) {
      FieldVector to = field.createVector(account.allocator());
      try {
        to.setInitialCapacity(rows);
        to.allocateNew();
        if (to instanceof BaseIntVector ints) {
          BaseIntVector narrow = (BaseIntVector) from;
          for (int r = 0; r < rows; r++) {
            if (!from.isNull(r)) {
              ints.setWithPossibleTruncate(r, narrow.getValueAsLong(r)); // never truncates
            }
          }
        } else if (from instanceof BaseIntVector narrow) {
          FloatingPointVector floats = (FloatingPointVector) to;
          for (int r = 0; r < rows; r++) {
            if (!from.isNull(r)) {
              floats.setWithPossibleTruncate(r, (double) narrow.getValueAsLong(r));
            }
          }
        } else {
          FloatingPointVector floats = (FloatingPointVector) to;
          FloatingPointVector narrow = (FloatingPointVector) from;
          for (int r = 0; r < rows; r++) {
            if (!from.isNull(r)) {
              floats.setWithPossibleTruncate(r, narrow.getValueAsDouble(r));
            }
          }
        }
        to.setValueCount(rows);
        return to;
      } catch (RuntimeException e) {
        to.close();
        throw e;
      }
    }
  }
}
