package dev.tributary.operators.aggregate;

import dev.tributary.memory.ColumnException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One aggregation over a column (or the rows), named after Ray Data's: {@link #count()}, {@link
 * #sum}, {@link #min}, {@link #max}, {@link #mean}, {@link #std}, {@link #var}, {@link #absMax},
 * {@link #unique}, {@link #quantile}, or {@link #of user-defined}. Immutable; {@link #as} names
 * the output column (default {@code sum(x)}, {@code count()}, ...), {@link #ignoreNulls} chooses
 * how nulls count.
 *
 * <p>Nulls and NaN, as in Ray Data: a NaN counts as a null. With {@code ignoreNulls} (the default
 * for all but {@code count}) nulls are skipped, and a group without any value gets null (the sum
 * of nothing is null, not 0); without it, a group with a null gets null. {@code count()} counts
 * rows; {@code count(c)} counts rows too unless {@code ignoreNulls(true)}, then only values. Null
 * keys form a group of their own.
 *
 * <p>Result types: {@code count} int64; {@code sum}, {@code min}, {@code max}, {@code absMax} of
 * an integer column int64 (exact; a sum beyond int64 fails, naming the column), of a floating
 * column float64; {@code min}/{@code max} of other comparable columns (strings, dates,
 * timestamps, decimals, booleans) their own type; {@code mean}, {@code std}, {@code var}, {@code
 * quantile} float64 ({@code std}/{@code var} null when fewer than {@code ddof + 1} values; {@code
 * quantile} interpolates linearly, like Ray's); {@code unique} a list of the column's type, sorted
 * (nulls last when kept); a user aggregate whatever its results are.
 *
 * <p>Serializable, so that a distributed engine can ship it (a user aggregate must be too).
 */
public final class Aggregate implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** What an aggregation computes. */
  enum Kind {
    COUNT, SUM, MIN, MAX, MEAN, STD, VAR, ABS_MAX, UNIQUE, QUANTILE, USER,
    /** Another aggregation's state over a part of the rows ({@link #partial()}). */
    PARTIAL,
    /** Another aggregation's result from the states of the parts ({@link #combiner()}). */
    COMBINE
  }

  private final Kind kind;
  private final String column;
  private final String name;
  private final boolean ignoreNulls;
  private final double parameter;
  private final UserAggregate<?> user;
  /** The aggregation whose state a {@code PARTIAL} or {@code COMBINE} one carries, or null. */
  private final Aggregate of;

  private Aggregate(Kind kind, String column, String name, boolean ignoreNulls, double parameter,
      UserAggregate<?> user) {
    this(kind, column, name, ignoreNulls, parameter, user, null);
  }

  private Aggregate(Kind kind, String column, String name, boolean ignoreNulls, double parameter,
      UserAggregate<?> user, Aggregate of) {
    this.kind = kind;
    this.column = column;
    this.name = name;
    this.ignoreNulls = ignoreNulls;
    this.parameter = parameter;
    this.user = user;
    this.of = of;
  }

  private static Aggregate on(Kind kind, String label, String column, boolean ignoreNulls,
      double parameter) {
    Objects.requireNonNull(column, "column");
    return new Aggregate(kind, column, label + "(" + column + ")", ignoreNulls, parameter, null);
  }

  /** The number of rows ({@code count()}). */
  public static Aggregate count() {
    return new Aggregate(Kind.COUNT, null, "count()", false, 0, null);
  }

  /** The number of rows, or with {@link #ignoreNulls ignoreNulls(true)} of values, of {@code column}. */
  public static Aggregate count(String column) {
    return on(Kind.COUNT, "count", column, false, 0);
  }

  /** The sum of a numeric column. */
  public static Aggregate sum(String column) {
    return on(Kind.SUM, "sum", column, true, 0);
  }

  /** The smallest value of a numeric or otherwise comparable column. */
  public static Aggregate min(String column) {
    return on(Kind.MIN, "min", column, true, 0);
  }

  /** The largest value of a numeric or otherwise comparable column. */
  public static Aggregate max(String column) {
    return on(Kind.MAX, "max", column, true, 0);
  }

  /** The mean of a numeric column. */
  public static Aggregate mean(String column) {
    return on(Kind.MEAN, "mean", column, true, 0);
  }

  /** The sample standard deviation ({@code ddof} 1, Ray's default) of a numeric column. */
  public static Aggregate std(String column) {
    return std(column, 1);
  }

  /**
   * The standard deviation of a numeric column with {@code ddof} delta degrees of freedom (0:
   * population, 1: sample).
   *
   * @throws IllegalArgumentException if {@code ddof < 0}
   */
  public static Aggregate std(String column, int ddof) {
    return on(Kind.STD, "std", column, true, checkDdof(ddof));
  }

  /** The sample variance ({@code ddof} 1) of a numeric column. */
  public static Aggregate var(String column) {
    return var(column, 1);
  }

  /**
   * The variance of a numeric column with {@code ddof} delta degrees of freedom.
   *
   * @throws IllegalArgumentException if {@code ddof < 0}
   */
  public static Aggregate var(String column, int ddof) {
    return on(Kind.VAR, "var", column, true, checkDdof(ddof));
  }

  /** The largest absolute value of a numeric column. */
  public static Aggregate absMax(String column) {
    return on(Kind.ABS_MAX, "abs_max", column, true, 0);
  }

  /** The distinct values of a column, as a sorted list. */
  public static Aggregate unique(String column) {
    return on(Kind.UNIQUE, "unique", column, true, 0);
  }

  /**
   * Distinct values found another way (a group-by on the column) as {@link #unique} gives them:
   * nulls and NaN dropped, sorted in natural order when every value is comparable.
   */
  public static List<Object> uniqueOrder(Collection<?> distinct) {
    List<Object> out = new ArrayList<>(distinct.size());
    for (Object v : distinct) {
      if (v != null && !UniqueAccumulator.isNaN(v)) {
        out.add(v);
      }
    }
    UniqueAccumulator.sortIfComparable(out);
    return out;
  }

  /**
   * The {@code q} quantile of a numeric column, interpolated linearly between the two nearest
   * values (exact: a group's values are kept until finished).
   *
   * @throws IllegalArgumentException unless {@code 0 <= q <= 1}
   */
  public static Aggregate quantile(String column, double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("q must be in [0, 1], was " + q);
    }
    return on(Kind.QUANTILE, "quantile", column, true, q);
  }

  /** A user aggregation whose output column is {@code name}. */
  public static Aggregate of(String name, UserAggregate<?> aggregate) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(aggregate, "aggregate");
    return new Aggregate(Kind.USER, null, name, true, 0, aggregate);
  }

  private static double checkDdof(int ddof) {
    if (ddof < 0) {
      throw new IllegalArgumentException("ddof must be >= 0, was " + ddof);
    }
    return ddof;
  }

  /** The same aggregation with its output column named {@code name}. */
  public Aggregate as(String name) {
    return new Aggregate(kind, column, Objects.requireNonNull(name, "name"), ignoreNulls,
        parameter, user, of);
  }

  /**
   * The same aggregation, skipping nulls (and NaN) when {@code ignore}, else giving null for a
   * group that has one ({@code count(c)}: counting only values when {@code ignore}).
   */
  public Aggregate ignoreNulls(boolean ignore) {
    return new Aggregate(kind, column, name, ignore, parameter, user, of);
  }

  /** The output column's name. */
  public String name() {
    return name;
  }

  /** The input column it reads, or null ({@code count()}, user aggregations see every column). */
  public String column() {
    return column;
  }

  /** Whether it reads every column: a user aggregation sees whole batches. */
  public boolean readsAllColumns() {
    return kind == Kind.USER;
  }

  /** Whether nulls are skipped. */
  public boolean ignoresNulls() {
    return ignoreNulls;
  }

  Kind kind() {
    return kind;
  }

  double parameter() {
    return parameter;
  }

  /**
   * Checks the aggregation against its input's schema (the column exists and its type fits),
   * naming the column in the error; called when a plan is built and when the first block comes.
   *
   * @throws ColumnException if the column is missing or of a type this aggregation cannot read
   */
  public void check(Schema input) {
    if (kind == Kind.PARTIAL) {
      of.check(input);
      return;
    }
    if (column == null) {
      return;
    }
    Field field = input.getFields().stream().filter(f -> f.getName().equals(column)).findFirst()
        .orElseThrow(() -> new ColumnException(column, name + ": no such column; the input has "
            + input.getFields().stream().map(Field::getName).toList()));
    ArrowType type = field.getType();
    boolean numeric = NumericAccumulator.readable(type);
    boolean needsNumbers = switch (kind) {
      case SUM, MEAN, STD, VAR, ABS_MAX, QUANTILE -> true;
      default -> false;
    };
    if (needsNumbers && !numeric && !(type instanceof ArrowType.Null)) {
      throw new ColumnException(column, name + ": needs a numeric column, the column is " + type);
    }
    if ((kind == Kind.MIN || kind == Kind.MAX) && !numeric
        && !OrderedAccumulator.readable(type) && !(type instanceof ArrowType.Null)) {
      throw new ColumnException(column, name + ": needs a comparable column, the column is "
          + type);
    }
  }

  /** The accumulator of this aggregation over blocks of {@code input}'s schema. */
  Accumulator accumulator(Schema input) {
    check(input);
    if (kind == Kind.USER) {
      return new UserAccumulator(user);
    }
    if (kind == Kind.COUNT) {
      return new CountAccumulator(column, ignoreNulls);
    }
    if (kind == Kind.PARTIAL) {
      return new PartialState(of.accumulator(input),
          input.findField(column).getType() instanceof ArrowType.Null);
    }
    if (kind == Kind.COMBINE) {
      return CombinedStates.of(of, input.findField(column));
    }
    ArrowType type = input.findField(column).getType();
    return switch (kind) {
      case UNIQUE -> new UniqueAccumulator(column, input.findField(column), ignoreNulls);
      case QUANTILE -> new QuantileAccumulator(column, ignoreNulls, parameter);
      case MIN, MAX -> NumericAccumulator.readable(type) || type instanceof ArrowType.Null
          ? new NumericAccumulator(this, type)
          : new OrderedAccumulator(column, input.findField(column), kind == Kind.MAX, ignoreNulls);
      default -> new NumericAccumulator(this, type);
    };
  }

  /**
   * The aggregation that, over this one's results on parts of the rows (a column named {@link
   * #name()}, one row per part), gives this one's result over all of them, named alike: how a
   * distributed engine aggregates each partition where it is and combines only those rows.
   * Present for {@code count} (a sum of counts), and for {@code sum}, {@code min}, {@code max}
   * and {@code absMax} (a max of the parts' absolute maxima) that skip nulls, each over the parts'
   * results; for {@code mean}, {@code std}, {@code var}, and {@code sum}, {@code absMax}, {@code
   * min} and {@code max} keeping nulls, over the parts' states ({@link #partial()}); empty for
   * the others ({@code unique}, {@code quantile}, user aggregations), which need every row in
   * one place. Integer sums and means are exact; floating sums add the parts'
   * sums and the moments merge the parts' (Chan's formula, as a spilled aggregation does), so
   * they may differ in the last digits from one pass over the rows in order.
   */
  public Optional<Aggregate> combiner() {
    if (carriesState()) {
      return Optional.of(new Aggregate(Kind.COMBINE, name, name, ignoreNulls, parameter, null,
          this));
    }
    Kind combined = switch (kind) {
      case COUNT, SUM -> Kind.SUM;
      case MIN -> Kind.MIN;
      case MAX, ABS_MAX -> Kind.MAX;
      default -> null;
    };
    return combined == null || !(ignoreNulls || kind == Kind.COUNT) ? Optional.empty()
        : Optional.of(new Aggregate(combined, name, name, true, 0, null));
  }

  /**
   * What each part of the rows computes for {@link #combiner()} to combine, named alike: this
   * aggregation itself when its results combine as they are (and when it has no combiner); for
   * {@code mean}, {@code std}, {@code var}, and {@code sum}, {@code absMax}, {@code min} and
   * {@code max} keeping nulls, its state over the part: a struct column of the counts of values
   * and nulls, then the sum, the minimum and maximum, or the mean and the sum of squared
   * deviations, as the aggregation needs (a non-numeric column's minimum or maximum: its value,
   * in the column's type, and the count of nulls).
   */
  public Aggregate partial() {
    return carriesState() ? new Aggregate(Kind.PARTIAL, column, name, ignoreNulls, parameter,
        null, this) : this;
  }

  /**
   * Whether {@link #partialOf} makes this aggregation's partial result over input whose
   * aggregated column is of {@code type}: {@code count()}, {@code count(c)}, and {@code sum},
   * {@code min}, {@code max}, {@code absMax} and {@code mean} of a signed int32 or int64, float32
   * or float64 column, each with a {@link #combiner()}.
   */
  public boolean fromValueStates(ArrowType type) {
    if (combiner().isEmpty()) {
      return false;
    }
    boolean numeric = type instanceof ArrowType.Int i && i.getIsSigned()
        && (i.getBitWidth() == 32 || i.getBitWidth() == 64)
        || type instanceof ArrowType.FloatingPoint f
        && f.getPrecision() != FloatingPointPrecision.HALF;
    return switch (kind) {
      case COUNT -> !readsValues() || numeric;
      case SUM, MIN, MAX, ABS_MAX, MEAN -> numeric;
      default -> false;
    };
  }

  /**
   * Whether {@link #partialOf} needs its column's value states: all but {@code count()} and
   * {@code count(c)} counting rows.
   */
  public boolean readsValues() {
    return column != null && (kind != Kind.COUNT || ignoreNulls);
  }

  /**
   * Whether {@link #partialOf} needs its column's smallest and largest value ({@code min}, {@code
   * max}, {@code absMax}).
   */
  public boolean readsRange() {
    return kind == Kind.MIN || kind == Kind.MAX || kind == Kind.ABS_MAX;
  }

  /**
   * This aggregation's {@link #partial()} result over rows a source summarized itself: {@code
   * rows} rows and, for an aggregation of a column's values, that column's {@code states}, as the
   * one-row column the partial aggregation would have made over those rows,
   * allocated by {@code allocator}; {@code states} may be null unless it {@link #readsValues()}.
   * Only where {@link #fromValueStates} (its type as {@code states} say).
   *
   * @throws IllegalStateException if it is not made from value states
   * @throws ColumnException if a {@code sum} or {@code mean} of an integer column overflows int64
   */
  public FieldVector partialOf(long rows, ValueStates states, BufferAllocator allocator) {
    ArrowType type = states == null || states.integral() ? new ArrowType.Int(64, true)
        : new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    if (!fromValueStates(type) || readsValues() && states == null) {
      throw new IllegalStateException(name + " is not made from value states");
    }
    Aggregate partial = partial();
    Schema input = new Schema(column == null ? List.of()
        : List.of(Field.nullable(column, type)));
    Accumulator accumulator = partial.accumulator(input);
    accumulator.grow(1);
    accumulator.load(rows, states);
    return accumulator.finish(partial.name(), new int[] {0}, allocator);
  }

  /** Whether the parts' states, not their results, are combined. */
  private boolean carriesState() {
    return switch (kind) {
      case MEAN, STD, VAR -> true;
      case SUM, ABS_MAX, MIN, MAX -> !ignoreNulls;
      default -> false;
    };
  }

  @Override
  public String toString() {
    return name;
  }
}
