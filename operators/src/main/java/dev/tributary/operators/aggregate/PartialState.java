package dev.tributary.operators.aggregate;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * A {@link Aggregate#partial() partial} aggregation: the rows accumulate as the aggregation's own
 * do, and each group finishes as the aggregation's states (those a spill writes) in one struct
 * column, which {@link CombinedStates} merges where the parts meet.
 */
final class PartialState extends Accumulator {
  /** The states that hold input values (typed like the input: exact longs for integers). */
  static final Set<String> VALUE_STATES = Set.of("sum", "min", "max");

  private final Accumulator states;
  private final boolean untyped;

  /**
   * Finishes {@code states} as a struct; {@code untyped} when the input column is of Arrow's
   * null type (no part of the input seen): its value states are then of the null type too, so
   * that the combiner takes their type from the parts that had values.
   */
  PartialState(Accumulator states, boolean untyped) {
    this.states = states;
    this.untyped = untyped;
  }

  @Override
  void grow(int groups) {
    states.grow(groups);
  }

  @Override
  void accumulate(Block block, int[] groupOf, Account scratch) {
    states.accumulate(block, groupOf, scratch);
  }

  @Override
  void load(long rows, ValueStates values) {
    states.load(rows, values);
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

  /** The groups' states as the struct column {@code name}, one child per state. */
  @Override
  FieldVector finish(String name, int[] groups, BufferAllocator allocator) {
    List<FieldVector> parts = states.writeStates("", groups, allocator);
    try {
      Field field = new Field(name, FieldType.notNullable(ArrowType.Struct.INSTANCE),
          parts.stream().map(p -> valueless(p) ? new Field(p.getName(),
              FieldType.nullable(ArrowType.Null.INSTANCE), null) : p.getField()).toList());
      StructVector out = (StructVector) field.createVector(allocator);
      try {
        for (FieldVector part : parts) {
          if (!valueless(part)) {
            part.makeTransferPair(out.getChild(part.getName())).transfer();
          }
        }
        for (int i = 0; i < groups.length; i++) {
          out.setIndexDefined(i);
        }
        out.setValueCount(groups.length);
        return out;
      } catch (RuntimeException e) {
        out.close();
        throw e;
      }
    } finally {
      parts.forEach(FieldVector::close); // emptied by the transfers
    }
  }

  /** Whether {@code state} holds no value (no row had one) and so is of the null type. */
  private boolean valueless(FieldVector state) {
    return untyped && VALUE_STATES.contains(state.getName());
  }

  @Override
  long heapBytes() {
    return states.heapBytes();
  }
}
