package dev.tributary.operators;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A projection: {@code select}, {@code drop} or {@code rename}, or an explicit list of output
 * columns each taken (and maybe renamed) from an input column, as one mapping from output column
 * names to the input columns they come from. The same mapping answers a plan's questions (which
 * columns come out, which input columns are needed) and reshapes each block, zero-copy.
 */
public final class ColumnMapping implements BlockTransform {
  private enum Kind { SELECT, DROP, RENAME, EXPLICIT }

  private final Kind kind;
  /** The columns named: selected, dropped, or {@code from, to} of a rename. */
  private final List<String> names;
  /** For {@link Kind#EXPLICIT}: output column to input column, in output order. */
  private final Map<String, String> explicit;

  private ColumnMapping(Kind kind, List<String> names, Map<String, String> explicit) {
    this.kind = kind;
    this.names = names;
    this.explicit = explicit;
  }

  /**
   * Only the named columns, in that order.
   *
   * @throws ColumnException if a column is named twice
   */
  public static ColumnMapping select(List<String> columns) {
    List<String> names = List.copyOf(columns);
    for (int i = 0; i < names.size(); i++) {
      if (names.indexOf(names.get(i)) != i) {
        throw new ColumnException(names.get(i), "select " + names + " names it twice");
      }
    }
    return new ColumnMapping(Kind.SELECT, names, null);
  }

  /** Every column but the named ones. */
  public static ColumnMapping drop(List<String> columns) {
    return new ColumnMapping(Kind.DROP, List.copyOf(columns), null);
  }

  /** Column {@code from} renamed to {@code to}, the others unchanged. */
  public static ColumnMapping rename(String from, String to) {
    return new ColumnMapping(Kind.RENAME,
        List.of(Objects.requireNonNull(from, "from"), Objects.requireNonNull(to, "to")), null);
  }

  /**
   * Exactly the columns of {@code outputToInput}, in its order: each output column is the input
   * column it maps to (a select where names agree, a rename where they differ).
   *
   * @throws IllegalArgumentException if an input column is mapped twice
   */
  public static ColumnMapping of(Map<String, String> outputToInput) {
    Map<String, String> copy = new LinkedHashMap<>(outputToInput);
    if (Set.copyOf(copy.values()).size() != copy.size()) {
      throw new IllegalArgumentException("an input column is mapped twice: " + copy);
    }
    return new ColumnMapping(Kind.EXPLICIT, List.copyOf(copy.values()),
        Collections.unmodifiableMap(copy));
  }

  /**
   * The output columns, in order, each mapped to the input column it is.
   *
   * @param input the input's column names, in order
   * @throws ColumnException if a column named is not among {@code input}, or a rename would make
   *     two columns of one name; the message names the columns there are
   */
  public Map<String, String> mapping(List<String> input) {
    for (String name : kind == Kind.RENAME ? names.subList(0, 1) : names) {
      if (!input.contains(name)) {
        throw new ColumnException(name, operation() + ": no such column; the dataset has "
            + input);
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    switch (kind) {
      case SELECT -> names.forEach(n -> out.put(n, n));
      case DROP -> input.stream().filter(n -> !names.contains(n)).forEach(n -> out.put(n, n));
      case EXPLICIT -> out.putAll(explicit);
      case RENAME -> {
        String from = names.get(0);
        String to = names.get(1);
        if (!from.equals(to) && input.contains(to)) {
          throw new ColumnException(to, operation() + " would make two columns of this name;"
              + " the dataset has " + input + "; rename or drop one first");
        }
        input.forEach(n -> out.put(n.equals(from) ? to : n, n));
      }
    }
    return out;
  }

  /** The output schema of an input of schema {@code input} (see {@link #mapping(List)}). */
  public Schema schema(Schema input) {
    List<String> inputNames = input.getFields().stream().map(Field::getName).toList();
    List<Field> fields = new ArrayList<>();
    mapping(inputNames).forEach((to, from) -> {
      Field f = input.getFields().get(inputNames.indexOf(from));
      fields.add(to.equals(from) ? f : new Field(to, f.getFieldType(), f.getChildren()));
    });
    return new Schema(fields);
  }

  /**
   * The block reshaped (zero-copy): its columns mapped as {@link #mapping(List)} says. Consumes
   * {@code in} (the result shares its buffers).
   */
  @Override
  public Block apply(Block in, Account out) {
    try {
      Map<String, String> byInput = new LinkedHashMap<>();
      mapping(List.copyOf(Blocks.identity(in).keySet()))
          .forEach((to, from) -> byInput.put(from, to));
      return Blocks.project(in, byInput, out);
    } finally {
      in.release();
    }
  }

  /**
   * How a plan shows the projection: {@code Select[a, b]}, {@code Drop[a]}, {@code Rename[a->b]},
   * or for an explicit one {@code Select[a, b->c]}.
   */
  @Override
  public String toString() {
    return switch (kind) {
      case SELECT -> "Select" + names;
      case DROP -> "Drop" + names;
      case RENAME -> "Rename[" + names.get(0) + "->" + names.get(1) + "]";
      case EXPLICIT -> "Select" + explicit.entrySet().stream()
          .map(e -> e.getKey().equals(e.getValue()) ? e.getKey()
              : e.getValue() + "->" + e.getKey()).toList();
    };
  }

  private String operation() {
    return switch (kind) {
      case SELECT -> "select";
      case DROP -> "drop";
      case RENAME -> "rename(" + names.get(0) + " -> " + names.get(1) + ")";
      case EXPLICIT -> "select " + explicit.keySet();
    };
  }
}
