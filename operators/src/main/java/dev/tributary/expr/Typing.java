package dev.tributary.expr;

import static dev.tributary.expr.ExprType.BOOLEAN;
import static dev.tributary.expr.ExprType.DATE;
import static dev.tributary.expr.ExprType.FLOAT64;
import static dev.tributary.expr.ExprType.INT64;
import static dev.tributary.expr.ExprType.LIST;
import static dev.tributary.expr.ExprType.STRUCT;
import static dev.tributary.expr.ExprType.TIMESTAMP;
import static dev.tributary.expr.ExprType.TIMESTAMP_TZ;
import static dev.tributary.expr.ExprType.UTF8;

import dev.tributary.expr.Expr.Op;
import dev.tributary.expr.Expr.Udf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * Types expressions against the columns of a schema, once per schema, before any row runs. Each
 * node's type is an Arrow field (its children give the element type of a list and the fields of
 * a struct, its time zone a zoned timestamp's), in the normal form {@link #normal} that computed
 * columns are written with.
 */
final class Typing {
  private Typing() {}

  /**
   * The type of {@code e} over {@code columns} (name to field, in order).
   *
   * @throws ExpressionException naming the expression and the types seen
   */
  static ExprType type(Expr e, Map<String, Field> columns) {
    return kind(field(e, columns));
  }

  /** The expression type of a field typed here. */
  static ExprType kind(Field f) {
    return ExprType.of(f.getType());
  }

  /**
   * The field {@code e} computes over {@code columns}, named {@code ""}, in normal form.
   *
   * @throws ExpressionException naming the expression and the types seen
   */
  static Field field(Expr e, Map<String, Field> columns) {
    if (e.op == Op.COL) {
      Field f = columns.get((String) e.value);
      if (f == null) {
        throw new ExpressionException(e.toString(), "no such column; the columns are "
            + columns.keySet());
      }
      readable(e, f);
      return normal("", f);
    }
    if (e.op == Op.LIT) {
      return scalar(literal(e.value));
    }
    List<Field> f = e.args.stream().map(x -> field(x, columns)).toList();
    List<ExprType> a = f.stream().map(Typing::kind).toList();
    return switch (e.op) {
      case ADD, SUB, MUL, MOD -> scalar(numeric(e, a) == FLOAT64 ? FLOAT64 : INT64);
      case DIV, POW -> {
        numeric(e, a);
        yield scalar(FLOAT64);
      }
      case EQ, NE -> {
        if (common(e, a) == LIST || common(e, a) == STRUCT) {
          throw mismatch(e, a, "compares values, not lists or structs");
        }
        yield scalar(BOOLEAN);
      }
      case LT, LE, GT, GE -> {
        ExprType t = common(e, a);
        if (t == BOOLEAN || t == LIST || t == STRUCT) {
          throw mismatch(e, a, "orders numbers, strings, dates or timestamps");
        }
        yield scalar(BOOLEAN);
      }
      case AND, OR, NOT -> {
        if (a.stream().anyMatch(t -> t != BOOLEAN)) {
          throw mismatch(e, a, "takes booleans");
        }
        yield scalar(BOOLEAN);
      }
      case IS_NULL, IS_NOT_NULL -> scalar(BOOLEAN);
      case IS_IN -> {
        for (Object v : (List<?>) e.value) {
          common(e, List.of(a.get(0), literal(v)));
        }
        if (a.get(0) == LIST || a.get(0) == STRUCT) {
          throw mismatch(e, a, "compares values, not lists or structs");
        }
        yield scalar(BOOLEAN);
      }
      case CAST -> cast(e, f.get(0), a.get(0), (ExprType) e.value);
      case WHEN -> {
        int n = a.size();
        for (int i = 0; i + 1 < n; i += 2) {
          if (a.get(i) != BOOLEAN) {
            throw mismatch(e, a, "takes boolean conditions");
          }
        }
        List<Field> values = new ArrayList<>();
        for (int i = 1; i < n; i += 2) {
          values.add(f.get(i));
        }
        if (n % 2 == 1) {
          values.add(f.get(n - 1));
        }
        yield choice(e, values);
      }
      case COALESCE -> choice(e, f);
      case ABS, ROUND, FLOOR, CEIL, NEGATE -> scalar(numeric(e, a));
      case SQRT, LOG, EXP -> {
        numeric(e, a);
        yield scalar(FLOAT64);
      }
      case LENGTH -> string(e, a, INT64);
      case LOWER, UPPER, SUBSTRING, REPLACE -> string(e, a, UTF8);
      case CONTAINS, STARTS_WITH, ENDS_WITH -> string(e, a, BOOLEAN);
      case SPLIT -> {
        string(e, a, UTF8);
        yield list(scalar(UTF8));
      }
      case YEAR, QUARTER, MONTH, DAY, HOUR, MINUTE, SECOND, DAY_OF_WEEK, DAY_OF_YEAR -> {
        temporal(e, a);
        yield scalar(INT64);
      }
      case DATE_TRUNC -> {
        temporal(e, a);
        yield f.get(0);
      }
      case ELEMENT -> {
        if (a.get(0) != LIST) {
          throw mismatch(e, a, "takes a list");
        }
        yield f.get(0).getChildren().get(0);
      }
      case SIZE -> {
        if (a.get(0) != LIST) {
          throw mismatch(e, a, "takes a list");
        }
        yield scalar(INT64);
      }
      case FIELD -> {
        if (a.get(0) != STRUCT) {
          throw mismatch(e, a, "takes a struct");
        }
        yield f.get(0).getChildren().stream().filter(c -> c.getName().equals(e.value))
            .findFirst().orElseThrow(() -> new ExpressionException(e.toString(), "the struct "
                + e.args.get(0) + " has no field '" + e.value + "'; its fields are "
                + f.get(0).getChildren().stream().map(Field::getName).toList()));
      }
      case ALIAS -> f.get(0);
      case UDF -> {
        ExprType t = ((Udf) e.value).returns();
        if (t == LIST || t == STRUCT) {
          throw new ExpressionException(e.toString(), "a user function returns a value type, "
              + "not " + t);
        }
        yield scalar(t);
      }
      default -> throw new IllegalStateException(e.op.name());
    };
  }

  /** Fails unless expressions read columns of {@code f}'s type, its children included. */
  private static void readable(Expr e, Field f) {
    ExprType t = kind(f);
    boolean nestedOk = t != LIST && t != STRUCT || !f.getChildren().isEmpty();
    if (t == null || !nestedOk) {
      throw new ExpressionException(e.toString(), "column '" + e.value + "' has type "
          + f.getType() + (f.getChildren().isEmpty() ? "" : " of " + f.getChildren())
          + ", which expressions do not read (they read integers, floating point, bool, utf8, "
          + "dates, timestamps, and lists and structs of those)");
    }
    f.getChildren().forEach(c -> readable(e, c));
  }

  /**
   * {@code f} as expressions compute it, named {@code name}: nullable, of the {@link
   * ExprType#arrowType()} of its kind (a timestamp keeps its zone), children likewise, a list's
   * child named as Arrow's {@code ListVector} names it.
   */
  static Field normal(String name, Field f) {
    ExprType t = kind(f);
    return switch (t) {
      case LIST -> new Field(name, FieldType.nullable(LIST.arrowType()),
          List.of(normal(ListVector.DATA_VECTOR_NAME, f.getChildren().get(0))));
      case STRUCT -> new Field(name, FieldType.nullable(STRUCT.arrowType()),
          f.getChildren().stream().map(c -> normal(c.getName(), c)).toList());
      case TIMESTAMP_TZ -> Field.nullable(name, new ArrowType.Timestamp(TimeUnit.MICROSECOND,
          ((ArrowType.Timestamp) f.getType()).getTimezone()));
      default -> Field.nullable(name, t.arrowType());
    };
  }

  static Field scalar(ExprType t) {
    return Field.nullable("", t.arrowType());
  }

  private static Field list(Field element) {
    return new Field("", FieldType.nullable(LIST.arrowType()),
        List.of(normal(ListVector.DATA_VECTOR_NAME, element)));
  }

  static ExprType literal(Object v) {
    if (v instanceof java.time.LocalDate) {
      return DATE;
    }
    if (v instanceof java.time.LocalDateTime) {
      return TIMESTAMP;
    }
    if (v instanceof java.time.Instant) {
      return TIMESTAMP_TZ;
    }
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

  /**
   * The type all of {@code a} share (int64 and float64 as float64, date and timestamp as
   * timestamp), or an error.
   */
  static ExprType common(Expr e, List<ExprType> a) {
    ExprType t = a.get(0);
    for (ExprType u : a) {
      if (u != t) {
        if (u.isNumeric() && t.isNumeric()) {
          t = FLOAT64;
        } else if ((u == DATE || u == TIMESTAMP) && (t == DATE || t == TIMESTAMP)) {
          t = TIMESTAMP;
        } else {
          throw mismatch(e, a, "needs operands of one type (numbers mix, and dates with "
              + "timestamps without zone; cast the others)");
        }
      }
    }
    return t;
  }

  /** The field of a value chosen among {@code values} (when, coalesce). */
  private static Field choice(Expr e, List<Field> values) {
    List<ExprType> kinds = values.stream().map(Typing::kind).toList();
    ExprType t = common(e, kinds);
    if (t == LIST || t == STRUCT) {
      throw mismatch(e, kinds, "chooses among values, not lists or structs (choose among "
          + "their elements or fields)");
    }
    if (t == TIMESTAMP_TZ) {
      return values.get(0);
    }
    return scalar(t);
  }

  private static Field cast(Expr e, Field from, ExprType source, ExprType to) {
    boolean ok = source == to
        || source != LIST && source != STRUCT && (to == UTF8 || source == UTF8) && to != LIST
            && to != STRUCT
        || source.isNumeric() && to.isNumeric()
        || (source == BOOLEAN || source.isNumeric()) && (to == BOOLEAN || to.isNumeric())
        || source.isTemporal() && to.isTemporal()
        || source.isTemporal() && to == INT64 || source == INT64 && to.isTemporal();
    if (!ok) {
      throw new ExpressionException(e.toString(), "cannot cast " + source + " to " + to
          + "; casts go between numbers, booleans, utf8, dates and timestamps (dates and "
          + "timestamps also to and from int64), not to or from lists and structs, nor between "
          + "dates and float64 or booleans");
    }
    return source == to ? from : scalar(to);
  }

  private static Field string(Expr e, List<ExprType> a, ExprType result) {
    if (a.get(0) != UTF8) {
      throw mismatch(e, a, "takes a utf8 string");
    }
    return scalar(result);
  }

  private static void temporal(Expr e, List<ExprType> a) {
    if (!a.get(0).isTemporal()) {
      throw mismatch(e, a, "takes a date or timestamp");
    }
  }

  private static ExpressionException mismatch(Expr e, List<ExprType> a, String what) {
    return new ExpressionException(e.toString(), e.function() + " " + what + "; the operands are "
        + e.args.stream().map(Expr::toString).collect(Collectors.joining(", ")) + " of types "
        + a);
  }
}
