package dev.tributary.columnar;

import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;

/**
 * The block kernels operators and connectors share: zero-copy projection and zip, take (rows by
 * index or by a predicate), concat, copy and slice copy. Take gathers fixed-width and
 * string/binary columns in tight loops over the buffers (a transfer pair checks and grows at
 * every value); every other copy goes through Arrow's own tools ({@code TransferPair}, {@code
 * VectorSchemaRootAppender}).
 */
public final class Blocks {
  private Blocks() {}

  /**
   * A zero-copy block in {@code out} with the columns of {@code input} named by the keys of
   * {@code columns}, renamed to their values, in map order; buffers are shared, not copied.
   */
  public static Block project(Block input, Map<String, String> columns, Account out) {
    int rows = input.rowCount();
    List<FieldVector> vectors = new ArrayList<>(columns.size());
    List<Field> fields = new ArrayList<>(columns.size());
    return out.allocate(() -> {
      try {
        for (Map.Entry<String, String> e : columns.entrySet()) {
          FieldVector source = input.vector(e.getKey());
          TransferPair pair = source.getTransferPair(e.getValue(), out.allocator());
          pair.splitAndTransfer(0, rows);
          FieldVector target = (FieldVector) pair.getTo();
          vectors.add(target);
          fields.add(target.getField());
        }
      } catch (RuntimeException e) {
        vectors.forEach(FieldVector::close);
        throw e;
      }
      return Block.wrap(new VectorSchemaRoot(fields, vectors, rows), out);
    });
  }

  /**
   * The rows of {@code input} whose index {@code keep} accepts: a second handle to {@code input}
   * ({@link Block#retain()}) when it accepts all, null when none, else a copy of those rows in
   * {@code out}. The input stays the caller's; the result is owned apart from it.
   */
  public static Block keep(Block input, IntPredicate keep, Account out) {
    int rows = input.rowCount();
    int[] indices = new int[rows];
    int n = 0;
    for (int i = 0; i < rows; i++) {
      if (keep.test(i)) {
        indices[n++] = i;
      }
    }
    if (n == rows) {
      return input.retain();
    }
    return n == 0 ? null : take(input, Arrays.copyOf(indices, n), out);
  }

  /** A block in {@code out} with the rows of {@code input} at {@code indices}, in that order (a copy). */
  public static Block take(Block input, int[] indices, Account out) {
    List<String> all = input.schema().getFields().stream().map(Field::getName).toList();
    return take(input, all, indices, indices.length, out);
  }

  /**
   * Copies the values at {@code indices[0..count)} of a fixed-width vector into slots {@code
   * 0..count)} of {@code to} (allocated for them, validity zeroed): a tight loop over the
   * buffers, where a transfer pair's per-value copy checks and grows at every value.
   */
  private static void gather(BaseFixedWidthVector from, BaseFixedWidthVector to, int[] indices,
      int count) {
    int width = from.getTypeWidth();
    long src = from.getDataBuffer().memoryAddress();
    long dst = to.getDataBuffer().memoryAddress();
    switch (width) {
      case 8 -> {
        for (int i = 0; i < count; i++) {
          MemoryUtil.putLong(dst + 8L * i, MemoryUtil.getLong(src + 8L * indices[i]));
        }
      }
      case 4 -> {
        for (int i = 0; i < count; i++) {
          MemoryUtil.putInt(dst + 4L * i, MemoryUtil.getInt(src + 4L * indices[i]));
        }
      }
      default -> {
        for (int i = 0; i < count; i++) {
          MemoryUtil.copyMemory(src + (long) width * indices[i], dst + (long) width * i, width);
        }
      }
    }
    validity(from, to.getValidityBuffer(), indices, count);
  }

  /**
   * Sets bit {@code i} of {@code validity} (zeroed) where row {@code indices[i]} of {@code from}
   * is valid.
   */
  private static void validity(FieldVector from, ArrowBuf validity, int[] indices, int count) {
    if (from.getNullCount() == 0) {
      allValid(validity, count);
      return;
    }
    for (int i = 0; i < count; i++) {
      if (!from.isNull(indices[i])) {
        BitVectorHelper.setBit(validity, i);
      }
    }
  }

  /**
   * A block in {@code out} with the {@code columns} of {@code input}, in that order, holding a
   * copy of the rows at {@code indices[0..count)}, in that order; {@code input} stays open.
   */
  public static Block take(Block input, List<String> columns, int[] indices, int count,
      Account out) {
    return out.allocate(() -> {
      List<FieldVector> vectors = new ArrayList<>(columns.size());
      try {
        for (String name : columns) {
          FieldVector from = input.vector(name);
          vectors.add(take(from, from.getField(), indices, count, out.allocator()));
        }
        return Block.wrap(new VectorSchemaRoot(
            vectors.stream().map(FieldVector::getField).toList(), vectors, count), out);
      } catch (RuntimeException e) {
        vectors.forEach(FieldVector::close);
        throw e;
      }
    });
  }

  /**
   * A new vector of {@code field} (the type of {@code from}, any name) in {@code allocator},
   * holding the values of {@code from} at {@code indices[0..count)}, in that order: fixed-width
   * and string/binary columns in tight loops over the buffers, other types through Arrow's
   * transfer pair.
   */
  public static FieldVector take(FieldVector from, Field field, int[] indices, int count,
      BufferAllocator allocator) {
    FieldVector to = field.createVector(allocator);
    try {
      if (from instanceof BaseVariableWidthVector v) {
        gather(v, (BaseVariableWidthVector) to, indices, count);
        return to;
      }
      to.setInitialCapacity(count);
      to.allocateNew();
      if (from instanceof BaseFixedWidthVector f && !(from instanceof BitVector)
          && to.getValueCapacity() >= count) {
        gather(f, (BaseFixedWidthVector) to, indices, count);
      } else {
        TransferPair pair = from.makeTransferPair(to);
        for (int i = 0; i < count; i++) {
          pair.copyValueSafe(indices[i], i);
        }
      }
      to.setValueCount(count);
      return to;
    } catch (RuntimeException e) {
      to.close();
      throw e;
    }
  }

  /**
   * Copies the values at {@code indices[0..count)} of a string or binary vector into a new
   * allocation of {@code to}: the offsets in one pass, then each value's bytes.
   */
  private static void gather(BaseVariableWidthVector from, BaseVariableWidthVector to,
      int[] indices, int count) {
    long offsets = from.getOffsetBuffer().memoryAddress();
    long bytes = 0;
    for (int i = 0; i < count; i++) {
      long at = offsets + 4L * indices[i];
      bytes += MemoryUtil.getInt(at + 4) - MemoryUtil.getInt(at);
    }
    to.allocateNew(Math.max(1, bytes), count);
    long src = from.getDataBuffer().memoryAddress();
    long dst = to.getDataBuffer().memoryAddress();
    long out = to.getOffsetBuffer().memoryAddress();
    int end = 0;
    MemoryUtil.putInt(out, 0);
    for (int i = 0; i < count; i++) {
      long at = offsets + 4L * indices[i];
      int start = MemoryUtil.getInt(at);
      int length = MemoryUtil.getInt(at + 4) - start;
      MemoryUtil.copyMemory(src + start, dst + end, length);
      end += length;
      MemoryUtil.putInt(out + 4L * (i + 1), end);
    }
    validity(from, to.getValidityBuffer(), indices, count);
    to.setLastSet(count - 1);
    to.setValueCount(count);
  }

  /**
   * A block in {@code out} holding a copy of rows {@code [offset, offset + length)} of {@code
   * input}, with buffers of its own (a {@link Block#slice} shares its parent's, which keeps all
   * of the parent allocated while the slice lives); {@code input} stays open.
   */
  public static Block sliceCopy(Block input, int offset, int length, Account out) {
    List<FieldVector> columns = input.root().getFieldVectors();
    if (!columns.stream().allMatch(Blocks::copiesRanges)) {
      try (Block view = input.slice(offset, length)) {
        return copy(out, view.root());
      }
    }
    // Flat fixed-width and string/binary columns: each buffer's range in one copy, not a slice
    // (which copies offsets and unaligned validity) then an append.
    return out.allocate(() -> {
      List<FieldVector> vectors = new ArrayList<>(columns.size());
      try {
        for (FieldVector from : columns) {
          vectors.add(copyRange(from, offset, length, out.allocator()));
        }
        return Block.wrap(new VectorSchemaRoot(input.root().getSchema(), vectors, length), out);
      } catch (RuntimeException e) {
        vectors.forEach(FieldVector::close);
        throw e;
      }
    });
  }

  private static boolean copiesRanges(FieldVector v) {
    return v instanceof BaseVariableWidthVector
        || v instanceof BaseFixedWidthVector && !(v instanceof BitVector);
  }

  /** A new vector of {@code from}'s field holding its rows {@code [offset, offset + length)}. */
  private static FieldVector copyRange(FieldVector from, int offset, int length,
      BufferAllocator allocator) {
    FieldVector to = from.getField().createVector(allocator);
    try {
      if (from instanceof BaseVariableWidthVector v) {
        long offsets = v.getOffsetBuffer().memoryAddress() + 4L * offset;
        int base = MemoryUtil.getInt(offsets);
        int bytes = MemoryUtil.getInt(offsets + 4L * length) - base;
        BaseVariableWidthVector t = (BaseVariableWidthVector) to;
        t.allocateNew(Math.max(1, bytes), length);
        long out = t.getOffsetBuffer().memoryAddress();
        for (int i = 0; i <= length; i++) {
          MemoryUtil.putInt(out + 4L * i, MemoryUtil.getInt(offsets + 4L * i) - base);
        }
        MemoryUtil.copyMemory(v.getDataBuffer().memoryAddress() + base,
            t.getDataBuffer().memoryAddress(), bytes);
        validityRange(from, t.getValidityBuffer(), offset, length);
        t.setLastSet(length - 1);
      } else {
        BaseFixedWidthVector f = (BaseFixedWidthVector) from;
        BaseFixedWidthVector t = (BaseFixedWidthVector) to;
        t.allocateNew(Math.max(1, length));
        long width = f.getTypeWidth();
        MemoryUtil.copyMemory(f.getDataBuffer().memoryAddress() + width * offset,
            t.getDataBuffer().memoryAddress(), width * length);
        validityRange(from, t.getValidityBuffer(), offset, length);
      }
      to.setValueCount(length);
      return to;
    } catch (RuntimeException e) {
      to.close();
      throw e;
    }
  }

  /** Sets the first {@code count} bits of {@code validity}: whole bytes at once. */
  private static void allValid(ArrowBuf validity, int count) {
    validity.setOne(0, count >>> 3);
    for (int i = count & ~7; i < count; i++) {
      BitVectorHelper.setBit(validity, i);
    }
  }

  /** Sets bit {@code i} of {@code validity} (zeroed) where row {@code offset + i} is valid. */
  private static void validityRange(FieldVector from, ArrowBuf validity, int offset, int count) {
    if (from.getNullCount() == 0) {
      allValid(validity, count);
      return;
    }
    for (int i = 0; i < count; i++) {
      if (!from.isNull(offset + i)) {
        BitVectorHelper.setBit(validity, i);
      }
    }
  }

  /** A zero-copy block in {@code out} with the columns of {@code left} then those of {@code right}. */
  public static Block zip(Block left, Block right, Account out) {
    if (left.rowCount() != right.rowCount()) {
      throw new IllegalArgumentException("zip of blocks with " + left.rowCount() + " and "
          + right.rowCount() + " rows");
    }
    Map<String, String> leftOnly = identity(left);
    right.schema().getFields().forEach(f -> leftOnly.remove(f.getName()));
    try (Block a = project(left, leftOnly, out); Block b = project(right, identity(right), out)) {
      List<FieldVector> vectors = new ArrayList<>(a.root().getFieldVectors());
      vectors.addAll(b.root().getFieldVectors());
      return Block.adopt(new VectorSchemaRoot(vectors), out);
    }
  }

  /** Every column of {@code block} mapped to its own name, in schema order. */
  public static Map<String, String> identity(Block block) {
    Map<String, String> names = new LinkedHashMap<>();
    block.schema().getFields().forEach(f -> names.put(f.getName(), f.getName()));
    return names;
  }

  /**
   * One block in {@code out} holding a copy of the rows of {@code parts} in order. The parts'
   * schemas must unify ({@link Schemas#unify}): a column null-typed in some parts takes the type
   * it has in the others.
   *
   * @throws SchemaMismatchException if they do not
   */
  public static Block concat(List<Block> parts, Account out) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("concat needs at least one block");
    }
    Schema schema = parts.get(0).schema();
    for (Block part : parts) {
      schema = Schemas.unify(schema, part.schema(), "concat");
    }
    List<Block> conformed = new ArrayList<>(parts.size());
    try {
      for (Block part : parts) {
        conformed.add(Schemas.conform(part, schema, out));
      }
      return copy(out, conformed.stream().map(Block::root).toArray(VectorSchemaRoot[]::new));
    } finally {
      conformed.forEach(Block::close);
    }
  }

  /**
   * One block in {@code out} holding a copy of the rows of {@code roots} (which share a schema
   * and may live in any allocator, even another arena's).
   */
  public static Block copy(Account out, VectorSchemaRoot... roots) {
    return out.allocate(() -> {
      VectorSchemaRoot target = VectorSchemaRoot.create(roots[0].getSchema(), out.allocator());
      try {
        // The appender reads the target's offsets, so variable-width targets need buffers first.
        int rows = 0;
        for (VectorSchemaRoot root : roots) {
          rows += root.getRowCount();
        }
        for (FieldVector v : target.getFieldVectors()) {
          v.setInitialCapacity(Math.max(rows, 1));
          v.allocateNew();
        }
        VectorSchemaRootAppender.append(false, target, roots);
        return Block.wrap(target, out);
      } catch (RuntimeException e) {
        target.close();
        throw e;
      }
    });
  }
}
