package dev.tributary.operators.aggregate;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * An aggregation's {@link Aggregate#combiner() combiner} over its parts' states (the struct
 * columns {@link PartialState} makes): each row's states merge into its group as a spilled
 * aggregation's do, and the groups finish as the aggregation itself would.
 */
final class CombinedStates extends Accumulator {
  private static final ArrowType INT64 = new ArrowType.Int(64, true);
  private static final ArrowType FLOAT64 =
      new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

  private final Aggregate aggregate;
  private final String column;
  private NumericAccumulator states;
  /** Whether the value states' type is known (a part with values was seen). */
  private boolean typed;
  private int groups;

  private CombinedStates(Aggregate aggregate, String column, ArrowType values) {
    this.aggregate = aggregate;
    this.column = column;
    this.typed = values != null;
    this.states = new NumericAccumulator(aggregate, values == null ? FLOAT64 : values);
  }

  /**
   * The combiner of {@code aggregate} over the state column {@code field}: integer value states
   * (an integer column's exact sum, minimum, maximum) read as such.
   */
  static CombinedStates of(Aggregate aggregate, Field field) {
    return new CombinedStates(aggregate, field.getName(), valueType(field));
  }

  /**
   * The type of the value states of a state column: int64 or float64, or null when its part
   * had no typed input (value states of the null type, see {@link PartialState}) or keeps none.
   */
  private static ArrowType valueType(Field field) {
    for (Field state : field.getChildren()) {
      if (PartialState.VALUE_STATES.contains(state.getName())) {
        return state.getType() instanceof ArrowType.Int ? INT64
            : state.getType() instanceof ArrowType.FloatingPoint ? FLOAT64 : null;
      }
    }
    return null;
  }

  @Override
  void grow(int groups) {
    this.groups = Math.max(this.groups, groups);
    states.grow(groups);
  }

  /**
   * Merges each row's states; a column of Arrow's null type (no part had a row) adds none. The
   * first part with typed value states fixes their type: the states merged before it, from
   * parts without values, move over (their counts only: they hold no value).
   */
  @Override
  void accumulate(Block block, int[] groupOf, Account scratch) {
    if (!(block.vector(column) instanceof StructVector parts)) {
      return;
    }
    ArrowType values = typed ? null : valueType(parts.getField());
    if (values != null) {
      NumericAccumulator retyped = new NumericAccumulator(aggregate, values);
      retyped.grow(groups);
      int[] all = new int[groups];
      Arrays.setAll(all, g -> g);
      List<FieldVector> before = states.writeStates("", all, scratch.allocator());
      try {
        retyped.merge(before, all, groups);
      } finally {
        before.forEach(FieldVector::close);
      }
      states = retyped;
      typed = true;
    }
    states.merge(parts.getChildrenFromFields(), groupOf, block.rowCount());
  }

  @Override
  int stateColumns() {
    return states.stateColumns();
  }

  @Override
  List<FieldVector> writeStates(String prefix, int[] groups, BufferAllocator allocator) {
    return states.writeStates(prefix, groups, allocator);
  }

  @Override
  void merge(List<FieldVector> partial, int[] groupOf, int rows) {
    states.merge(partial, groupOf, rows);
  }

  @Override
  FieldVector finish(String name, int[] groups, BufferAllocator allocator) {
    return states.finish(name, groups, allocator);
  }

  @Override
  long heapBytes() {
    return states.heapBytes();
  }
}
