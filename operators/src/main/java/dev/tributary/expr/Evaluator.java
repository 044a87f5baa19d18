package dev.tributary.expr;

import dev.tributary.expr.Expr.Op;
import dev.tributary.expr.Expr.Udf;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;

/**
 * Evaluates a typed expression over the rows of one block: each node is one loop over its
 * operands' arrays ({@link Kernels}, {@link StringKernels}), so an expression tree is a few
 * passes over primitive arrays with no per-row dispatch and no boxing.
 */
final class Evaluator {
  private final Function<String, Vec> columns;
  private final int n;
  private final BufferAllocator allocator;

  /**
   * @param columns the input columns by name, read on first use
   * @param n the number of rows
   * @param allocator where user functions' vectors live
   */
  Evaluator(Function<String, Vec> columns, int n, BufferAllocator allocator) {
    this.columns = columns;
    this.n = n;
    this.allocator = allocator;
  }

  Vec eval(Expr e) {
    switch (e.op) {
      case COL:
        return columns.apply((String) e.value);
      case LIT:
        return Vec.constant(e.value, n);
      case ALIAS:
        return eval(e.args.get(0));
      case UDF:
        return udf(e);
      case WHEN:
        return when(e);
      case COALESCE:
        return coalesce(e);
      default:
        break;
    }
    List<Vec> a = new ArrayList<>(e.args.size());
    for (Expr arg : e.args) {
      if (a.size() == 1 && withLiteral(e, a.get(0))) {
        return scalar(e, a.get(0));
      }
      a.add(eval(arg));
    }
    Vec x = a.get(0);
    Vec y = a.size() > 1 ? a.get(1) : null;
    return switch (e.op) {
      case ADD, SUB, MUL, MOD, DIV -> Kernels.arithmetic(e, x, y);
      case EQ, NE, LT, LE, GT, GE -> Kernels.compare(e.op, asFloat32(x, e.args.get(0), y,
          e.args.get(1)), asFloat32(y, e.args.get(1), x, e.args.get(0)));
      case AND -> Kernels.and(x, y);
      case OR -> Kernels.or(x, y);
      case NOT -> Vec.ofBits(Kernels.not(x.bits, n), n, x.valid);
      case IS_NULL, IS_NOT_NULL -> {
        long[] valid = x.valid == null ? Vec.ones(n) : x.valid;
        yield Vec.ofBits(e.op == Op.IS_NULL ? Kernels.not(valid, n) : valid, n, null);
      }
      case IS_IN -> Kernels.isIn(x, x.float32 ? ((List<?>) e.value).stream()
          .map(v -> v instanceof Double d && !(Math.abs(d) > Float.MAX_VALUE)
              ? (Object) (double) d.floatValue() : v).toList()
          : (List<?>) e.value);
      case CAST -> Casts.cast(e, x, (ExprType) e.value);
      case ABS, ROUND, FLOOR, CEIL, NEGATE, SQRT, LOG, EXP -> Kernels.math(e, x);
      case POW -> Kernels.pow(x, y);
      case LENGTH, LOWER, UPPER, CONTAINS, STARTS_WITH, ENDS_WITH, SUBSTRING, REPLACE, SPLIT ->
          StringKernels.apply(e, x);
      case YEAR, QUARTER, MONTH, DAY, HOUR, MINUTE, SECOND, DAY_OF_WEEK, DAY_OF_YEAR ->
          TimeKernels.part(e, x);
      case DATE_TRUNC -> TimeKernels.truncate(x, (String) e.value);
      case ELEMENT -> NestedKernels.element(x, (Integer) e.value);
      case SIZE -> NestedKernels.size(x);
      case FIELD -> NestedKernels.field(x, (String) e.value);
      default -> throw new IllegalStateException(e.op.name());
    };
  }

  /**
   * Whether {@code e} is a float64 column {@code x} added to, subtracted from, multiplied by or
   * compared with a number literal on its right ({@code col("x").times(2)}, {@code
   * col("z").gt(0)}): then {@link #scalar} computes it in one loop, the literal never spread
   * into an array.
   */
  private static boolean withLiteral(Expr e, Vec x) {
    if (e.args.size() != 2 || x.type != ExprType.FLOAT64) {
      return false;
    }
    Expr literal = e.args.get(1);
    return literal.op == Op.LIT
        && (literal.value instanceof Long || literal.value instanceof Double)
        && switch (e.op) {
          case ADD, SUB, MUL, EQ, NE, LT, LE, GT, GE -> true;
          default -> false;
        };
  }

  /**
   * {@code x op literal} as {@link #withLiteral} picked it; a comparison with a float32 column
   * rounds the literal as {@link #asFloat32} does.
   */
  private static Vec scalar(Expr e, Vec x) {
    Object literal = e.args.get(1).value;
    double c = ((Number) literal).doubleValue();
    return switch (e.op) {
      case ADD, SUB, MUL -> Kernels.arithmetic(e.op, x, c);
      default -> Kernels.compare(e.op, x, x.float32 && literal instanceof Double d
          && !(Math.abs(d) > Float.MAX_VALUE) ? d.floatValue() : c);
    };
  }

  /**
   * A float64 literal compared with a float32 column, rounded to float32 as the column's values
   * were when written: {@code col("f").eq(0.1)} finds the rows holding {@code 0.1f}, which widen
   * to 0.10000000149011612, not 0.1; every comparison of such a column with a literal is one in
   * float32, so {@code between(0.1, 0.2)} keeps 0.1f and 0.2f. A literal beyond float32's range
   * and anything else are returned as is.
   */
  private Vec asFloat32(Vec v, Expr source, Vec other, Expr otherSource) {
    if (other.float32 && source.op == Op.LIT && source.value instanceof Double d
        && otherSource.op != Op.LIT && !(Math.abs(d) > Float.MAX_VALUE)) {
      return Vec.constant((double) d.floatValue(), n);
    }
    return v;
  }

  /** Branches taken row by row: each value column is evaluated once, then picked per row. */
  private Vec when(Expr e) {
    int branches = e.args.size() / 2;
    boolean hasElse = (Boolean) e.value;
    List<Vec> values = new ArrayList<>();
    long[][] taken = new long[branches][];
    long[] decided = new long[Vec.words(n)];
    for (int b = 0; b < branches; b++) {
      Vec cond = eval(e.args.get(2 * b));
      long[] t = new long[decided.length];
      for (int w = 0; w < t.length; w++) {
        long isTrue = cond.bits[w] & (cond.valid == null ? -1L : cond.valid[w]);
        t[w] = isTrue & ~decided[w];
        decided[w] |= t[w];
      }
      taken[b] = t;
      values.add(eval(e.args.get(2 * b + 1)));
    }
    if (hasElse) {
      taken = java.util.Arrays.copyOf(taken, branches + 1);
      long[] rest = Kernels.not(decided, n);
      taken[branches] = rest;
      values.add(eval(e.args.get(e.args.size() - 1)));
    }
    ExprType type = Typing.common(e, values.stream().map(v -> v.type).toList());
    return Kernels.pick(type, values, taken, n);
  }

  private Vec coalesce(Expr e) {
    List<Vec> values = new ArrayList<>();
    for (Expr arg : e.args) {
      values.add(eval(arg));
    }
    long[][] taken = new long[values.size()][];
    long[] decided = new long[Vec.words(n)];
    for (int b = 0; b < values.size(); b++) {
      long[] valid = values.get(b).valid;
      long[] t = new long[decided.length];
      for (int w = 0; w < t.length; w++) {
        t[w] = (valid == null ? -1L : valid[w]) & ~decided[w];
        decided[w] |= t[w];
      }
      Vec.trim(t, n);
      Vec.trim(decided, n);
      taken[b] = t;
    }
    ExprType type = Typing.common(e, values.stream().map(v -> v.type).toList());
    return Kernels.pick(type, values, taken, n);
  }

  private Vec udf(Expr e) {
    Udf udf = (Udf) e.value;
    List<FieldVector> in = new ArrayList<>();
    try {
      for (int i = 0; i < e.args.size(); i++) {
        in.add(ArrowColumns.write(eval(e.args.get(i)), "arg" + i, allocator));
      }
      try (FieldVector out = udf.fn().apply(List.copyOf(in), allocator)) {
        if (out == null || ExprType.of(out.getField().getType()) != udf.returns()
            || !out.getField().getType().equals(udf.returns().arrowType())) {
          throw new ExpressionException(e.toString(), "the function returned "
              + (out == null ? "null" : "a vector of type " + out.getField().getType())
              + ", declared " + udf.returns().arrowType());
        }
        if (out.getValueCount() != n) {
          throw new ExpressionException(e.toString(), "the function returned "
              + out.getValueCount() + " rows for " + n);
        }
        return ArrowColumns.read(out, null, n);
      }
    } finally {
      in.forEach(FieldVector::close);
    }
  }

}
