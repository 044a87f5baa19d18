package dev.tributary.expr;

import static dev.tributary.expr.ExprType.BOOLEAN;
import static dev.tributary.expr.ExprType.FLOAT64;
import static dev.tributary.expr.ExprType.INT64;
import static dev.tributary.expr.ExprType.UTF8;

import dev.tributary.expr.Expr.Op;
import dev.tributary.expr.Expr.Udf;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.pojo.ArrowType;

/** Types expressions against the columns of a schema, once per schema, before any row runs. */
final class Typing {
  private Typing() {}

  /**
   * The type of {@code e} over {@code columns} (name to Arrow type, in order).
   *
   * @throws ExpressionException naming the expression and the types seen
   */
  static ExprType type(Expr e, Map<String, ArrowType> columns) {
    if (e.op == Op.COL) {
      ArrowType arrow = columns.get((String) e.value);
      if (arrow == null) {
        throw new ExpressionException(e.toString(), "no such column; the columns are "
            + columns.keySet());
      }
      ExprType t = ExprType.of(arrow);
      if (t == null) {
        throw new ExpressionException(e.toString(), "column '" + e.value + "' has type " + arrow
            + ", which expressions do not read (they read integers, floating point, bool, utf8)");
      }
      return t;
    }
    if (e.op == Op.LIT) {
      return literal(e.value);
    }
    List<ExprType> a = e.args.stream().map(x -> type(x, columns)).toList();
    return switch (e.op) {
      case ADD, SUB, MUL, MOD -> numeric(e, a) == FLOAT64 ? FLOAT64 : INT64;
      case DIV, POW -> {
        numeric(e, a);
        yield FLOAT64;
      }
      case EQ, NE -> {
        common(e, a);
        yield BOOLEAN;
      }
      case LT, LE, GT, GE -> {
        if (common(e, a) == BOOLEAN) {
          throw mismatch(e, a, "orders numbers or strings");
        }
        yield BOOLEAN;
      }
      case AND, OR, NOT -> {
        if (a.stream().anyMatch(t -> t != BOOLEAN)) {
          throw mismatch(e, a, "takes booleans");
        }
        yield BOOLEAN;
      }
      case IS_NULL, IS_NOT_NULL -> BOOLEAN;
      case IS_IN -> {
        for (Object v : (List<?>) e.value) {
          common(e, List.of(a.get(0), literal(v)));
        }
        yield BOOLEAN;
      }
      case CAST -> (ExprType) e.value;
      case WHEN -> {
        int n = a.size();
        for (int i = 0; i + 1 < n; i += 2) {
          if (a.get(i) != BOOLEAN) {
            throw mismatch(e, a, "takes boolean conditions");
          }
        }
        List<ExprType> values = new java.util.ArrayList<>();
        for (int i = 1; i < n; i += 2) {
          values.add(a.get(i));
        }
        if (n % 2 == 1) {
          values.add(a.get(n - 1));
        }
        yield common(e, values);
      }
      case COALESCE -> common(e, a);
      case ABS, ROUND, FLOOR, CEIL, NEGATE -> numeric(e, a);
      case SQRT, LOG, EXP -> {
        numeric(e, a);
        yield FLOAT64;
      }
      case LENGTH -> string(e, a, INT64);
      case LOWER, UPPER, SUBSTRING, REPLACE -> string(e, a, UTF8);
      case CONTAINS, STARTS_WITH, ENDS_WITH -> string(e, a, BOOLEAN);
      case ALIAS -> a.get(0);
      case UDF -> ((Udf) e.value).returns();
      default -> throw new IllegalStateException(e.op.name());
    };
  }

  static ExprType literal(Object v) {
    return v instanceof Long ? INT64 : v instanceof Double ? FLOAT64
        : v instanceof Boolean ? BOOLEAN : UTF8;
  }

  /** The numeric type of the operands (float64 if any is), or an error if one is not numeric. */
  private static ExprType numeric(Expr e, List<ExprType> a) {
    if (a.stream().anyMatch(t -> !t.isNumeric())) {
      throw mismatch(e, a, "takes numbers");
    }
    return a.contains(FLOAT64) ? FLOAT64 : INT64;
  }

  /** The type all of {@code a} share (int64 and float64 as float64), or an error. */
  static ExprType common(Expr e, List<ExprType> a) {
    ExprType t = a.get(0);
    for (ExprType u : a) {
      if (u != t) {
        if (u.isNumeric() && t.isNumeric()) {
          t = FLOAT64;
        } else {
          throw mismatch(e, a, "needs operands of one type (numbers mix)");
        }
      }
    }
    return t;
  }

  private static ExprType string(Expr e, List<ExprType> a, ExprType result) {
    if (a.get(0) != UTF8) {
      throw mismatch(e, a, "takes a utf8 string");
    }
    return result;
  }

  private static ExpressionException mismatch(Expr e, List<ExprType> a, String what) {
    return new ExpressionException(e.toString(), e.function() + " " + what + "; the operands are "
        + e.args.stream().map(Expr::toString).collect(Collectors.joining(", ")) + " of types "
        + a);
  }
}
