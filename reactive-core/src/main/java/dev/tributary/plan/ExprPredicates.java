package dev.tributary.plan;

import dev.tributary.expr.Expr;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.filter2.predicate.Operators.BinaryColumn;
import org.apache.parquet.filter2.predicate.Operators.BooleanColumn;
import org.apache.parquet.filter2.predicate.Operators.Column;
import org.apache.parquet.filter2.predicate.Operators.IntColumn;
import org.apache.parquet.filter2.predicate.Operators.LongColumn;
import org.apache.parquet.filter2.predicate.Operators.SupportsEqNotEq;
import org.apache.parquet.filter2.predicate.Operators.SupportsLtGt;
import org.apache.parquet.io.api.Binary;

/**
 * Translates an expression filter into the parquet-mr predicate keeping exactly the same rows,
 * so a Parquet read can skip row groups by statistics, dictionaries and bloom filters. SQL keeps a
 * row when the predicate is true, and Parquet's {@code notEq} keeps nulls, so each expression is
 * translated twice: the rows where it is true and where it is false, which is what a {@code
 * not} above it needs. Translated: comparisons of an integer, utf8, boolean, date or timestamp
 * without zone column with a literal, {@code isNull}, {@code isNotNull}, {@code isIn}, a boolean
 * column alone, and {@code and}/{@code or}/{@code not} of those. Floating-point columns are not
 * (NaN and -0.0 order differently in Parquet statistics), nor zoned timestamps (Spark's INT96
 * files read as zoned timestamps, and their statistics do not order), nor anything computed, nor
 * a time literal the column's unit cannot hold exactly.
 */
final class ExprPredicates {
  private ExprPredicates() {}

  /** The predicate keeping the rows where {@code e} is true over {@code schema}, or null. */
  static FilterPredicate whereTrue(Expr e, Schema schema) {
    return translate(e, schema, true);
  }

  private static FilterPredicate translate(Expr e, Schema schema, boolean truth) {
    List<Expr> a = e.arguments();
    switch (e.function()) {
      case "alias":
        return translate(a.get(0), schema, truth);
      case "not":
        return translate(a.get(0), schema, !truth);
      case "and":
      case "or": {
        FilterPredicate l = translate(a.get(0), schema, truth);
        FilterPredicate r = translate(a.get(1), schema, truth);
        if (l == null || r == null) {
          return null;
        }
        // not (a and b) = (not a) or (not b): the connective flips with the truth asked for.
        return e.function().equals("and") == truth ? FilterApi.and(l, r) : FilterApi.or(l, r);
      }
      case "col":
        return column(e, schema) instanceof BooleanColumn b ? FilterApi.eq(b, truth) : null;
      case "is_null":
      case "is_not_null": {
        Object c = column(a.get(0), schema);
        return c == null ? null : nullTest(c, e.function().equals("is_null") == truth);
      }
      case "is_in":
        return in(a.get(0), (List<?>) e.value(), schema, truth);
      case "eq":
      case "ne":
      case "lt":
      case "le":
      case "gt":
      case "ge":
        return compare(e, schema, truth);
      default:
        return null;
    }
  }

  private static FilterPredicate compare(Expr e, Schema schema, boolean truth) {
    String op = e.function();
    Expr left = e.arguments().get(0);
    Expr right = e.arguments().get(1);
    if (left.function().equals("lit") && right.function().equals("col")) {
      Expr t = left;
      left = right;
      right = t;
      op = switch (op) {
        case "lt" -> "gt";
        case "le" -> "ge";
        case "gt" -> "lt";
        case "ge" -> "le";
        default -> op;
      };
    }
    if (!left.function().equals("col") || !right.function().equals("lit")) {
      return null;
    }
    Object column = column(left, schema);
    Object value = literal(column, type(left, schema), right.value());
    if (column == null || value == null) {
      return null;
    }
    if (!truth) {
      op = switch (op) {
        case "eq" -> "ne";
        case "ne" -> "eq";
        case "lt" -> "ge";
        case "le" -> "gt";
        case "gt" -> "le";
        default -> "lt";
      };
    }
    return leaf(op, column, value);
  }

  private static FilterPredicate leaf(String op, Object column, Object value) {
    if (column instanceof LongColumn c) {
      return ordered(op, c, (Long) value);
    }
    if (column instanceof IntColumn c) {
      return ordered(op, c, (Integer) value);
    }
    if (column instanceof BinaryColumn c) {
      return ordered(op, c, (Binary) value);
    }
    BooleanColumn b = (BooleanColumn) column;
    return switch (op) {
      case "eq" -> FilterApi.eq(b, (Boolean) value);
      case "ne" -> FilterApi.and(FilterApi.notEq(b, (Boolean) value), FilterApi.notEq(b, null));
      default -> null;
    };
  }

  private static <T extends Comparable<T>, C extends Column<T> & SupportsLtGt> FilterPredicate
      ordered(String op, C c, T value) {
    return switch (op) {
      case "eq" -> FilterApi.eq(c, value);
      // Parquet's notEq keeps nulls; SQL's does not.
      case "ne" -> FilterApi.and(FilterApi.notEq(c, value), FilterApi.notEq(c, null));
      case "lt" -> FilterApi.lt(c, value);
      case "le" -> FilterApi.ltEq(c, value);
      case "gt" -> FilterApi.gt(c, value);
      default -> FilterApi.gtEq(c, value);
    };
  }

  private static FilterPredicate nullTest(Object column, boolean isNull) {
    if (column instanceof LongColumn c) {
      return nulls(c, isNull);
    }
    if (column instanceof IntColumn c) {
      return nulls(c, isNull);
    }
    if (column instanceof BinaryColumn c) {
      return nulls(c, isNull);
    }
    return nulls((BooleanColumn) column, isNull);
  }

  private static <T extends Comparable<T>, C extends Column<T> & SupportsEqNotEq> FilterPredicate
      nulls(C c, boolean isNull) {
    return isNull ? FilterApi.eq(c, null) : FilterApi.notEq(c, null);
  }

  private static FilterPredicate in(Expr target, List<?> values, Schema schema, boolean truth) {
    Object column = column(target, schema);
    if (column == null || column instanceof BooleanColumn) {
      return null;
    }
    Set<Object> set = new LinkedHashSet<>();
    ArrowType type = type(target, schema);
    for (Object v : values) {
      Object x = literal(column, type, v);
      if (x == null) {
        return null;
      }
      set.add(x);
    }
    if (column instanceof LongColumn c) {
      return inSet(c, typed(set, Long.class), truth);
    }
    if (column instanceof IntColumn c) {
      return inSet(c, typed(set, Integer.class), truth);
    }
    return inSet((BinaryColumn) column, typed(set, Binary.class), truth);
  }

  private static <T> Set<T> typed(Set<Object> set, Class<T> type) {
    Set<T> out = new LinkedHashSet<>();
    set.forEach(v -> out.add(type.cast(v)));
    return out;
  }

  private static <T extends Comparable<T>, C extends Column<T> & SupportsEqNotEq> FilterPredicate
      inSet(C c, Set<T> values, boolean truth) {
    return truth ? FilterApi.in(c, values)
        : FilterApi.and(FilterApi.notIn(c, values), FilterApi.notEq(c, null));
  }

  /** The Arrow type of a column reference, else null. */
  private static ArrowType type(Expr e, Schema schema) {
    if (!e.function().equals("col")) {
      return null;
    }
    String name = (String) e.value();
    return schema.getFields().stream().filter(x -> x.getName().equals(name)).findFirst()
        .map(Field::getType).orElse(null);
  }

  /** The Parquet column of a column reference with a translatable type, else null. */
  private static Object column(Expr e, Schema schema) {
    ArrowType t = type(e, schema);
    if (t == null) {
      return null;
    }
    String name = (String) e.value();
    if (t instanceof ArrowType.Int i && i.getIsSigned()) {
      return i.getBitWidth() == 64 ? FilterApi.longColumn(name) : FilterApi.intColumn(name);
    }
    if (t instanceof ArrowType.Date d && d.getUnit() == DateUnit.DAY) {
      return FilterApi.intColumn(name);
    }
    if (t instanceof ArrowType.Timestamp ts && ts.getTimezone() == null
        && ts.getUnit() != TimeUnit.SECOND) {
      return FilterApi.longColumn(name);
    }
    if (t instanceof ArrowType.Utf8) {
      return FilterApi.binaryColumn(name);
    }
    return t instanceof ArrowType.Bool ? FilterApi.booleanColumn(name) : null;
  }

  /**
   * {@code value} as the Parquet value of a column of Arrow type {@code type}, or null when it
   * has no exact form there (a date column compared with a date-time that is not a midnight, a
   * millisecond column with a literal that has microseconds).
   */
  private static Object literal(Object column, ArrowType type, Object value) {
    if (type instanceof ArrowType.Date) {
      LocalDateTime t = value instanceof LocalDate d ? d.atStartOfDay()
          : value instanceof LocalDateTime l ? l : null;
      long day = t == null ? 0 : t.toLocalDate().toEpochDay();
      return t != null && t.toLocalTime().equals(LocalTime.MIDNIGHT) && day == (int) day
          ? (int) day : null;
    }
    if (type instanceof ArrowType.Timestamp ts) {
      LocalDateTime t = value instanceof LocalDate d ? d.atStartOfDay()
          : value instanceof LocalDateTime l ? l : null;
      return t == null ? null : units(t, ts.getUnit());
    }
    if (column instanceof LongColumn && value instanceof Long l) {
      return l;
    }
    if (column instanceof IntColumn && value instanceof Long l && l == l.intValue()) {
      return l.intValue();
    }
    if (column instanceof BinaryColumn && value instanceof String s) {
      return Binary.fromString(s);
    }
    return column instanceof BooleanColumn && value instanceof Boolean b ? b : null;
  }

  /** Wall-clock time {@code t} in {@code unit}s since 1970-01-01T00:00, or null if inexact. */
  private static Long units(LocalDateTime t, TimeUnit unit) {
    long seconds = t.toEpochSecond(ZoneOffset.UTC);
    int nanos = t.getNano();
    try {
      return switch (unit) {
        case MILLISECOND -> nanos % 1_000_000 == 0
            ? Math.addExact(Math.multiplyExact(seconds, 1000L), nanos / 1_000_000) : null;
        case MICROSECOND -> nanos % 1000 == 0
            ? Math.addExact(Math.multiplyExact(seconds, 1_000_000L), nanos / 1000) : null;
        default -> Math.addExact(Math.multiplyExact(seconds, 1_000_000_000L), nanos);
      };
    } catch (ArithmeticException outOfRange) {
      return null;
    }
  }
}
