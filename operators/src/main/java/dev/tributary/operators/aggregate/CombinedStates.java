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
  private Accumulator states;
  /** The value state of an ordered minimum or maximum (its type), once typed. */
  private Field orderedValue;
  /** Whether the value states' type is known (a part with values was seen). */
  private boolean typed;
  private int groups;

  private CombinedStates(Aggregate aggregate, Field field) {
    this.aggregate = aggregate;
    this.column = field.getName();
    Accumulator known = typed(aggregate, field);
    this.typed = known != null;
    this.states = known != null ? known : new NumericAccumulator(aggregate, FLOAT64);
    this.orderedValue = field.getChildren().stream()
        .filter(f -> f.getName().equals(OrderedAccumulator.VALUE)).findFirst().orElse(null);
  }

  /**
   * The combiner of {@code aggregate} over the state column {@code field}: integer value states
   * (an integer column's exact sum, minimum, maximum) read as such, a non-numeric column's
   * minimum or maximum in its own type.
   */
  static CombinedStates of(Aggregate aggregate, Field field) {
    return new CombinedStates(aggregate, field);
  }

  /**
   * What merges the states of the state column {@code field}: an {@link OrderedAccumulator} for
   * a non-numeric minimum or maximum (its value state in the column's type), a {@link
   * NumericAccumulator} of int64 or float64 value states; null when the part had no typed input
   * (value states of the null type, see {@link PartialState}) or keeps no value state.
   */
  private static Accumulator typed(Aggregate aggregate, Field field) {
    for (Field state : field.getChildren()) {
      if (state.getName().equals(OrderedAccumulator.VALUE)
          && !(state.getType() instanceof ArrowType.Null)) {
        return new OrderedAccumulator(state.getName(), state,
            aggregate.kind() == Aggregate.Kind.MAX, aggregate.ignoresNulls());
      }
      if (PartialState.VALUE_STATES.contains(state.getName())) {
        ArrowType values = state.getType() instanceof ArrowType.Int ? INT64
            : state.getType() instanceof ArrowType.FloatingPoint ? FLOAT64 : null;
        return values == null ? null : new NumericAccumulator(aggregate, values);
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
    Accumulator retyped = typed ? null : typed(aggregate, parts.getField());
    if (retyped != null) {
      retyped.grow(groups);
      int[] all = new int[groups];
      Arrays.setAll(all, g -> g);
      List<FieldVector> before = states.writeStates("", all, scratch.allocator());
      try {
        if (retyped instanceof OrderedAccumulator ordered) {
          orderedValue = parts.getField().getChildren().stream()
              .filter(f -> f.getName().equals(OrderedAccumulator.VALUE)).findFirst()
              .orElseThrow();
          countsOnly(ordered, before, all, all.length, scratch);
        } else {
          retyped.merge(before, all, groups);
        }
      } finally {
        before.forEach(FieldVector::close);
      }
      states = retyped;
      typed = true;
    }
    List<FieldVector> merged = parts.getChildrenFromFields();
    if (states instanceof OrderedAccumulator ordered && parts.getChild(OrderedAccumulator.VALUE)
        == null) {
      countsOnly(ordered, merged, groupOf, block.rowCount(), scratch); // an untyped part's
    } else {
      states.merge(merged, groupOf, block.rowCount());
    }
  }

  /**
   * Merges the null counts of untyped numeric states (a part that had no typed input) into
   * {@code ordered}, as its states of no value (a value state all null).
   */
  private void countsOnly(OrderedAccumulator ordered, List<FieldVector> numeric, int[] groupOf,
      int rows, Account scratch) {
    try (FieldVector none = orderedValue.createVector(scratch.allocator())) {
      none.allocateNew();
      none.setValueCount(rows);
      FieldVector nulls = numeric.stream().filter(v -> v.getName().equals("nulls")).findFirst()
          .orElseThrow();
      ordered.merge(List.of(none, nulls), groupOf, rows);
    }
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
