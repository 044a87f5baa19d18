package dev.tributary.operators.aggregate;

import dev.tributary.columnar.JavaValues;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.ByteKeyTable;
import dev.tributary.operators.HashPartitioner;
import dev.tributary.operators.KeyBytes;
import dev.tributary.operators.LongIdTable;
import dev.tributary.operators.LongKeyColumn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A hash table from key values to group ids, with one {@link Accumulator} per aggregation. It
 * takes input blocks ({@link #accumulate}) or partial blocks ({@link #merge}: keys then each
 * accumulator's state columns, as {@link #partial} writes them), and gives the results ({@link
 * #finish}). Without keys there is exactly one group, also over no rows. Group ids are dense, in
 * the order groups are first seen.
 *
 * <p>One integer-like key ({@link LongKeyColumn#holds}) is kept unboxed: a {@link LongIdTable}
 * from the key's long to its group id, the null group apart. Other keys whose columns all have
 * normalised bytes ({@link KeyBytes#encodes}: strings, several columns, ...) are kept as those
 * bytes in a {@link ByteKeyTable}; the rest (floating-point, nested) as boxed Java values in a
 * {@link HashMap}.
 */
final class GroupTable {
  private final List<String> keys;
  private final List<Field> keyFields;
  private final List<Aggregate> aggregates;
  private final List<Accumulator> accumulators;
  /** One integer-like key: its values to group ids; null otherwise. */
  private final LongIdTable longIds;
  /** One integer-like key: each group's key value (the null group's slot unused). */
  private long[] longKeys = new long[0];
  /** One integer-like key: the null key's group, or -1 while there is none. */
  private int nullGroup = -1;
  /** Keys with normalised bytes (not one integer-like key): their bytes to group ids. */
  private final ByteKeyTable byteIds;
  private final Map<Object, Integer> ids = new HashMap<>();
  /** Zeros: the group of every row when there are no keys (never written). */
  private int[] globalGroup = new int[0];
  private final List<Object> keyValues = new ArrayList<>();
  private int groupCount;
  private long keyBytes;

  GroupTable(List<String> keys, List<Aggregate> aggregates, Schema input) {
    this.keys = keys;
    this.keyFields = keys.stream().map(k -> {
      Field f = input.findField(k);
      return new Field(k, FieldType.nullable(f.getType()), f.getChildren());
    }).toList();
    this.aggregates = aggregates;
    this.accumulators = aggregates.stream().map(a -> a.accumulator(input)).toList();
    this.longIds = keys.size() == 1 && LongKeyColumn.holds(keyFields.get(0).getType())
        ? new LongIdTable(16) : null;
    this.byteIds = longIds == null && !keys.isEmpty() && keyFields.stream().allMatch(f ->
        KeyBytes.encodes(f.getType()) && !(f.getType() instanceof ArrowType.Null))
        ? new ByteKeyTable() : null;
    if (keys.isEmpty()) {
      group(List.of());
    }
  }

  /** The number of groups. */
  int size() {
    return groupCount;
  }

  /** About how many heap bytes the table takes. */
  long heapBytes() {
    long bytes = longIds != null ? longIds.heapBytes() + 8L * longKeys.length
        : byteIds != null ? byteIds.heapBytes() : keyBytes + 48L * keyValues.size();
    for (Accumulator a : accumulators) {
      bytes += a.heapBytes();
    }
    return bytes;
  }

  /** Adds the rows of an input block. */
  void accumulate(Block block, Account scratch) {
    int[] groupOf = assign(block);
    for (Accumulator a : accumulators) {
      if (keys.isEmpty()) {
        a.accumulateAll(block, groupOf, scratch);
      } else {
        a.accumulate(block, groupOf, scratch);
      }
    }
  }

  /** Merges a partial block ({@link #partial}'s columns). */
  void merge(Block partial) {
    int[] groupOf = assign(partial);
    List<FieldVector> vectors = partial.root().getFieldVectors();
    int at = keys.size();
    for (Accumulator a : accumulators) {
      int n = a.stateColumns();
      a.merge(vectors.subList(at, at + n), groupOf, partial.rowCount());
      at += n;
    }
  }

  /**
   * The group ids of a block's rows (its first {@code rowCount()} slots), new groups added.
   * Without keys every row is in group 0: one array of zeros serves every block, valid until the
   * next call, instead of a zero-filled array per block of a global aggregate.
   */
  int[] assign(Block block) {
    int rows = block.rowCount();
    if (keys.isEmpty()) {
      if (globalGroup.length < rows) {
        globalGroup = new int[rows];
      }
      return globalGroup;
    }
    int[] groupOf = new int[rows];
    if (longIds != null) {
      assignLongs(new LongKeyColumn(block.vector(keys.get(0))), rows, groupOf);
      return groupOf;
    }
    FieldVector[] vectors = new FieldVector[keys.size()];
    for (int k = 0; k < vectors.length; k++) {
      vectors[k] = block.vector(keys.get(k));
    }
    if (byteIds != null) {
      assignBytes(new KeyBytes(Arrays.asList(vectors)), rows, groupOf);
      return groupOf;
    }
    for (int i = 0; i < rows; i++) {
      Object key;
      if (vectors.length == 1) {
        key = JavaValues.get(vectors[0], i);
      } else {
        Object[] values = new Object[vectors.length];
        for (int k = 0; k < values.length; k++) {
          values[k] = JavaValues.get(vectors[k], i);
        }
        key = Arrays.asList(values);
      }
      Integer id = ids.get(key);
      if (id == null) {
        id = group(key);
      }
      groupOf[i] = id;
    }
    return groupOf;
  }

  private void assignLongs(LongKeyColumn column, int rows, int[] groupOf) {
    LongIdTable table = longIds;
    for (int i = 0; i < rows; i++) {
      int g;
      if (column.isNull(i)) {
        g = nullGroup >= 0 ? nullGroup : (nullGroup = newGroup());
      } else {
        long key = column.get(i);
        g = table.getOrPut(key, groupCount);
        if (g == groupCount) {
          newGroup();
          if (g >= longKeys.length) {
            longKeys = Arrays.copyOf(longKeys, Accumulator.capacity(longKeys.length, g + 1));
          }
          longKeys[g] = key;
        }
      }
      groupOf[i] = g;
    }
  }

  private void assignBytes(KeyBytes keyBytes, int rows, int[] groupOf) {
    ByteKeyTable table = byteIds;
    for (int i = 0; i < rows; i++) {
      int length = keyBytes.encode(i);
      byte[] key = keyBytes.bytes();
      int g = table.getOrPut(key, length, ByteKeyTable.hash(key, length));
      if (g == groupCount) {
        newGroup();
      }
      groupOf[i] = g;
    }
  }

  private int newGroup() {
    int id = groupCount++;
    for (Accumulator a : accumulators) {
      a.grow(id + 1);
    }
    return id;
  }

  private int group(Object key) {
    int id = groupCount++;
    ids.put(key, id);
    keyValues.add(key);
    keyBytes += key instanceof String s ? 56 + 2L * s.length() : 32L * Math.max(1, keys.size());
    for (Accumulator a : accumulators) {
      a.grow(id + 1);
    }
    return id;
  }

  /**
   * The group ids of each hash partition among {@code partitions}, ascending (from the key
   * values' own hash: a partial is only ever merged back into a table of the same operator, and
   * a table rebuilt from some partitions' partials puts each group in the same partition).
   */
  int[][] groupsByPartition(int partitions) {
    return HashPartitioner.rowsByPartition(partitions(partitions), partitions);
  }

  private int[] partitions(int partitions) {
    int[] out = new int[groupCount];
    if (longIds != null) {
      for (int g = 0; g < out.length; g++) {
        // High bits: the table a partition is merged into probes by the low ones.
        out[g] = g == nullGroup ? 0
            : Math.floorMod((int) (LongIdTable.hash(longKeys[g]) >>> 40), partitions);
      }
      return out;
    }
    if (byteIds != null) {
      for (int g = 0; g < out.length; g++) {
        out[g] = Math.floorMod((int) (byteIds.hash(g) >>> 40), partitions);
      }
      return out;
    }
    for (int g = 0; g < out.length; g++) {
      int h = java.util.Objects.hashCode(keyValues.get(g));
      out[g] = Math.floorMod(h ^ (h >>> 16), partitions);
    }
    return out;
  }

  /** The partial states of {@code groups} as a block in {@code out}: keys, then states. */
  Block partial(int[] groups, Account out) {
    return out.allocate(() -> {
      List<FieldVector> vectors = keyVectors(groups, out.allocator());
      try {
        for (int i = 0; i < accumulators.size(); i++) {
          vectors.addAll(accumulators.get(i).writeStates("$state" + i + ".", groups,
              out.allocator()));
        }
      } catch (RuntimeException e) {
        vectors.forEach(FieldVector::close);
        throw e;
      }
      return wrap(vectors, groups.length, out);
    });
  }

  /** The results of {@code groups} as a block in {@code out}: keys, then one column per aggregation. */
  Block finish(int[] groups, Account out) {
    return out.allocate(() -> {
      List<FieldVector> vectors = keyVectors(groups, out.allocator());
      try {
        for (int i = 0; i < accumulators.size(); i++) {
          vectors.add(accumulators.get(i).finish(aggregates.get(i).name(), groups,
              out.allocator()));
        }
      } catch (RuntimeException e) {
        vectors.forEach(FieldVector::close);
        throw e;
      }
      return wrap(vectors, groups.length, out);
    });
  }

  private static Block wrap(List<FieldVector> vectors, int rows, Account out) {
    return Block.wrap(new VectorSchemaRoot(
        vectors.stream().map(FieldVector::getField).toList(), vectors, rows), out);
  }

  private List<FieldVector> keyVectors(int[] groups, BufferAllocator allocator) {
    List<FieldVector> vectors = new ArrayList<>();
    try {
      if (byteIds != null) {
        for (Field f : keyFields) {
          FieldVector v = f.createVector(allocator);
          vectors.add(v);
          if (v instanceof BaseFixedWidthVector fixed) {
            fixed.allocateNew(Math.max(1, groups.length));
          } else {
            v.allocateNew();
          }
        }
        for (int i = 0; i < groups.length; i++) {
          KeyBytes.decode(byteIds.bytes(), byteIds.start(groups[i]), vectors, i);
        }
        vectors.forEach(v -> v.setValueCount(groups.length));
        return vectors;
      }
      for (int k = 0; k < keys.size(); k++) {
        FieldVector v = keyFields.get(k).createVector(allocator);
        vectors.add(v);
        if (longIds != null) {
          BaseFixedWidthVector fixed = (BaseFixedWidthVector) v;
          fixed.allocateNew(Math.max(1, groups.length));
          for (int i = 0; i < groups.length; i++) {
            if (groups[i] != nullGroup) {
              LongKeyColumn.set(fixed, i, longKeys[groups[i]]);
            }
          }
          v.setValueCount(groups.length);
          continue;
        }
        v.allocateNew();
        for (int i = 0; i < groups.length; i++) {
          Object key = keyValues.get(groups[i]);
          JavaValues.set(v, i, keys.size() == 1 ? key : ((List<?>) key).get(k));
        }
        v.setValueCount(groups.length);
      }
    } catch (RuntimeException e) {
      vectors.forEach(FieldVector::close);
      throw e;
    }
    return vectors;
  }
}
