package dev.tributary.expr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A column expression: built from {@link #col} and {@link #lit} with the methods below, typed
 * against a dataset's schema when the plan is built (an {@link ExpressionException} names the
 * expression and the types it saw), and evaluated a block at a time by {@link Evaluation}.
 *
 * <p>Numeric promotion: integer columns of any width compute as int64 ({@link ExprType#INT64}),
 * float32/float64 as {@link ExprType#FLOAT64}; an operator over an int64 and a float64 promotes
 * the int64 to float64. {@code plus}, {@code minus}, {@code times}, {@code mod} of two int64 are
 * int64 and fail on overflow (never wrap); {@code div} is always float64 (true division). A
 * float32 column compared with a float64 literal compares in float32 ({@code col("f").eq(0.1)}
 * finds the values written as {@code 0.1f}). A date compares with a timestamp without zone as
 * its midnight; zoned timestamps compare with zoned ones only. A
 * division or {@code mod} by zero is null, as in SQL. Float64 arithmetic and comparisons are IEEE
 * 754, as Java's operators: NaN compares unequal to everything (so {@code ne} is true), -0.0
 * equals 0.0. Strings compare by UTF-8 bytes (code point order).
 *
 * <p>Nulls: any operator over a null operand is null, except {@link #isNull}, {@link
 * #isNotNull}, {@link #coalesce} and three-valued {@link #and}/{@link #or} ({@code false and null}
 * is false, {@code true or null} is true). A filter keeps the rows whose predicate is true.
 *
 * <p>Arguments that are not expressions are literals ({@code col("x").plus(1)}). An expression is
 * an immutable value; it is not a functional interface, so {@code filter(expr)} and {@code
 * filter(row -> ...)} never compete.
 */
public final class Expr implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** What a node computes; package-private: users build nodes through the methods. */
  enum Op {
    COL, LIT, ADD("+"), SUB("-"), MUL("*"), DIV("/"), MOD("%"), EQ("="), NE("!="), LT("<"),
    LE("<="), GT(">"), GE(">="), AND("and"), OR("or"), NOT, IS_NULL, IS_NOT_NULL, IS_IN, CAST,
    WHEN, COALESCE, ABS, ROUND, FLOOR, CEIL, SQRT, LOG, EXP, POW, NEGATE, LENGTH, LOWER, UPPER,
    CONTAINS, STARTS_WITH, ENDS_WITH, SUBSTRING, REPLACE, SPLIT, YEAR, QUARTER, MONTH, DAY,
    HOUR, MINUTE, SECOND, DAY_OF_WEEK, DAY_OF_YEAR, DATE_TRUNC, ELEMENT, SIZE, FIELD, ALIAS, UDF;

    final String infix;

    Op() {
      this(null);
    }

    Op(String infix) {
      this.infix = infix;
    }
  }

  /** A user function with its declared result type. */
  record Udf(String name, ExprType returns, VectorFunction fn) implements java.io.Serializable {}

  final Op op;
  final List<Expr> args;
  final Object value;

  Expr(Op op, List<Expr> args, Object value) {
    this.op = op;
    this.args = List.copyOf(args);
    this.value = value;
  }

  private static Expr node(Op op, Object value, Expr... args) {
    return new Expr(op, Arrays.asList(args), value);
  }

  // ---------------------------------------------------------------- leaves

  /** The column named {@code name}. */
  public static Expr col(String name) {
    return node(Op.COL, Objects.requireNonNull(name, "name"));
  }

  /**
   * A literal: a {@code Long}/{@code Integer}/{@code Short}/{@code Byte} (int64), {@code
   * Double}/{@code Float} (float64), {@code String} (utf8), {@code Boolean}, {@link
   * java.time.LocalDate} (date), {@link java.time.LocalDateTime} (timestamp without zone) or
   * {@link java.time.Instant} (timestamp with zone, shown in UTC); sub-microsecond parts of a
   * time literal are dropped, as timestamps compute in microseconds.
   *
   * @throws IllegalArgumentException for null (a null of a type is {@code when(cond,
   *     v).otherwiseNull()}) or another Java type
   */
  public static Expr lit(Object value) {
    if (value instanceof Expr e) {
      return e;
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte) {
      return node(Op.LIT, ((Number) value).longValue());
    }
    if (value instanceof Double || value instanceof Float) {
      return node(Op.LIT, ((Number) value).doubleValue());
    }
    if (value instanceof String || value instanceof Boolean) {
      return node(Op.LIT, value);
    }
    if (value instanceof java.time.LocalDate) {
      return node(Op.LIT, value);
    }
    if (value instanceof java.time.LocalDateTime t) {
      return node(Op.LIT, t.withNano(t.getNano() / 1000 * 1000));
    }
    if (value instanceof java.time.Instant t) {
      return node(Op.LIT, t.minusNanos(t.getNano() % 1000));
    }
    throw new IllegalArgumentException("a literal must be a long, int, double, float, String, "
        + "Boolean, LocalDate, LocalDateTime or Instant, was "
        + (value == null ? "null" : value.getClass().getName()));
  }

  // ---------------------------------------------------------------- functions of several

  /**
   * {@code value} where {@code condition} is true: add branches with {@link When#when}, end with
   * {@link When#otherwise} or {@link When#otherwiseNull}.
   */
  public static When when(Expr condition, Object value) {
    return new When(List.of(Objects.requireNonNull(condition, "condition"), lit(value)));
  }

  /** The first non-null of {@code values}, of their common type. */
  public static Expr coalesce(Object... values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("coalesce needs at least one value");
    }
    return new Expr(Op.COALESCE, Arrays.stream(values).map(Expr::lit).toList(), null);
  }

  /** {@code a and b ...} (three-valued). */
  public static Expr and(Expr first, Expr... more) {
    Expr e = first;
    for (Expr m : more) {
      e = e.and(m);
    }
    return e;
  }

  /** {@code not e}. */
  public static Expr not(Expr e) {
    return e.not();
  }

  /**
   * A user function over Arrow vectors ({@link VectorFunction}) applied to {@code args}; its
   * result must be a vector of {@code returns}' Arrow type ({@link ExprType#arrowType()}), as
   * many rows as its arguments.
   *
   * @param name shown in plans and errors
   */
  public static Expr udf(String name, ExprType returns, VectorFunction fn, Expr... args) {
    return node(Op.UDF, new Udf(Objects.requireNonNull(name, "name"),
        Objects.requireNonNull(returns, "returns"), Objects.requireNonNull(fn, "fn")), args);
  }

  // ---------------------------------------------------------------- arithmetic

  /** {@code this + other}. */
  public Expr plus(Object other) {
    return node(Op.ADD, null, this, lit(other));
  }

  /** {@code this - other}. */
  public Expr minus(Object other) {
    return node(Op.SUB, null, this, lit(other));
  }

  /** {@code this * other}. */
  public Expr times(Object other) {
    return node(Op.MUL, null, this, lit(other));
  }

  /** {@code this / other}, always float64; null where {@code other} is zero. */
  public Expr div(Object other) {
    return node(Op.DIV, null, this, lit(other));
  }

  /** The remainder of {@code this / other}, with the sign of {@code this}; null for zero. */
  public Expr mod(Object other) {
    return node(Op.MOD, null, this, lit(other));
  }

  /** {@code -this}. */
  public Expr negate() {
    return node(Op.NEGATE, null, this);
  }

  // ---------------------------------------------------------------- comparisons

  /** {@code this = other}. */
  public Expr eq(Object other) {
    return node(Op.EQ, null, this, lit(other));
  }

  /** {@code this != other}. */
  public Expr ne(Object other) {
    return node(Op.NE, null, this, lit(other));
  }

  /** {@code this < other}. */
  public Expr lt(Object other) {
    return node(Op.LT, null, this, lit(other));
  }

  /** {@code this <= other}. */
  public Expr le(Object other) {
    return node(Op.LE, null, this, lit(other));
  }

  /** {@code this > other}. */
  public Expr gt(Object other) {
    return node(Op.GT, null, this, lit(other));
  }

  /** {@code this >= other}. */
  public Expr ge(Object other) {
    return node(Op.GE, null, this, lit(other));
  }

  /** {@code low <= this and this <= high}. */
  public Expr between(Object low, Object high) {
    return ge(low).and(le(high));
  }

  /**
   * Whether this is one of {@code values} (literals of its type; null when this is null).
   *
   * @throws IllegalArgumentException if a value is null or none is given
   */
  public Expr isIn(Object... values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("isIn needs at least one value");
    }
    List<Object> kept = new ArrayList<>();
    for (Object v : values) {
      if (v == null) {
        throw new IllegalArgumentException("isIn values must not be null; use isNull()");
      }
      kept.add(lit(v).value);
    }
    return node(Op.IS_IN, List.copyOf(kept), this);
  }

  // ---------------------------------------------------------------- logic and nulls

  /** {@code this and other}, three-valued. */
  public Expr and(Expr other) {
    return node(Op.AND, null, this, Objects.requireNonNull(other, "other"));
  }

  /** {@code this or other}, three-valued. */
  public Expr or(Expr other) {
    return node(Op.OR, null, this, Objects.requireNonNull(other, "other"));
  }

  /** {@code not this} (null stays null). */
  public Expr not() {
    return node(Op.NOT, null, this);
  }

  /** Whether this is null (never null itself). */
  public Expr isNull() {
    return node(Op.IS_NULL, null, this);
  }

  /** Whether this is not null (never null itself). */
  public Expr isNotNull() {
    return node(Op.IS_NOT_NULL, null, this);
  }

  /**
   * This converted to {@code type}: numbers to each other (float64 to int64 truncates toward
   * zero and fails for NaN, infinities and values out of range), anything but lists and structs
   * to and from utf8 (parsing fails on text that is not a number, {@code true}/{@code false}, an
   * ISO date {@code 2024-02-29}, date-time {@code 2024-02-29 13:45:00.5} or, for {@link
   * ExprType#TIMESTAMP_TZ}, one with an offset or {@code Z}), booleans to numbers as 1/0 and
   * numbers to booleans as {@code != 0}, dates and timestamps to each other (a date is midnight;
   * a timestamp without zone is taken as UTC, a zoned one's date is in its zone) and to and from
   * int64 (days, or microseconds, since 1970-01-01). Other pairs fail when the plan is typed.
   */
  public Expr cast(ExprType type) {
    return node(Op.CAST, Objects.requireNonNull(type, "type"), this);
  }

  /** This expression's result named {@code name} (the column name in {@code select}). */
  public Expr alias(String name) {
    return node(Op.ALIAS, Objects.requireNonNull(name, "name"), this);
  }

  // ---------------------------------------------------------------- math

  /** {@code |this|} (int64 fails for the minimum value). */
  public Expr abs() {
    return node(Op.ABS, null, this);
  }

  /** Rounded to the nearest integer, halves away from zero; the type is kept. */
  public Expr round() {
    return node(Op.ROUND, null, this);
  }

  /** The largest integer not above this; the type is kept. */
  public Expr floor() {
    return node(Op.FLOOR, null, this);
  }

  /** The smallest integer not below this; the type is kept. */
  public Expr ceil() {
    return node(Op.CEIL, null, this);
  }

  /** The square root, float64 (NaN below zero, as IEEE 754). */
  public Expr sqrt() {
    return node(Op.SQRT, null, this);
  }

  /** The natural logarithm, float64 (NaN below zero, -Infinity at zero). */
  public Expr log() {
    return node(Op.LOG, null, this);
  }

  /** {@code e^this}, float64. */
  public Expr exp() {
    return node(Op.EXP, null, this);
  }

  /** {@code this^exponent}, float64 ({@link Math#pow}). */
  public Expr pow(Object exponent) {
    return node(Op.POW, null, this, lit(exponent));
  }

  // ---------------------------------------------------------------- strings

  /** The number of Unicode code points, int64. */
  public Expr length() {
    return node(Op.LENGTH, null, this);
  }

  /** Lower case ({@link String#toLowerCase(java.util.Locale)} with {@code Locale.ROOT}). */
  public Expr lower() {
    return node(Op.LOWER, null, this);
  }

  /** Upper case ({@link String#toUpperCase(java.util.Locale)} with {@code Locale.ROOT}). */
  public Expr upper() {
    return node(Op.UPPER, null, this);
  }

  /** Whether {@code part} occurs in this. */
  public Expr contains(String part) {
    return node(Op.CONTAINS, Objects.requireNonNull(part, "part"), this);
  }

  /** Whether this starts with {@code prefix}. */
  public Expr startsWith(String prefix) {
    return node(Op.STARTS_WITH, Objects.requireNonNull(prefix, "prefix"), this);
  }

  /** Whether this ends with {@code suffix}. */
  public Expr endsWith(String suffix) {
    return node(Op.ENDS_WITH, Objects.requireNonNull(suffix, "suffix"), this);
  }

  /**
   * At most {@code length} code points from {@code start}, counted from 1 as in SQL (a start
   * past the end gives the empty string).
   *
   * @throws IllegalArgumentException if {@code start < 1} or {@code length < 0}
   */
  public Expr substring(int start, int length) {
    if (start < 1 || length < 0) {
      throw new IllegalArgumentException("substring needs start >= 1 and length >= 0, were "
          + start + " and " + length);
    }
    return node(Op.SUBSTRING, new int[] {start, length}, this);
  }

  /** Every occurrence of {@code search} replaced by {@code replacement}. */
  public Expr replace(String search, String replacement) {
    if (search.isEmpty()) {
      throw new IllegalArgumentException("replace needs a non-empty search string");
    }
    return node(Op.REPLACE, List.of(search, Objects.requireNonNull(replacement, "replacement")),
        this);
  }

  /**
   * This string split at every occurrence of {@code separator}, a list of utf8 (an empty string
   * gives one empty element, as DuckDB's {@code string_split}).
   *
   * @throws IllegalArgumentException if {@code separator} is empty
   */
  public Expr split(String separator) {
    if (separator.isEmpty()) {
      throw new IllegalArgumentException("split needs a non-empty separator");
    }
    return node(Op.SPLIT, separator, this);
  }

  // ---------------------------------------------------------------- dates and times

  /** The year of a date or timestamp, int64 (a zoned timestamp's in its zone, as every part). */
  public Expr year() {
    return node(Op.YEAR, null, this);
  }

  /** The quarter (1 to 4) of a date or timestamp, int64. */
  public Expr quarter() {
    return node(Op.QUARTER, null, this);
  }

  /** The month (1 to 12) of a date or timestamp, int64. */
  public Expr month() {
    return node(Op.MONTH, null, this);
  }

  /** The day of the month (1 to 31) of a date or timestamp, int64. */
  public Expr day() {
    return node(Op.DAY, null, this);
  }

  /** The hour (0 to 23) of a timestamp (0 for a date), int64. */
  public Expr hour() {
    return node(Op.HOUR, null, this);
  }

  /** The minute (0 to 59) of a timestamp (0 for a date), int64. */
  public Expr minute() {
    return node(Op.MINUTE, null, this);
  }

  /** The whole second (0 to 59) of a timestamp (0 for a date), int64. */
  public Expr second() {
    return node(Op.SECOND, null, this);
  }

  /** The ISO day of the week, Monday 1 to Sunday 7 (SQL's {@code isodow}), int64. */
  public Expr dayOfWeek() {
    return node(Op.DAY_OF_WEEK, null, this);
  }

  /** The day of the year (1 to 366), int64. */
  public Expr dayOfYear() {
    return node(Op.DAY_OF_YEAR, null, this);
  }

  /**
   * This date or timestamp truncated to the start of its {@code unit}: {@code year}, {@code
   * quarter}, {@code month}, {@code week} (ISO, from Monday), {@code day}, {@code hour}, {@code
   * minute} or {@code second}; of the input's type (a date truncated below a day is itself; a
   * zoned timestamp is truncated in its zone).
   *
   * @throws IllegalArgumentException for another unit
   */
  public Expr dateTrunc(String unit) {
    String u = unit.toLowerCase(java.util.Locale.ROOT);
    if (!TimeKernels.UNITS.contains(u)) {
      throw new IllegalArgumentException("dateTrunc takes one of " + TimeKernels.UNITS + ", was '"
          + unit + "'");
    }
    return node(Op.DATE_TRUNC, u, this);
  }

  // ---------------------------------------------------------------- lists and structs

  /**
   * Element {@code index} of a list, counted from 0 (negative: from the end, -1 the last); null
   * where the list is null or too short.
   */
  public Expr element(int index) {
    return node(Op.ELEMENT, index, this);
  }

  /** The number of elements of a list, int64 (null for a null list). */
  public Expr size() {
    return node(Op.SIZE, null, this);
  }

  /** Field {@code name} of a struct (null where the struct is null). */
  public Expr field(String name) {
    return node(Op.FIELD, Objects.requireNonNull(name, "name"), this);
  }

  // ---------------------------------------------------------------- structure

  /** The names of the columns this expression reads, in order of appearance. */
  public Set<String> columns() {
    Set<String> out = new LinkedHashSet<>();
    collect(out);
    return out;
  }

  private void collect(Set<String> out) {
    if (op == Op.COL) {
      out.add((String) value);
    }
    args.forEach(a -> a.collect(out));
  }

  /**
   * The name of a column computed by this expression: the alias, the column's own name for a
   * column reference, else the expression's text.
   */
  public String name() {
    if (op == Op.ALIAS || op == Op.COL) {
      return (String) value;
    }
    return toString();
  }

  /**
   * The operator, for rules that translate expressions (an optimizer, another engine): {@code
   * col}, {@code lit}, {@code add}, {@code eq}, {@code lt}, {@code and}, {@code not}, {@code
   * is_null}, {@code is_in}, ... (the lower-case names of the methods that build them).
   */
  public String function() {
    return op.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The operands, for rules that translate expressions. */
  public List<Expr> arguments() {
    return args;
  }

  /**
   * The constant part, for rules that translate expressions: a column's name, a literal's
   * value, the list of {@code is_in} values, a {@code cast}'s {@link ExprType}, a {@code
   * date_trunc}'s unit, an {@code element}'s index, a {@code field}'s name; else null.
   */
  public Object value() {
    return value instanceof int[] || value instanceof Udf ? null : value;
  }

  @Override
  public String toString() {
    return switch (op) {
      case COL -> (String) value;
      case LIT -> value instanceof String s ? "'" + s.replace("'", "''") + "'"
          : value instanceof java.time.LocalDate ? "date '" + value + "'"
          : value instanceof java.time.LocalDateTime ? "timestamp '" + value + "'"
          : value instanceof java.time.Instant ? "timestamptz '" + value + "'"
          : String.valueOf(value);
      case ELEMENT -> args.get(0) + "[" + value + "]";
      case FIELD -> args.get(0) + "." + value;
      case ALIAS -> args.get(0) + " as " + value;
      case CAST -> "cast(" + args.get(0) + " as " + value + ")";
      case IS_IN -> args.get(0) + " in " + ((List<?>) value).stream().map(v -> lit(v).toString())
          .collect(Collectors.joining(", ", "(", ")"));
      case SUBSTRING -> "substring(" + args.get(0) + ", " + ((int[]) value)[0] + ", "
          + ((int[]) value)[1] + ")";
      case UDF -> ((Udf) value).name() + args.stream().map(Expr::toString)
          .collect(Collectors.joining(", ", "(", ")"));
      default -> {
        if (op.infix != null) {
          yield "(" + args.get(0) + " " + op.infix + " " + args.get(1) + ")";
        }
        List<String> parts = new ArrayList<>(args.stream().map(Expr::toString).toList());
        if (value instanceof String s) {
          parts.add(lit(s).toString());
        } else if (value instanceof List<?> l) {
          l.forEach(v -> parts.add(lit(v).toString()));
        }
        yield function() + parts.stream().collect(Collectors.joining(", ", "(", ")"));
      }
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Expr e && op == e.op && args.equals(e.args)
        && (value instanceof int[] a ? e.value instanceof int[] b && Arrays.equals(a, b)
            : Objects.equals(value, e.value));
  }

  @Override
  public int hashCode() {
    return Objects.hash(op, args, value instanceof int[] a ? Arrays.hashCode(a) : value);
  }
}
