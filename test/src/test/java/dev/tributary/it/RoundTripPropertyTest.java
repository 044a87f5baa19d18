package dev.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.JavaValues;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * The round-trip property: random schemas (every type of the README's table, nullable, nested
 * where the format holds nesting, names alike but distinct) with random edge values, written by
 * every Tributary writer and read back by Tributary and by an independent reader (DuckDB for
 * Parquet, CSV and JSON lines; Arrow's own file reader for Arrow IPC) equal the values written,
 * value by value; and files DuckDB writes (Parquet, CSV) read in Tributary as DuckDB wrote them.
 *
 * <p>Bounded and seeded: {@code -Dtributary.roundtrip.seed=N} (first seed, default 1) and
 * {@code -Dtributary.roundtrip.seeds=K} (how many, default 20) reproduce a failing case, whose
 * message names its seed, format, reader, column and row. Every case ends with its arena
 * empty.
 */
class RoundTripPropertyTest {
  private static final long FIRST_SEED = Long.getLong("tributary.roundtrip.seed", 1);
  private static final int SEEDS = Integer.getInteger("tributary.roundtrip.seeds", 20);
  private static final int ROWS = 50;

  private static DuckDb duckDb;

  @TempDir Path dir;

  /** A Tributary writer, its reader, and the independent reader of its files. */
  private enum Format {
    PARQUET(RandomTables.Shape.NESTED),
    CSV(RandomTables.Shape.FLAT),
    JSON_LINES(RandomTables.Shape.NESTED),
    ARROW_IPC(RandomTables.Shape.NESTED);

    final RandomTables.Shape shape;

    Format(RandomTables.Shape shape) {
      this.shape = shape;
    }

    void write(Dataset ds, Path out) {
      switch (this) {
        case PARQUET -> ds.writeParquet(out.toString());
        case CSV -> ds.writeCsv(out.toString());
        case JSON_LINES -> ds.writeJson(out.toString());
        case ARROW_IPC -> ds.writeArrow(out.toString());
      }
    }

    /** Tributary's reader; text formats are given the schema (text cannot say int8 from int64). */
    Dataset read(Schema schema, Path in) {
      return switch (this) {
        case PARQUET -> Tributary.readParquet(in.toString());
        case CSV -> Tributary.readCsv(schema, in.toString());
        case JSON_LINES -> Tributary.readJson(schema, in.toString());
        case ARROW_IPC -> Tributary.readArrow(in.toString());
      };
    }

    /** Whether the files hold the Arrow schema itself, so reading must restore it exactly. */
    boolean keepsSchema() {
      return this == PARQUET || this == ARROW_IPC;
    }
  }

  @BeforeAll
  static void startDuckDb() {
    duckDb = new DuckDb();
  }

  @AfterAll
  static void stopDuckDb() throws Exception {
    duckDb.close();
  }

  @TestFactory
  Stream<DynamicTest> tributaryWritesAndTributaryAndAnIndependentReaderReadTheSameValues() {
    return Stream.of(Format.values()).flatMap(format -> seeds().mapToObj(seed ->
        DynamicTest.dynamicTest(format + " seed " + seed, () -> tributaryWrites(format, seed))));
  }

  @TestFactory
  Stream<DynamicTest> duckDbWritesAndTributaryReadsTheSameValues() {
    return Stream.of("parquet", "csv").flatMap(format -> seeds().mapToObj(seed ->
        DynamicTest.dynamicTest(format + " seed " + seed, () -> duckDbWrites(format, seed))));
  }

  private static java.util.stream.LongStream seeds() {
    return java.util.stream.LongStream.range(FIRST_SEED, FIRST_SEED + SEEDS);
  }

  private void tributaryWrites(Format format, long seed) throws Exception {
    RandomTables.Table table = RandomTables.generate(seed, format.shape, ROWS);
    Path out = dir.resolve(format + "-" + seed); // one @TempDir serves every dynamic test
    List<String> failures = new ArrayList<>();
    inArena(seed, (runtime, account) -> {
      try {
        format.write(source(table, seed, account).withRuntime(runtime), out);
      } catch (RuntimeException e) {
        throw new AssertionError(describe(seed, format + " written by Tributary", table)
            + ": the write failed with " + e, e);
      }
      check(failures, "read by Tributary", table, () -> {
        Dataset back = format.read(table.schema(), out).withRuntime(runtime);
        if (format.keepsSchema()) {
          assertThat(back.schema().getFields()).as("schema read back")
              .isEqualTo(table.schema().getFields());
        }
        return back.takeAll();
      }, RowDiff.Tolerance.EXACT);
    });
    switch (format) {
      case PARQUET -> check(failures, "read by DuckDB", table,
          () -> duckDb.readParquet(out, table.schema()), RowDiff.Tolerance.DUCKDB);
      case CSV -> {
        check(failures, "read by DuckDB", table, () -> duckDb.readCsv(out, table.schema()),
            RowDiff.Tolerance.DUCKDB);
        List<String> names = table.schema().getFields().stream().map(Field::getName).toList();
        for (List<String> header : duckDb.csvHeaders(out, names.size())) {
          if (!header.equals(names)) {
            failures.add("header read by DuckDB: " + header + ", expected " + names);
          }
        }
      }
      case JSON_LINES -> check(failures, "read by DuckDB", table,
          () -> duckDb.readJson(out, table.schema()), RowDiff.Tolerance.DUCKDB_JSON);
      case ARROW_IPC -> check(failures, "read by Arrow's ArrowFileReader", table,
          () -> arrowFiles(out, table.schema()), RowDiff.Tolerance.EXACT);
    }
    assertThat(failures).as(describe(seed, format + " written by Tributary", table)).isEmpty();
  }

  private void duckDbWrites(String format, long seed) throws Exception {
    RandomTables.Table table = RandomTables.generate(seed, format.equals("csv")
        ? RandomTables.Shape.DUCKDB_FLAT : RandomTables.Shape.DUCKDB_NESTED, ROWS);
    Path in = Files.createDirectories(dir.resolve("duckdb-" + format + "-" + seed));
    duckDb.write(table, in.resolve("data." + format), format);
    List<String> failures = new ArrayList<>();
    inArena(seed, (runtime, account) -> check(failures, "read by Tributary", table,
        () -> (format.equals("csv") ? Tributary.readCsv(table.schema(), in.toString())
            : Tributary.readParquet(in.toString())).withRuntime(runtime).takeAll(),
        RowDiff.Tolerance.EXACT));
    assertThat(failures).as(describe(seed, format + " written by DuckDB", table)).isEmpty();
  }

  /** A read compared with the table; a failure is recorded, not thrown, so every check runs. */
  private static void check(List<String> failures, String reader, RandomTables.Table table,
      Read read, RowDiff.Tolerance tolerance) {
    try {
      String diff = RowDiff.of(table.schema(), table.rows(), read.rows(), tolerance);
      if (!diff.isEmpty()) {
        failures.add(reader + ": " + diff);
      }
    } catch (Exception | AssertionError e) {
      failures.add(reader + ": failed with " + e);
    }
  }

  @FunctionalInterface
  private interface Read {
    List<Map<String, Object>> rows() throws Exception;
  }

  /**
   * Runs {@code work} in a fresh runtime (its own arena) with an account to build the source's
   * blocks in, then checks that nothing is left allocated.
   */
  private static void inArena(long seed, BiConsumer<TributaryRuntime, Account> work) {
    TributaryRuntime runtime = TributaryRuntime.builder().name("round-trip-" + seed)
        .memoryLimit(256 * Bytes.MiB).failOnLeak(true).build();
    Arena arena = runtime.arena();
    Account account = arena.openAccount("source rows");
    try {
      work.accept(runtime, account);
    } finally {
      account.close();
      runtime.close();
      assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    }
  }

  /** The table as a dataset of 1-3 blocks of the table's exact Arrow types. */
  private static Dataset source(RandomTables.Table table, long seed, Account account) {
    Random random = new Random(seed);
    List<Integer> cuts = new ArrayList<>(List.of(0));
    for (int k = random.nextInt(3); k > 0; k--) {
      cuts.add(1 + random.nextInt(ROWS - 1));
    }
    cuts.add(ROWS);
    List<Integer> sorted = cuts.stream().sorted().distinct().toList();
    return Tributary.fromFlux(Flux.defer(() -> Flux.range(0, sorted.size() - 1)
        .map(i -> block(table, sorted.get(i), sorted.get(i + 1), account))));
  }

  private static Block block(RandomTables.Table table, int from, int to, Account account) {
    BlockBuilder builder = BlockBuilder.in(account);
    for (Field f : table.schema().getFields()) {
      List<Object> values = new ArrayList<>(to - from);
      for (Map<String, Object> row : table.rows().subList(from, to)) {
        values.add(row.get(f.getName()));
      }
      builder.column(f, values);
    }
    return builder.build();
  }

  /** The rows of the Arrow IPC files under {@code in}, read with Arrow's own file reader. */
  private static List<Map<String, Object>> arrowFiles(Path in, Schema schema) throws IOException {
    List<Map<String, Object>> rows = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(in)) {
      files = s.filter(p -> p.toString().endsWith(".arrow")).sorted().toList();
    }
    try (BufferAllocator allocator = new RootAllocator()) {
      for (Path file : files) {
        try (var channel = Files.newByteChannel(file);
            ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
          VectorSchemaRoot root = reader.getVectorSchemaRoot();
          assertThat(root.getSchema().getFields()).as("schema of " + file)
              .isEqualTo(schema.getFields());
          while (reader.loadNextBatch()) {
            for (int r = 0; r < root.getRowCount(); r++) {
              Map<String, Object> row = new LinkedHashMap<>();
              for (FieldVector v : root.getFieldVectors()) {
                row.put(v.getName(), JavaValues.get(v, r));
              }
              rows.add(row);
            }
          }
        }
      }
    }
    return rows;
  }

  private static String describe(long seed, String what, RandomTables.Table table) {
    return "seed " + seed + " (rerun: -Dtributary.roundtrip.seed=" + seed
        + " -Dtributary.roundtrip.seeds=1), " + what + ", schema " + table.schema();
  }
}
