package dev.tributary.spark;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.spark.sql.util.ArrowUtils;
import org.apache.spark.sql.vectorized.ArrowColumnVector;
import org.apache.spark.sql.vectorized.ColumnVector;

/**
 * Tributary's columns as Spark reads them: Arrow vectors wrapped as {@link ArrowColumnVector}s,
 * no copy, except millisecond timestamps, which Spark's Arrow reader does not take: they are
 * copied as microseconds (exact). Nanosecond timestamps would lose digits and are refused, as
 * are types Spark has none for.
 */
final class FrameColumns {
  private FrameColumns() {}

  /**
   * The schema Spark sees for blocks of {@code blocks}: millisecond timestamps as microseconds.
   *
   * @throws ColumnException naming a column Spark cannot read exactly
   */
  static Schema sparkSchema(Schema blocks) {
    List<Field> fields = new ArrayList<>();
    for (Field f : blocks.getFields()) {
      Field spark = f;
      if (f.getType() instanceof ArrowType.Timestamp t && t.getUnit() != TimeUnit.MICROSECOND) {
        if (t.getUnit() != TimeUnit.MILLISECOND) {
          throw new ColumnException(f.getName(), "is a " + t + " column; Spark keeps"
              + " microseconds: cast it to a microsecond timestamp first");
        }
        spark = new Field(f.getName(), new FieldType(f.isNullable(),
            new ArrowType.Timestamp(TimeUnit.MICROSECOND, t.getTimezone()), null), null);
      }
      try {
        ArrowUtils.fromArrowField(spark);
      } catch (RuntimeException e) {
        throw new ColumnException(f.getName(), "has type " + f.getType() + ", which Spark"
            + " cannot read from Arrow: " + e.getMessage());
      }
      fields.add(spark);
    }
    return new Schema(fields);
  }

  /**
   * {@code block}'s columns in {@code schema}'s order as Spark's vectors; converted copies are
   * made in {@code account} and added to {@code made}, for the caller to close with the block.
   *
   * @throws ColumnException if the block lacks a column or has it as another type
   */
  static ColumnVector[] of(Block block, Schema schema, Account account, List<FieldVector> made) {
    ColumnVector[] columns = new ColumnVector[schema.getFields().size()];
    for (int c = 0; c < columns.length; c++) {
      Field want = schema.getFields().get(c);
      FieldVector v = block.root().getVector(want.getName());
      if (v == null) {
        throw new ColumnException(want.getName(), "is in the frame's schema but not in a block"
            + " of it; its columns are " + block.schema().getFields().stream()
            .map(Field::getName).toList());
      }
      ArrowType has = v.getField().getType();
      if (!has.equals(want.getType())) {
        if (!(has instanceof ArrowType.Timestamp t && t.getUnit() == TimeUnit.MILLISECOND
            && want.getType() instanceof ArrowType.Timestamp)) {
          throw new ColumnException(want.getName(), "is a " + has + " column in a block of a"
              + " frame whose schema says " + want.getType());
        }
        v = micros(v, want, account);
        made.add(v);
      }
      columns[c] = new ArrowColumnVector(v);
    }
    return columns;
  }

  /** A millisecond timestamp vector as microseconds, in {@code account}. */
  private static FieldVector micros(FieldVector millis, Field want, Account account) {
    return account.allocate(() -> {
      FieldVector out = want.createVector(account.allocator());
      try {
        int rows = millis.getValueCount();
        out.setInitialCapacity(rows);
        out.allocateNew();
        // Both hold a validity bit and 8 bytes per row; allocateNew left every row null.
        for (int r = 0; r < rows; r++) {
          if (!millis.isNull(r)) {
            BitVectorHelper.setBit(out.getValidityBuffer(), r);
            out.getDataBuffer().setLong(r * 8L,
                Math.multiplyExact(millis.getDataBuffer().getLong(r * 8L), 1000L));
          }
        }
        out.setValueCount(rows);
        return out;
      } catch (RuntimeException e) {
        out.close();
        throw e;
      }
    });
  }
}
