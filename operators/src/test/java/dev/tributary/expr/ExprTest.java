package dev.tributary.expr;

import static dev.tributary.expr.Expr.coalesce;
import static dev.tributary.expr.Expr.col;
import static dev.tributary.expr.Expr.lit;
import static dev.tributary.expr.Expr.not;
import static dev.tributary.expr.Expr.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every expression against a row-by-row plain-Java reference over generated edge-case data. */
class ExprTest {
  private static final int ROWS = 500;
  private static final String[] STRINGS = {"", "a", "abc", "ABC", "é", "Éa", "日本語",
      "a😀b",
      "😀", "ab ab", "xyz", "m", "ß"};
  private static final double[] DOUBLES = {Double.NaN, 0.0, -0.0, 1.5, -1.5, 2.5, -2.5,
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e300, 4.9e-324, 0.49999999999999994};

  private final Arena arena = Arena.create("expr", 64 * Bytes.MiB);
  private final Account account = arena.openAccount("test");
  private final List<Map<String, Object>> rows = rows(new Random(13));

  @AfterEach
  void noLeaks() {
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  private static List<Map<String, Object>> rows(Random r) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int k = 0; k < ROWS; k++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("i", r.nextInt(8) == 0 ? null : (long) r.nextInt(2_000_001) - 1_000_000);
      row.put("j", r.nextInt(8) == 0 ? null : r.nextInt(7) - 3);
      row.put("d", r.nextInt(8) == 0 ? null : r.nextBoolean() ? DOUBLES[r.nextInt(DOUBLES.length)]
          : r.nextGaussian() * 10);
      row.put("s", r.nextInt(8) == 0 ? null : STRINGS[r.nextInt(STRINGS.length)]);
      row.put("b", r.nextInt(4) == 0 ? null : r.nextBoolean());
      out.add(row);
    }
    return out;
  }

  private Block block() {
    return block(rows);
  }

  private Block block(List<Map<String, Object>> data) {
    return BlockBuilder.in(account)
        .column(Field.nullable("i", new ArrowType.Int(64, true)), column(data, "i"))
        .column(Field.nullable("j", new ArrowType.Int(32, true)), column(data, "j"))
        .column(Field.nullable("d", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
            column(data, "d"))
        .column(Field.nullable("s", ArrowType.Utf8.INSTANCE), column(data, "s"))
        .column(Field.nullable("b", ArrowType.Bool.INSTANCE), column(data, "b"))
        .build();
  }

  private static List<Object> column(List<Map<String, Object>> data, String name) {
    return data.stream().map(r -> r.get(name)).toList();
  }

  // ---------------------------------------------------------------- the reference

  private static Long l(Object o) {
    return o == null ? null : ((Number) o).longValue();
  }

  private static Double dbl(Object o) {
    return o == null ? null : ((Number) o).doubleValue();
  }

  private static <A, B> Object both(A a, B b, BiFunction<A, B, Object> fn) {
    return a == null || b == null ? null : fn.apply(a, b);
  }

  private static <A> Object one(A a, Function<A, Object> fn) {
    return a == null ? null : fn.apply(a);
  }

  private static int cmpStrings(String a, String b) {
    return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
  }

  private static Object and3(Boolean a, Boolean b) {
    if (Boolean.FALSE.equals(a) || Boolean.FALSE.equals(b)) {
      return false;
    }
    return a == null || b == null ? null : true;
  }

  private static Object or3(Boolean a, Boolean b) {
    if (Boolean.TRUE.equals(a) || Boolean.TRUE.equals(b)) {
      return true;
    }
    return a == null || b == null ? null : false;
  }

  private static double roundHalfAway(double v) {
    return new java.math.BigDecimal(v).setScale(0, java.math.RoundingMode.HALF_UP).doubleValue();
  }

  static Stream<Arguments> cases() {
    List<Arguments> c = new ArrayList<>();
    Object[][] table = {
        {col("i").plus(col("j")), (Function<Map<String, Object>, Object>) r ->
            both(l(r.get("i")), l(r.get("j")), Long::sum)},
        {col("i").minus(col("j")), fn(r -> both(l(r.get("i")), l(r.get("j")), (a, b) -> a - b))},
        {col("i").times(col("j")), fn(r -> both(l(r.get("i")), l(r.get("j")), (a, b) -> a * b))},
        {col("i").div(col("j")), fn(r -> both(l(r.get("i")), l(r.get("j")),
            (a, b) -> b == 0 ? null : (double) a / b))},
        {col("i").mod(col("j")), fn(r -> both(l(r.get("i")), l(r.get("j")),
            (a, b) -> b == 0 ? null : a % b))},
        {col("d").plus(col("i")), fn(r -> both(dbl(r.get("d")), dbl(r.get("i")), Double::sum))},
        {col("d").times(2.5), fn(r -> one(dbl(r.get("d")), a -> a * 2.5))},
        {col("d").div(col("j")), fn(r -> both(dbl(r.get("d")), dbl(r.get("j")),
            (a, b) -> b == 0 ? null : a / b))},
        {col("d").mod(col("d")), fn(r -> both(dbl(r.get("d")), dbl(r.get("d")),
            (a, b) -> b == 0 ? null : a % b))},
        {col("i").negate(), fn(r -> one(l(r.get("i")), a -> -a))},
        {col("d").negate(), fn(r -> one(dbl(r.get("d")), a -> -a))},
        {col("i").abs(), fn(r -> one(l(r.get("i")), Math::abs))},
        {col("d").abs(), fn(r -> one(dbl(r.get("d")), Math::abs))},
        {col("d").round(), fn(r -> one(dbl(r.get("d")), a -> Double.isFinite(a)
            ? roundHalfAway(a) == 0 ? Math.copySign(0.0, a) : roundHalfAway(a) : a))},
        {col("i").round(), fn(r -> r.get("i"))},
        {col("d").floor(), fn(r -> one(dbl(r.get("d")), Math::floor))},
        {col("d").ceil(), fn(r -> one(dbl(r.get("d")), Math::ceil))},
        {col("d").sqrt(), fn(r -> one(dbl(r.get("d")), Math::sqrt))},
        {col("i").log(), fn(r -> one(dbl(r.get("i")), Math::log))},
        {col("d").exp(), fn(r -> one(dbl(r.get("d")), Math::exp))},
        {col("d").pow(col("j")), fn(r -> both(dbl(r.get("d")), dbl(r.get("j")), Math::pow))},
        {col("i").lt(col("j")), fn(r -> both(l(r.get("i")), l(r.get("j")), (a, b) -> a < b))},
        {col("i").ge(0), fn(r -> one(l(r.get("i")), a -> a >= 0))},
        {col("d").gt(0), fn(r -> one(dbl(r.get("d")), a -> a > 0))},
        {col("d").le(col("i")), fn(r -> both(dbl(r.get("d")), dbl(r.get("i")), (a, b) -> a <= b))},
        {col("d").eq(col("d")), fn(r -> one(dbl(r.get("d")),
            a -> a.doubleValue() == a.doubleValue()))},
        {col("d").ne(0.0), fn(r -> one(dbl(r.get("d")), a -> a != 0.0))},
        {col("d").eq(-0.0), fn(r -> one(dbl(r.get("d")), a -> a == -0.0))},
        {col("s").lt("m"), fn(r -> one((String) r.get("s"), a -> cmpStrings(a, "m") < 0))},
        {col("s").ge("é"), fn(r -> one((String) r.get("s"), a -> cmpStrings(a, "é") >= 0))},
        {col("s").eq(""), fn(r -> one((String) r.get("s"), String::isEmpty))},
        {col("s").ne(col("s").upper()), fn(r -> one((String) r.get("s"),
            a -> !a.equals(a.toUpperCase(Locale.ROOT))))},
        {col("b").eq(true), fn(r -> r.get("b"))},
        {col("b").ne(col("d").gt(0)), fn(r -> both((Boolean) r.get("b"), dbl(r.get("d")),
            (a, d) -> a != (d > 0)))},
        {col("d").gt(0).and(col("b")), fn(r -> and3(
            (Boolean) one(dbl(r.get("d")), a -> a > 0), (Boolean) r.get("b")))},
        {col("d").gt(0).or(col("b")), fn(r -> or3(
            (Boolean) one(dbl(r.get("d")), a -> a > 0), (Boolean) r.get("b")))},
        {not(col("b")), fn(r -> one((Boolean) r.get("b"), a -> !a))},
        {col("s").isNull(), fn(r -> r.get("s") == null)},
        {col("d").isNotNull(), fn(r -> r.get("d") != null)},
        {col("j").isIn(0, 2, -3), fn(r -> one(l(r.get("j")), a -> a == 0 || a == 2 || a == -3))},
        {col("d").isIn(1.5, 0), fn(r -> one(dbl(r.get("d")), a -> a == 1.5 || a == 0))},
        {col("s").isIn("", "é", "😀"), fn(r -> one((String) r.get("s"),
            a -> List.of("", "é", "😀").contains(a)))},
        {col("d").between(-1, 1), fn(r -> one(dbl(r.get("d")), a -> a >= -1 && a <= 1))},
        {col("i").cast(ExprType.FLOAT64), fn(r -> dbl(r.get("i")))},
        {col("i").cast(ExprType.UTF8), fn(r -> one(l(r.get("i")), a -> Long.toString(a)))},
        {col("d").cast(ExprType.UTF8), fn(r -> one(dbl(r.get("d")), a -> Double.toString(a)))},
        {col("j").cast(ExprType.BOOLEAN), fn(r -> one(l(r.get("j")), a -> a != 0))},
        {col("b").cast(ExprType.INT64), fn(r -> one((Boolean) r.get("b"), a -> a ? 1L : 0L))},
        {col("i").cast(ExprType.UTF8).cast(ExprType.INT64), fn(r -> r.get("i"))},
        {col("b").cast(ExprType.UTF8).cast(ExprType.BOOLEAN), fn(r -> r.get("b"))},
        {when(col("i").gt(0), "pos").when(col("i").lt(0), "neg").otherwise("zero"),
            fn(r -> { Long i = l(r.get("i"));
              return i != null && i > 0 ? "pos" : i != null && i < 0 ? "neg" : "zero"; })},
        {when(col("b"), col("d")).otherwiseNull(), fn(r -> Boolean.TRUE.equals(r.get("b"))
            ? r.get("d") : null)},
        {when(col("b"), col("i")).otherwise(col("d")), fn(r -> Boolean.TRUE.equals(r.get("b"))
            ? dbl(r.get("i")) : dbl(r.get("d")))},
        {coalesce(col("d"), col("i"), 0), fn(r -> r.get("d") != null ? r.get("d")
            : r.get("i") != null ? dbl(r.get("i")) : 0.0)},
        {coalesce(col("s"), "none"), fn(r -> r.get("s") != null ? r.get("s") : "none")},
        {col("s").length(), fn(r -> one((String) r.get("s"), a -> (long) a.codePointCount(0,
            a.length())))},
        {col("s").lower(), fn(r -> one((String) r.get("s"), a -> a.toLowerCase(Locale.ROOT)))},
        {col("s").upper(), fn(r -> one((String) r.get("s"), a -> a.toUpperCase(Locale.ROOT)))},
        {col("s").contains("b"), fn(r -> one((String) r.get("s"), a -> a.contains("b")))},
        {col("s").contains(""), fn(r -> one((String) r.get("s"), a -> true))},
        {col("s").startsWith("a"), fn(r -> one((String) r.get("s"), a -> a.startsWith("a")))},
        {col("s").endsWith("b"), fn(r -> one((String) r.get("s"), a -> a.endsWith("b")))},
        {col("s").substring(2, 2), fn(r -> one((String) r.get("s"), a -> a.codePoints().skip(1)
            .limit(2).collect(StringBuilder::new, StringBuilder::appendCodePoint,
                StringBuilder::append).toString()))},
        {col("s").replace("a", "xy"), fn(r -> one((String) r.get("s"), a -> a.replace("a", "xy")))},
        {col("i").plus(1).times(col("j")).minus(col("d")).alias("z"), fn(r -> both(
            both(l(r.get("i")), l(r.get("j")), (a, b) -> (a + 1) * b), dbl(r.get("d")),
            (a, b) -> ((Long) a) - b))},
    };
    for (Object[] row : table) {
      c.add(Arguments.of(row[0].toString(), row[0], row[1]));
    }
    return c.stream();
  }

  private static Function<Map<String, Object>, Object> fn(Function<Map<String, Object>, Object> f) {
    return f;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyExpressionMatchesThePlainJavaReference(String name, Expr e,
      Function<Map<String, Object>, Object> reference) {
    Evaluation eval = Evaluation.withColumns(Map.of("out", e));
    try (Block in = block(); Block out = eval.apply(in.retain(), account)) {
      assertThat(out.schema()).isEqualTo(eval.schema(in.schema()));
      Object[] got = ColumnReader.values(out, "out");
      for (int k = 0; k < ROWS; k++) {
        Object want = reference.apply(rows.get(k));
        assertThat(got[k]).as("row %d: %s", k, rows.get(k)).satisfies(
            v -> assertThat(Objects.equals(v, want)).as("%s vs expected %s", v, want).isTrue());
      }
    }
  }

  @Test
  void aFusedFilterThenProjectionMatchesTheReferenceAndCopiesPassThroughColumnsOnce() {
    Evaluation chain = Evaluation.filter(col("d").gt(0).or(col("s").isNull()))
        .then(Evaluation.withColumns(Map.of("k", col("i").times(2), "s", col("s").upper())))
        .then(Evaluation.filter(col("k").isNotNull()))
        .then(Evaluation.select(List.of(col("k"), col("s"), col("j").alias("jj"),
            col("d").plus(col("k")).alias("sum"))));
    List<Map<String, Object>> want = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      Double d = dbl(r.get("d"));
      if (!(d != null && d > 0 || r.get("s") == null) || r.get("i") == null) {
        continue;
      }
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("k", l(r.get("i")) * 2);
      o.put("s", one((String) r.get("s"), a -> a.toUpperCase(Locale.ROOT)));
      o.put("jj", r.get("j"));
      o.put("sum", both(d, l(r.get("i")) * 2.0, Double::sum));
      want.add(o);
    }
    try (Block in = block(); Block out = chain.apply(in.retain(), account)) {
      assertThat(out.schema().getFields()).extracting(Field::getName)
          .containsExactly("k", "s", "jj", "sum");
      // A passed-through column keeps its own type (int32 here).
      assertThat(out.schema().findField("jj").getType()).isEqualTo(new ArrowType.Int(32, true));
      assertThat(out.rowCount()).isEqualTo(want.size());
      for (int k = 0; k < want.size(); k++) {
        for (String c : want.get(k).keySet()) {
          Object v = ColumnReader.values(out, c)[k];
          Object w = want.get(k).get(c);
          assertThat(v instanceof Integer x ? (Object) x : v).as("%s row %d", c, k)
              .isEqualTo(w instanceof Long x && c.equals("jj") ? (Object) x.intValue() : w);
        }
      }
    }
  }

  @Test
  void withoutAFilterPassedThroughColumnsShareTheirBuffersAndAnAllTrueFilterReturnsTheBlock() {
    try (Block in = block()) {
      try (Block out = Evaluation.withColumns(Map.of("k", col("i").plus(1))).apply(in.retain(), account)) {
        assertThat(out.vector("d").getDataBuffer().memoryAddress())
            .isEqualTo(in.vector("d").getDataBuffer().memoryAddress());
        assertThat(out.schema().getFields()).extracting(Field::getName)
            .containsExactly("i", "j", "d", "s", "b", "k");
      }
      try (Block all = Evaluation.filter(col("i").isNull().or(col("i").isNotNull()))
          .apply(in.retain(), account)) {
        assertThat(all.vector("d").getDataBuffer().memoryAddress())
            .as("handed on, not copied")
            .isEqualTo(in.vector("d").getDataBuffer().memoryAddress());
      }
      assertThat(Evaluation.filter(lit(false)).apply(in.retain(), account)).isNull();
    }
  }

  @Test
  void anEvaluationConsumesItsInputAndItsPassedThroughColumnsOutliveIt() {
    // The input is the evaluation's (BlockTransform): once it is closed, a result sharing its
    // buffers (a column passed through, or the whole block when nothing changed) stays readable.
    Block in = block();
    Object[] d = ColumnReader.values(in, "d");
    try (Block out = Evaluation.withColumns(Map.of("k", col("i").plus(1))).apply(in, account)) {
      assertThat(in.isClosed()).isTrue();
      assertThat(ColumnReader.values(out, "d")).containsExactly(d);
    }
    Block again = block();
    try (Block all = Evaluation.filter(col("i").isNull().or(col("i").isNotNull()))
        .apply(again, account)) {
      assertThat(again.isClosed()).isTrue();
      assertThat(ColumnReader.values(all, "d")).containsExactly(d);
    }
    Block failing = block();
    assertThatThrownBy(() -> Evaluation.withColumns(Map.of("x", col("nope").plus(1)))
        .apply(failing, account)).isInstanceOf(ExpressionException.class);
    assertThat(failing.isClosed()).as("released on failure").isTrue();
    assertThat(account.heldBytes()).isZero();
  }

  @Test
  void newColumnsOfAnUnorderedMapComeSortedByNameAfterTheInputs() {
    Evaluation e = Evaluation.withColumns(Map.of("zz", lit(1), "aa", lit(2), "d", lit(3)));
    assertThat(e.columns(List.of("i", "d"))).containsExactly("i", "d", "aa", "zz");
  }

  @Test
  void typeErrorsNameTheExpressionAndTheTypesBeforeAnyRowRuns() {
    try (Block in = block()) {
      assertThatThrownBy(() -> Evaluation.withColumns(Map.of("x", col("s").plus(1)))
          .schema(in.schema())).isInstanceOf(ExpressionException.class)
          .hasMessageContaining("(s + 1)").hasMessageContaining("[UTF8, INT64]");
      assertThatThrownBy(() -> Evaluation.filter(col("i").plus(1)).schema(in.schema()))
          .isInstanceOf(ExpressionException.class).hasMessageContaining("needs a boolean");
      assertThatThrownBy(() -> Evaluation.filter(col("nope").gt(1)).schema(in.schema()))
          .isInstanceOf(ExpressionException.class).hasMessageContaining("no such column")
          .hasMessageContaining("[i, j, d, s, b]");
      assertThatThrownBy(() -> Evaluation.filter(col("b").lt(true)).schema(in.schema()))
          .isInstanceOf(ExpressionException.class).hasMessageContaining("[BOOLEAN, BOOLEAN]");
      assertThatThrownBy(() -> Evaluation.withColumns(Map.of("x", col("s").isIn(1, 2)))
          .schema(in.schema())).isInstanceOf(ExpressionException.class);
      assertThatThrownBy(() -> Evaluation.select(List.of(col("i"), col("d").alias("i")))
          .schema(in.schema())).isInstanceOf(ExpressionException.class)
          .hasMessageContaining("twice");
    }
    org.apache.arrow.vector.types.pojo.Schema dates = new org.apache.arrow.vector.types.pojo
        .Schema(List.of(new Field("day", FieldType.nullable(new ArrowType.Date(DateUnit.DAY)),
            null)));
    assertThatThrownBy(() -> Evaluation.filter(col("day").plus(1).gt(0)).schema(dates))
        .isInstanceOf(ExpressionException.class).hasMessageContaining("(day + 1)")
        .hasMessageContaining("[DATE, INT64]");
  }

  @Test
  void int64OverflowFailsNamingTheRowUnlessTheRowIsNullOrFilteredOut() {
    List<Map<String, Object>> data = new ArrayList<>();
    for (long v : new long[] {1, Long.MAX_VALUE, Long.MIN_VALUE}) {
      Map<String, Object> r = new LinkedHashMap<>(rows.get(0));
      r.put("i", v);
      data.add(r);
    }
    try (Block in = block(data)) {
      assertThatThrownBy(() -> Evaluation.withColumns(Map.of("x", col("i").plus(1)))
          .apply(in.retain(), account)).isInstanceOf(ExpressionException.class)
          .hasMessageContaining("row 1").hasMessageContaining("overflow");
      assertThatThrownBy(() -> Evaluation.withColumns(Map.of("x", col("i").abs()))
          .apply(in.retain(), account)).isInstanceOf(ExpressionException.class)
          .hasMessageContaining("row 2");
      assertThatThrownBy(() -> Evaluation.withColumns(Map.of("x", col("i").times(2)))
          .apply(in.retain(), account)).isInstanceOf(ExpressionException.class);
      try (Block out = Evaluation.filter(col("i").gt(-100))
          .then(Evaluation.withColumns(Map.of("x", col("i").minus(1)))).apply(in.retain(), account)) {
        assertThat(ColumnReader.values(out, "x")).containsExactly(0L, Long.MAX_VALUE - 1);
      }
      assertThatThrownBy(() -> Evaluation.withColumns(Map.of("x",
          lit(Double.NaN).cast(ExprType.INT64))).apply(in.retain(), account))
          .isInstanceOf(ExpressionException.class).hasMessageContaining("does not fit");
    }
  }

  @Test
  void aUserFunctionOverArrowVectorsIsAnExpression() {
    Expr twice = Expr.udf("twice", ExprType.FLOAT64, (args, allocator) -> {
      Float8Vector in = (Float8Vector) args.get(0);
      Float8Vector out = new Float8Vector("twice", allocator);
      out.allocateNew(in.getValueCount());
      for (int i = 0; i < in.getValueCount(); i++) {
        if (!in.isNull(i)) {
          out.set(i, in.get(i) * 2);
        }
      }
      out.setValueCount(in.getValueCount());
      return out;
    }, col("d").plus(1));
    try (Block in = block(); Block out = Evaluation.withColumns(Map.of("t", twice.plus(1)))
        .apply(in.retain(), account)) {
      Object[] got = ColumnReader.values(out, "t");
      for (int k = 0; k < ROWS; k++) {
        Object want = one(dbl(rows.get(k).get("d")), a -> (a + 1) * 2 + 1);
        assertThat(Objects.equals(got[k], want)).as("row %d: %s vs %s", k, got[k], want).isTrue();
      }
    }
  }
}
