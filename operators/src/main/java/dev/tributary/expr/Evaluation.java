package dev.tributary.expr;

import dev.tributary.columnar.Blocks;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.BlockTransform;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.util.AutoCloseables;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.TransferPair;

/**
 * A chain of expression steps run over each block in one pass: filters ({@link #filter}), new or
 * replaced columns ({@link #withColumns}) and selections ({@link #select}), joined with {@link
 * #then}. Input columns are read into primitive arrays only when an expression uses them; a
 * filter narrows a selection of rows instead of copying, and later steps read and compute only
 * the rows still selected; at the end each output column is written once: columns passed
 * through unchanged move without copying when no row was dropped, else are copied once at the
 * selected rows.
 *
 * <p>Column references that are not computed ({@code withColumn("y", col("x"))}, {@code
 * select(col("x"))}) keep the column's own Arrow type; computed columns have their expression's
 * type ({@link ExprType#arrowType()}; a zoned timestamp keeps its input's zone, a list element or
 * struct field its own type), nullable. Typing happens in {@link #schema(Schema)}: when
 * the plan is built if the input's schema is known then, else at the first block of each new
 * schema.
 */
public final class Evaluation implements BlockTransform {
  private sealed interface Step extends java.io.Serializable permits Keep, Assign, Select {}

  private record Keep(Expr predicate) implements Step {
    @Override
    public String toString() {
      return "filter " + predicate;
    }
  }

  private record Assign(Map<String, Expr> columns) implements Step {
    @Override
    public String toString() {
      return columns.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue())
          .collect(Collectors.joining(", "));
    }
  }

  private record Select(List<Expr> columns) implements Step {
    @Override
    public String toString() {
      // A column or an alias already shows its output name.
      return "select " + columns.stream().map(e -> e.op == Expr.Op.COL || e.op == Expr.Op.ALIAS
          || e.toString().equals(e.name()) ? e.toString() : e + " as " + e.name())
          .collect(Collectors.joining(", "));
    }
  }

  private final List<Step> steps;
  /**
   * The last input schema typed, and its output: a stream's blocks mostly share one. A cache, so
   * not serialized (Arrow schemas are not serializable): a worker types its own first block.
   */
  private transient volatile Schema[] lastTyped;

  private Evaluation(List<Step> steps) {
    this.steps = List.copyOf(steps);
  }

  /** Keeps the rows where {@code predicate} (a boolean expression) is true. */
  public static Evaluation filter(Expr predicate) {
    return new Evaluation(List.of(new Keep(Objects.requireNonNull(predicate, "predicate"))));
  }

  /**
   * Adds or replaces columns, every expression computed from the input (not from each other).
   * A replaced column keeps its position; new columns come after the input's, in the map's
   * order when it has one ({@code LinkedHashMap}, {@code SortedMap}), else sorted by name, so a
   * {@code Map.of(...)} gives the same columns in the same order on every run.
   */
  public static Evaluation withColumns(Map<String, Expr> columns) {
    Objects.requireNonNull(columns, "columns");
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("withColumns needs at least one column");
    }
    Map<String, Expr> ordered = columns instanceof LinkedHashMap || columns instanceof SortedMap
        ? new LinkedHashMap<>(columns) : new LinkedHashMap<>(new TreeMap<>(columns));
    ordered.forEach((k, v) -> Objects.requireNonNull(v, "expression of " + k));
    return new Evaluation(List.of(new Assign(ordered)));
  }

  /**
   * Exactly the columns of {@code columns}, in order, each named {@link Expr#name()}.
   *
   * @throws IllegalArgumentException if none is given
   */
  public static Evaluation select(List<Expr> columns) {
    if (columns.isEmpty()) {
      throw new IllegalArgumentException("select needs at least one expression");
    }
    columns.forEach(c -> Objects.requireNonNull(c, "expression"));
    return new Evaluation(List.of(new Select(List.copyOf(columns))));
  }

  /** This chain followed by {@code next}'s, run in the same pass. */
  public Evaluation then(Evaluation next) {
    List<Step> all = new ArrayList<>(steps);
    all.addAll(next.steps);
    return new Evaluation(all);
  }

  /** Whether a step drops rows (a filter). */
  public boolean filters() {
    return steps.stream().anyMatch(s -> s instanceof Keep);
  }

  /**
   * The schema of the output over {@code input}, every expression typed.
   *
   * @throws ExpressionException if an expression does not type-check (naming it and the types),
   *     a filter is not boolean, or a selection names a column twice
   */
  public Schema schema(Schema input) {
    Schema[] typed = lastTyped;
    if (typed != null && typed[0].equals(input)) {
      return typed[1];
    }
    Map<String, Field> env = new LinkedHashMap<>();
    input.getFields().forEach(f -> env.put(f.getName(), f));
    for (Step step : steps) {
      Map<String, Field> types = new LinkedHashMap<>(env);
      if (step instanceof Keep k) {
        ExprType t = Typing.type(k.predicate(), types);
        if (t != ExprType.BOOLEAN) {
          throw new ExpressionException(k.predicate().toString(), "a filter needs a boolean, "
              + "this is " + t);
        }
      } else if (step instanceof Assign a) {
        Map<String, Field> added = new LinkedHashMap<>();
        a.columns().forEach((name, e) -> added.put(name, field(name, e, types, env)));
        env.putAll(added);
      } else {
        Map<String, Field> selected = new LinkedHashMap<>();
        for (Expr e : ((Select) step).columns()) {
          if (selected.put(e.name(), field(e.name(), e, types, env)) != null) {
            throw new ExpressionException(e.toString(), "select names column '" + e.name()
                + "' twice; alias one of them");
          }
        }
        env.clear();
        env.putAll(selected);
      }
    }
    Schema out = new Schema(List.copyOf(env.values()));
    lastTyped = new Schema[] {input, out};
    return out;
  }

  private static Field field(String name, Expr e, Map<String, Field> types,
      Map<String, Field> env) {
    Field t = Typing.field(e, types);
    Expr ref = reference(e);
    if (ref != null) {
      Field f = env.get((String) ref.value);
      return new Field(name, f.getFieldType(), f.getChildren());
    }
    return new Field(name, t.getFieldType(), t.getChildren());
  }

  /** The column {@code e} only names (through aliases), or null if it computes something. */
  private static Expr reference(Expr e) {
    Expr x = e;
    while (x.op == Expr.Op.ALIAS) {
      x = x.args.get(0);
    }
    return x.op == Expr.Op.COL ? x : null;
  }

  /**
   * Whether each of {@code columns} leaves this chain as the input column of that name, unchanged,
   * and no step drops rows: then a filter of those columns may run before the chain instead of
   * after it.
   */
  public boolean passesThrough(Set<String> columns) {
    for (Step step : steps) {
      if (step instanceof Keep) {
        return false;
      }
      if (step instanceof Assign a && a.columns().keySet().stream().anyMatch(columns::contains)) {
        return false;
      }
      if (step instanceof Select s) {
        for (String c : columns) {
          boolean kept = s.columns().stream().anyMatch(e -> e.name().equals(c)
              && reference(e) != null && c.equals(reference(e).value));
          if (!kept) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** The output column names over input columns {@code input} (types need not be known). */
  public List<String> columns(List<String> input) {
    List<String> names = new ArrayList<>(input);
    for (Step step : steps) {
      if (step instanceof Assign a) {
        a.columns().keySet().stream().filter(k -> !names.contains(k)).forEach(names::add);
      } else if (step instanceof Select s) {
        names.clear();
        s.columns().forEach(e -> names.add(e.name()));
      }
    }
    return names;
  }

  /**
   * The input columns needed to compute the output columns {@code needed} (null: all of them):
   * those the expressions read and those passed through to a needed output.
   */
  public Set<String> inputColumns(Set<String> needed, List<String> input) {
    Set<String> need = new LinkedHashSet<>(needed == null ? columns(input) : needed);
    for (int i = steps.size() - 1; i >= 0; i--) {
      Step step = steps.get(i);
      if (step instanceof Keep k) {
        need.addAll(k.predicate().columns());
      } else if (step instanceof Assign a) {
        need.removeAll(a.columns().keySet());
        a.columns().values().forEach(e -> need.addAll(e.columns()));
      } else {
        need.clear();
        ((Select) step).columns().forEach(e -> need.addAll(e.columns()));
      }
    }
    return need;
  }

  /** A column while a block runs: an input vector (read on first use) or a computed one. */
  private static final class Binding {
    final FieldVector source;
    Vec vec;

    Binding(FieldVector source, Vec vec) {
      this.source = source;
      this.vec = vec;
    }
  }

  /**
   * Runs the chain over {@code input}, consuming it: the result owns what it holds (columns
   * passed through share the input's buffers by reference count, or are a second handle to the
   * whole input when nothing changed), so closing the input never frees a column of the result.
   */
  @Override
  public Block apply(Block input, Account out) {
    try {
      schema(input.schema());
      return out.allocate(() -> run(input, out));
    } finally {
      input.release();
    }
  }

  private Block run(Block input, Account out) {
    Map<String, Binding> env = new LinkedHashMap<>();
    for (FieldVector v : input.root().getFieldVectors()) {
      env.put(v.getName(), new Binding(v, null));
    }
    int[] selected = null;
    int rows = input.rowCount();
    BufferAllocator allocator = out.allocator();
    for (Step step : steps) {
      int[] sel = selected;
      int m = rows;
      Map<String, Binding> current = env;
      Evaluator evaluator = new Evaluator(name -> {
        Binding b = current.get(name);
        if (b.vec == null) {
          b.vec = ArrowColumns.read(b.source, sel, m);
        }
        return b.vec;
      }, m, allocator);
      if (step instanceof Keep k) {
        Vec p = evaluator.eval(k.predicate());
        int[] kept = new int[m];
        int count = 0;
        // A word of rows at a time: the true and valid ones, by their set bits.
        for (int w = 0; w < Vec.words(m); w++) {
          long bits = p.bits[w] & (p.valid == null ? -1L : p.valid[w])
              & (w < (m >>> 6) ? -1L : (1L << m) - 1);
          while (bits != 0) {
            kept[count++] = (w << 6) + Long.numberOfTrailingZeros(bits);
            bits &= bits - 1;
          }
        }
        if (count == 0) {
          return null;
        }
        if (count < m) {
          narrow(env, kept, count);
          int[] next = new int[count];
          for (int i = 0; i < count; i++) {
            next[i] = sel == null ? kept[i] : sel[kept[i]];
          }
          selected = next;
          rows = count;
        }
      } else if (step instanceof Assign a) {
        Map<String, Binding> added = new LinkedHashMap<>();
        a.columns().forEach((name, e) -> added.put(name, bind(e, evaluator, current)));
        env.putAll(added);
      } else {
        Map<String, Binding> chosen = new LinkedHashMap<>();
        ((Select) step).columns().forEach(e -> chosen.put(e.name(), bind(e, evaluator,
            current)));
        env = chosen;
      }
    }
    if (selected == null && unchanged(input, env)) {
      return input.retain();
    }
    return write(env, selected, rows, allocator, out);
  }

  private static Binding bind(Expr e, Evaluator evaluator, Map<String, Binding> env) {
    Expr ref = reference(e);
    if (ref != null) {
      Binding b = env.get((String) ref.value);
      return new Binding(b.source, b.vec);
    }
    return new Binding(null, evaluator.eval(e));
  }

  /**
   * Keeps rows {@code kept[0..count)} of every computed column (each once); an input column's
   * arrays are dropped instead, to be read again at the new selection only if a later step uses
   * it (the output copies input columns from their vectors).
   */
  private static void narrow(Map<String, Binding> env, int[] kept, int count) {
    Map<Vec, Vec> done = new IdentityHashMap<>();
    for (Binding b : env.values()) {
      if (b.source != null) {
        b.vec = null;
      } else {
        b.vec = done.computeIfAbsent(b.vec, v -> v.take(kept, count));
      }
    }
  }

  private static boolean unchanged(Block input, Map<String, Binding> env) {
    List<FieldVector> in = input.root().getFieldVectors();
    if (in.size() != env.size()) {
      return false;
    }
    int i = 0;
    for (Map.Entry<String, Binding> e : env.entrySet()) {
      FieldVector v = in.get(i++);
      if (e.getValue().source != v || !e.getKey().equals(v.getName())) {
        return false;
      }
    }
    return true;
  }

  private static Block write(Map<String, Binding> env, int[] selected, int rows,
      BufferAllocator allocator, Account out) {
    List<FieldVector> vectors = new ArrayList<>(env.size());
    try {
      for (Map.Entry<String, Binding> e : env.entrySet()) {
        Binding b = e.getValue();
        String name = e.getKey();
        if (b.source == null) {
          vectors.add(ArrowColumns.write(b.vec, name, allocator));
        } else if (selected == null) {
          TransferPair pair = b.source.getTransferPair(name, allocator);
          pair.splitAndTransfer(0, rows);
          vectors.add((FieldVector) pair.getTo());
        } else {
          vectors.add(copy(b.source, name, selected, rows, allocator));
        }
      }
      List<Field> fields = vectors.stream().map(FieldVector::getField).toList();
      return Block.wrap(new VectorSchemaRoot(fields, vectors, rows), out);
    } catch (RuntimeException e) {
      AutoCloseables.closeNoChecked(AutoCloseables.all(vectors));
      throw e;
    }
  }

  /** The rows {@code selected[0..rows)} of {@code source}, named {@code name} (one copy). */
  private static FieldVector copy(FieldVector source, String name, int[] selected, int rows,
      BufferAllocator allocator) {
    Field f = source.getField();
    return Blocks.take(source, new Field(name, f.getFieldType(), f.getChildren()), selected, rows,
        allocator);
  }

  @Override
  public String toString() {
    return steps.stream().map(Object::toString).collect(Collectors.joining("; "));
  }
}
