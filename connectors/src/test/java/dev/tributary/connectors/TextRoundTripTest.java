package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Block;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * The property every text writer and reader must keep: random flat schemas (tricky names, every
 * flat type) with random values (nulls, empty strings and blobs, NaN, -0.0, infinities, unicode,
 * quotes, delimiters, line breaks, long strings, dates and times far from 1970, decimals of every
 * scale) written as CSV in several dialects and as JSON lines read back equal, both by Tributary
 * with the schema and by DuckDB with the same column types. Seeded and bounded.
 */
class TextRoundTripTest extends ArenaTestSupport {
  private static final int SEEDS = 12;
  private static final List<String> NAMES = List.of("id", "a", "a ", " b", "a\"b", "a,b", "é",
      "列", "a.b", "x;y", "NULL", "column0", "it's", "tab\there");
  private static final List<String> PIECES = List.of("", "a", "NULL", "\\N", "\"", "\"\"", "'",
      ",", ";", "\t", "\n", "\r\n", "\r", " ", "\\", "\\n", "é", "😀", "列", "007", "1e5", "NaN",
      "true", "#", "\u0001", "x y", "=");
  private static final long MIN_SECOND = LocalDate.of(1, 1, 1).toEpochDay() * 86_400;
  private static final long MAX_SECOND = LocalDate.of(9999, 12, 31).toEpochDay() * 86_400;
  private static final long MIN_NANOS_SECOND = Instant.parse("1677-09-22T00:00:00Z")
      .getEpochSecond();
  private static final long MAX_NANOS_SECOND = Instant.parse("2262-04-10T00:00:00Z")
      .getEpochSecond();

  /** A writer and reader configuration under test, with DuckDB's way of reading it. */
  private record Variant(String name, CsvOptions csv, String duckOptions) {
    boolean json() {
      return csv == null;
    }
  }

  /** DuckDB's options for RFC 4180 CSV (set, not sniffed: values can mislead a sniffer). */
  private static final String RFC =
      "delim=',', quote='\"', escape='\"', allow_quoted_nulls=false, auto_detect=false,"
          + " new_line='\\n'";

  private static final List<Variant> VARIANTS = List.of(
      new Variant("csv", CsvOptions.defaults(), "header=true, " + RFC),
      new Variant("csv-null-token", CsvOptions.defaults().nullValue("NULL"),
          "header=true, nullstr='NULL', " + RFC),
      new Variant("csv-backslash", CsvOptions.defaults().escape('\\'),
          "header=true, delim=',', quote='\"', escape='\\', allow_quoted_nulls=false,"
          + " auto_detect=false, new_line='\\n'"),
      new Variant("csv-tab-single-quote", CsvOptions.defaults().delimiter('\t').quote('\''),
          "header=true, delim='\t', quote='''', escape='''', allow_quoted_nulls=false,"
          + " auto_detect=false, new_line='\\n'"),
      new Variant("csv-no-header", CsvOptions.defaults().header(false), "header=false, " + RFC),
      new Variant("json", null, "format='newline_delimited'"));

  /** A column generator: its type and a random non-null value of it. */
  private record Gen(ArrowType type, Function<Random, Object> value) {}

  private static List<Gen> generators(Random r) {
    int precision = 1 + r.nextInt(38);
    int scale = r.nextInt(Math.min(precision, 12) + 1);
    return List.of(
        new Gen(new ArrowType.Int(8, true), x -> (byte) x.nextInt()),
        new Gen(new ArrowType.Int(16, true), x -> (short) x.nextInt()),
        new Gen(new ArrowType.Int(32, true), x -> x.nextBoolean() ? x.nextInt()
            : pick(x, List.of(Integer.MIN_VALUE, Integer.MAX_VALUE, 0))),
        new Gen(new ArrowType.Int(64, true), x -> x.nextBoolean() ? x.nextLong()
            : pick(x, List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L))),
        new Gen(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), x -> x.nextBoolean()
            ? pick(x, List.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                -0.0f, 0.0f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MIN_NORMAL, 0.1f))
            : finite(x, () -> Float.intBitsToFloat(x.nextInt()))),
        new Gen(new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE), x -> x.nextBoolean()
            ? pick(x, List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                -0.0, 0.0, Double.MIN_VALUE, Double.MAX_VALUE, 0.1, 1e-300))
            : finite(x, () -> Double.longBitsToDouble(x.nextLong()))),
        new Gen(ArrowType.Bool.INSTANCE, Random::nextBoolean),
        new Gen(ArrowType.Utf8.INSTANCE, TextRoundTripTest::string),
        new Gen(ArrowType.Binary.INSTANCE, x -> {
          byte[] b = new byte[x.nextInt(4) == 0 ? 0 : x.nextInt(24)];
          x.nextBytes(b);
          return b;
        }),
        new Gen(new ArrowType.Date(DateUnit.DAY),
            x -> LocalDate.ofEpochDay(Math.floorDiv(between(x, MIN_SECOND, MAX_SECOND), 86_400))),
        new Gen(new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC"),
            x -> Instant.ofEpochSecond(between(x, MIN_SECOND, MAX_SECOND),
                x.nextInt(1_000_000) * 1_000L)),
        new Gen(new ArrowType.Timestamp(TimeUnit.MICROSECOND, null),
            x -> LocalDateTime.ofEpochSecond(between(x, MIN_SECOND, MAX_SECOND),
                x.nextBoolean() ? 0 : x.nextInt(1_000_000) * 1_000, ZoneOffset.UTC)),
        new Gen(new ArrowType.Timestamp(TimeUnit.MILLISECOND, null),
            x -> LocalDateTime.ofEpochSecond(between(x, MIN_SECOND, MAX_SECOND),
                x.nextInt(1_000) * 1_000_000, ZoneOffset.UTC)),
        new Gen(new ArrowType.Timestamp(TimeUnit.NANOSECOND, null),
            x -> LocalDateTime.ofEpochSecond(between(x, MIN_NANOS_SECOND, MAX_NANOS_SECOND),
                x.nextInt(1_000_000_000), ZoneOffset.UTC)),
        new Gen(new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC"),
            x -> Instant.ofEpochSecond(between(x, MIN_NANOS_SECOND, MAX_NANOS_SECOND),
                x.nextInt(1_000_000_000))),
        new Gen(new ArrowType.Decimal(precision, scale, 128), x -> new BigDecimal(
            new BigInteger(x.nextInt(1 + precision * 3), x).mod(BigInteger.TEN.pow(precision))
                .multiply(BigInteger.valueOf(x.nextBoolean() ? 1 : -1)), scale)));
  }

  private static <T> T pick(Random r, List<T> values) {
    return values.get(r.nextInt(values.size()));
  }

  private static long between(Random r, long from, long to) {
    return from + Math.floorMod(r.nextLong(), to - from);
  }

  private static <T> T finite(Random r, java.util.function.Supplier<T> draw) {
    T v = draw.get();
    while (v instanceof Float f && !Float.isFinite(f) || v instanceof Double d
        && !Double.isFinite(d)) {
      v = draw.get();
    }
    return v;
  }

  private static String string(Random r) {
    if (r.nextInt(20) == 0) { // long, any code point outside the surrogates and NUL
      StringBuilder s = new StringBuilder();
      while (s.length() < 20_000) {
        int cp = 1 + r.nextInt(0x2FFFF);
        if (cp < 0xD800 || cp > 0xDFFF) {
          s.appendCodePoint(cp);
        }
      }
      return s.toString();
    }
    StringBuilder s = new StringBuilder();
    for (int i = r.nextInt(6); i > 0; i--) {
      s.append(pick(r, PIECES));
    }
    return s.toString();
  }

  @Test
  void randomSchemasAndValuesRoundTripThroughEveryTextDialectAndDuckDb() {
    for (int seed = 0; seed < SEEDS; seed++) {
      Random r = new Random(seed);
      List<Gen> gens = generators(r);
      List<Field> fields = new ArrayList<>();
      List<Gen> chosen = new ArrayList<>();
      Set<String> lower = new TreeSet<>();
      for (int c = 1 + r.nextInt(6); c > 0; c--) {
        String name = pick(r, NAMES);
        if (lower.add(name.toLowerCase(Locale.ROOT))) { // DuckDB's names ignore case
          Gen g = seed < gens.size() && fields.isEmpty() ? gens.get(seed) : pick(r, gens);
          fields.add(AllTypes.field(name, g.type()));
          chosen.add(g);
        }
      }
      Schema schema = new Schema(fields);
      List<Map<String, Object>> rows = new ArrayList<>();
      for (int i = 1 + r.nextInt(40); i > 0; i--) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int c = 0; c < fields.size(); c++) {
          row.put(fields.get(c).getName(), r.nextInt(6) == 0 ? null
              : chosen.get(c).value().apply(r));
        }
        rows.add(row);
      }
      for (Variant v : VARIANTS) {
        String what = "seed " + seed + ", " + v.name() + ", " + schema;
        Path out = dir.resolve(seed + "-" + v.name());
        TextSink sink = v.json() ? TextSink.jsonLines(out) : TextSink.csv(out).options(v.csv());
        Path file = sink.write(Flux.defer(() -> Flux.just(block(schema, rows)))).block()
            .files().get(0);
        TextSource source = v.json() ? TextSource.jsonLines(List.of(file.toString()))
            : TextSource.csv(List.of(file.toString())).options(v.csv());
        assertThat(comparable(rowsOf(source.schema(schema).blocks(account)), false)).as(what)
            .isEqualTo(comparable(rows, false));
        // DuckDB's JSON reader parses every number as a double (not always the nearest one),
        // decimals included: those are compared to 15 significant digits.
        assertThat(comparable(DuckDbText.read(v.json() ? "read_json" : "read_csv", file, schema,
            v.duckOptions()), v.json())).as("DuckDB, %s", what)
            .isEqualTo(comparable(rows, v.json()));
      }
    }
  }

  private Block block(Schema schema, List<Map<String, Object>> rows) {
    BlockBuilder b = BlockBuilder.in(account);
    for (Field f : schema.getFields()) {
      b.column(f, rows.stream().map(row -> row.get(f.getName())).toList());
    }
    return b.build();
  }

  /** Rows with byte arrays as hex, so that equality compares contents. */
  private static List<Map<String, Object>> comparable(List<Map<String, Object>> rows,
      boolean approximateDecimals) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> row : rows) {
      Map<String, Object> copy = new LinkedHashMap<>();
      row.forEach((k, v) -> copy.put(k, v instanceof byte[] b ? "0x" + HexFormat.of()
          .formatHex(b) : approximateDecimals && v instanceof BigDecimal d
          ? d.round(new MathContext(15)).doubleValue() : v));
      out.add(copy);
    }
    return out;
  }
}
