package dev.tributary.operators.aggregate;

import dev.tributary.columnar.Blocks;
import dev.tributary.columnar.JavaValues;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * A {@link UserAggregate}: one accumulator object per group. Each block is cut into one batch
 * per group present in it (rows in block order), unless the whole block is one group.
 */
final class UserAccumulator extends Accumulator {
  @SuppressWarnings("rawtypes")
  private final UserAggregate user;
  private Object[] accumulators = new Object[0];
  private int groups;

  UserAccumulator(UserAggregate<?> user) {
    this.user = user;
  }

  @Override
  void grow(int groups) {
    if (groups > accumulators.length) {
      accumulators = Arrays.copyOf(accumulators, capacity(accumulators.length, groups));
    }
    for (int g = this.groups; g < groups; g++) {
      accumulators[g] = user.init();
    }
    this.groups = Math.max(this.groups, groups);
  }

  @Override
  @SuppressWarnings("unchecked")
  void accumulate(Block block, int[] groupOf, Account scratch) {
    int rows = block.rowCount();
    if (rows == 0) {
      return;
    }
    int first = groupOf[0];
    boolean one = true;
    for (int i = 1; i < rows && one; i++) {
      one = groupOf[i] == first;
    }
    if (one) {
      accumulators[first] = user.accumulate(accumulators[first], block.root());
      return;
    }
    // Rows of each group, in block order: a counting sort by group id.
    int[] order = GroupRows.order(groupOf, rows);
    int start = 0;
    while (start < rows) {
      int g = groupOf[order[start]];
      int end = start;
      while (end < rows && groupOf[order[end]] == g) {
        end++;
      }
      try (Block part = Blocks.take(block, Arrays.copyOfRange(order, start, end), scratch)) {
        accumulators[g] = user.accumulate(accumulators[g], part.root());
      }
      start = end;
    }
  }

  @Override
  int stateColumns() {
    return 1;
  }

  @Override
  List<FieldVector> writeStates(String prefix, int[] groups, BufferAllocator allocator) {
    List<Object> values = new ArrayList<>(groups.length);
    for (int g : groups) {
      values.add(accumulators[g]);
    }
    return List.of(column(prefix + "state", values, allocator));
  }

  private static FieldVector column(String name, List<Object> values, BufferAllocator allocator) {
    Field field = JavaValues.infer(name, values);
    FieldVector out = field.createVector(allocator);
    out.allocateNew();
    for (int i = 0; i < values.size(); i++) {
      JavaValues.set(out, i, values.get(i));
    }
    out.setValueCount(values.size());
    return out;
  }

  @Override
  @SuppressWarnings("unchecked")
  void merge(List<FieldVector> states, int[] groupOf, int rows) {
    FieldVector in = states.get(0);
    for (int i = 0; i < rows; i++) {
      int g = groupOf[i];
      accumulators[g] = user.merge(accumulators[g], JavaValues.get(in, i));
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  FieldVector finish(String name, int[] groups, BufferAllocator allocator) {
    List<Object> values = new ArrayList<>(groups.length);
    for (int g : groups) {
      values.add(user.finish(accumulators[g]));
    }
    return column(name, values, allocator);
  }

  @Override
  long heapBytes() {
    return 64L * groups;
  }
}
