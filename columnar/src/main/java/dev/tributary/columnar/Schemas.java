package dev.tributary.columnar;

import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

/**
 * The rules every schema Tributary forms follows, shared by blocks, operators, sinks and the
 * plan.
 *
 * <p>Column names are unique ({@link #requireUniqueNames}). A column of Arrow's null type is one
 * whose type is not known yet (it was null in every row of its block); where blocks of one stream
 * meet (concatenation, a union, a sink), it takes the type the same column has in the others
 * ({@link #unify}), and {@link #conform} brings a block to that type. Nullability widens the same
 * way: a column nullable in one block is nullable in the unified schema.
 */
public final class Schemas {
  private Schemas() {}

  /**
   * Checks that no two fields share a name.
   *
   * @param where the operation forming the schema, for the message
   * @throws ColumnException naming the first repeated column, the operation and the columns
   */
  public static void requireUniqueNames(List<Field> fields, String where) {
    Set<String> seen = new HashSet<>();
    for (Field f : fields) {
      if (!seen.add(f.getName())) {
        throw new ColumnException(f.getName(), "appears twice in " + where + " ("
            + fields.stream().map(Field::getName).toList() + "); rename or drop one first");
      }
    }
  }

  /**
   * The schema blocks of {@code known} and {@code next} share: the same column names in the same
   * order, each column's type the one they agree on, where a null-typed column (at any depth)
   * takes the other's type and nullability widens.
   *
   * @param where the operation combining them, for the message
   * @throws SchemaMismatchException if names, order or non-null types differ
   */
  public static Schema unify(Schema known, Schema next, String where) {
    if (known.getFields().equals(next.getFields())) {
      return known;
    }
    List<Field> a = known.getFields();
    List<Field> b = next.getFields();
    if (a.size() != b.size()) {
      throw new SchemaMismatchException(where, known, next);
    }
    List<Field> fields = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      Field f = unify(a.get(i), b.get(i));
      if (f == null) {
        throw new SchemaMismatchException(where, known, next);
      }
      fields.add(f);
    }
    return new Schema(fields);
  }

  /** The field both {@code a} and {@code b} fit in, or null if there is none. */
  private static Field unify(Field a, Field b) {
    if (!a.getName().equals(b.getName())) {
      return null;
    }
    if (a.equals(b)) {
      return a;
    }
    if (a.getType() instanceof ArrowType.Null) {
      return nullable(b);
    }
    if (b.getType() instanceof ArrowType.Null) {
      return nullable(a);
    }
    if (!a.getType().equals(b.getType()) || a.getChildren().size() != b.getChildren().size()) {
      return null;
    }
    List<Field> children = new ArrayList<>(a.getChildren().size());
    for (int i = 0; i < a.getChildren().size(); i++) {
      Field child = unify(a.getChildren().get(i), b.getChildren().get(i));
      if (child == null) {
        return null;
      }
      children.add(child);
    }
    return new Field(a.getName(), new FieldType(a.isNullable() || b.isNullable(), a.getType(),
        a.getDictionary(), a.getMetadata()), children);
  }

  private static Field nullable(Field f) {
    return f.isNullable() ? f : new Field(f.getName(), new FieldType(true, f.getType(),
        f.getDictionary(), f.getMetadata()), f.getChildren());
  }

  /** Whether any column of {@code schema}, or any field nested in one, has the null type. */
  public static boolean hasNullTypes(Schema schema) {
    return schema.getFields().stream().anyMatch(Schemas::hasNullType);
  }

  private static boolean hasNullType(Field f) {
    return f.getType() instanceof ArrowType.Null
        || f.getChildren().stream().anyMatch(Schemas::hasNullType);
  }

  /**
   * {@code block} with the schema {@code target} (a unification of its own, see {@link
   * #unify}): a second handle to the block ({@link Block#retain()}) when it already has it, else
   * a new block in {@code out} whose columns of the same field are shared zero-copy and whose
   * others (null-typed, or differing in nullability) are rebuilt with the target's type; either
   * way the caller closes both.
   *
   * @throws SchemaMismatchException if the block's schema does not unify with {@code target}
   */
  public static Block conform(Block block, Schema target, Account out) {
    Schema own = block.schema();
    if (own.getFields().equals(target.getFields())) {
      return block.retain();
    }
    if (!unify(target, own, "conform").getFields().equals(target.getFields())) {
      throw new SchemaMismatchException("conform", target, own);
    }
    VectorSchemaRoot root = block.root();
    int rows = root.getRowCount();
    return out.allocate(() -> {
      List<FieldVector> vectors = new ArrayList<>(target.getFields().size());
      try {
        for (int c = 0; c < target.getFields().size(); c++) {
          vectors.add(column(root.getVector(c), target.getFields().get(c), rows, out));
        }
      } catch (RuntimeException e) {
        vectors.forEach(FieldVector::close);
        throw e;
      }
      List<Field> fields = vectors.stream().map(FieldVector::getField).toList();
      return Block.wrap(new VectorSchemaRoot(fields, vectors, rows), out);
    });
  }

  /** Column {@code source} as a vector of {@code field} in {@code out}. */
  private static FieldVector column(FieldVector source, Field field, int rows, Account out) {
    if (source.getField().equals(field)) {
      TransferPair pair = source.getTransferPair(out.allocator());
      pair.splitAndTransfer(0, rows);
      return (FieldVector) pair.getTo();
    }
    // Rare (a column whose type became known, or nullability widened): values are rebuilt,
    // which keeps every null a null and every value as it was.
    FieldVector target = field.createVector(out.allocator());
    try {
      target.setInitialCapacity(rows);
      target.allocateNew();
      ColumnType from = ColumnType.of(source);
      ColumnType to = ColumnType.of(target);
      for (int i = 0; i < rows; i++) {
        JavaValues.set(to, target, i, JavaValues.get(from, source, i));
      }
      target.setValueCount(rows);
      return target;
    } catch (RuntimeException e) {
      target.close();
      throw e;
    }
  }
}
