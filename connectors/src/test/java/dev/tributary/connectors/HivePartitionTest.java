package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Hive-style partition directories: written by {@code partitionBy}, read back as columns, and
 * checked both ways against DuckDB ({@code hive_partitioning}, {@code PARTITION_BY}).
 */
class HivePartitionTest extends ArenaTestSupport {
  /** Strings a directory name must carry exactly: empty, separators, escapes, unicode. */
  private static final String[] TAGS = {"a", "", null, "x/y=z%", "\u00e9 \u00fc", "a b:c",
      "__HIVE_DEFAULT_PARTITION__", "%41", "."};

  /** Rows {@code [from, from + n)}: id, x, and partition values that cycle (not clustered). */
  private static List<Map<String, Object>> rows(int from, int n) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", (long) i);
      row.put("x", i * 0.5);
      row.put("p", i % 5 == 4 ? null : (long) (i % 3) - 1);
      row.put("s", TAGS[i % TAGS.length]);
      rows.add(row);
    }
    return rows;
  }

  private Block block(List<Map<String, Object>> rows) {
    return BlockBuilder.in(account)
        .column("id", rows.stream().map(r -> r.get("id")).toArray(Long[]::new))
        .column("x", rows.stream().map(r -> r.get("x")).toArray(Double[]::new))
        .column(new Field("p", org.apache.arrow.vector.types.pojo.FieldType.nullable(
            new ArrowType.Int(64, true)), null), rows.stream().map(r -> r.get("p")).toList())
        .column(Field.nullable("s", ArrowType.Utf8.INSTANCE),
            rows.stream().map(r -> r.get("s")).toList())
        .build();
  }

  /** The rows of the files as columns {@code id, x, p, s}, by id. */
  private List<Map<String, Object>> read(Flux<Block> blocks) {
    List<Map<String, Object>> rows = new ArrayList<>(rowsOf(blocks));
    rows.sort(Comparator.comparing(r -> (Long) r.get("id")));
    return rows;
  }

  private static List<Map<String, Object>> query(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      List<Map<String, Object>> rows = new ArrayList<>();
      while (r.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
          row.put(r.getMetaData().getColumnName(i), r.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    }
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private WriteSummary writePartitioned(Path out, long rowsPerFile) {
    return ParquetSink.to(out).partitionBy("p", "s").rowsPerFile(rowsPerFile)
        .write(Flux.defer(() -> Flux.just(block(rows(0, 300)), block(rows(300, 200)))))
        .block();
  }

  private static List<String> directories(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isDirectory).filter(d -> !d.equals(root))
          .map(d -> root.relativize(d).toString()).sorted().toList();
    }
  }

  @Test
  void partitionedWritesNameDirectoriesAsHiveAndDuckDbDo() throws IOException {
    Path out = dir.resolve("out");
    WriteSummary summary = writePartitioned(out, 1000);
    assertThat(summary.rows()).isEqualTo(500);
    List<String> directories = directories(out);
    assertThat(directories).filteredOn(d -> !d.contains("/")).containsExactly("p=-1", "p=0",
        "p=1", "p=__HIVE_DEFAULT_PARTITION__");
    assertThat(directories.stream().filter(d -> d.contains("/"))
        .map(d -> d.substring(d.indexOf('/') + 1)).distinct().sorted()).containsExactly(
            "s=", "s=%2541", "s=%5F_HIVE_DEFAULT_PARTITION__", "s=.",
            "s=__HIVE_DEFAULT_PARTITION__", "s=a", "s=a%20b%3Ac", "s=x%2Fy%3Dz%25",
            "s=\u00e9%20\u00fc");
    assertThat(summary.files()).allMatch(f -> f.getParent().getParent().getParent().equals(out));
  }

  @Test
  void whatWeWriteReadsBackEqualWithPartitionColumnsRecovered() {
    Path out = dir.resolve("out");
    writePartitioned(out, 7);
    ParquetSource source = ParquetSource.of(List.of(out.toString()));
    assertThat(source.schema().getFields()).extracting(Field::getName)
        .containsExactly("id", "x", "p", "s");
    assertThat(source.schema().getFields().get(2).getType()).isEqualTo(new ArrowType.Int(64, true));
    assertThat(source.schema().getFields().get(3).getType()).isEqualTo(ArrowType.Utf8.INSTANCE);
    assertThat(read(source.blocks(account, 64 * Bytes.MiB))).isEqualTo(rows(0, 500));
  }

  @Test
  void duckDbReadsWhatWeWriteEqual() throws SQLException {
    Path out = dir.resolve("out");
    writePartitioned(out, 1000);
    List<Map<String, Object>> duck = query("SELECT id, x, p, s FROM read_parquet('" + out
        + "/**/*.parquet', hive_partitioning=true, hive_types={'p': BIGINT, 's': VARCHAR})"
        + " ORDER BY id");
    assertThat(duck).isEqualTo(rows(0, 500));
  }

  @Test
  void weReadWhatDuckDbWritesEqual() throws SQLException {
    Path out = dir.resolve("duck");
    StringBuilder values = new StringBuilder();
    for (Map<String, Object> r : rows(0, 200)) {
      values.append(values.length() == 0 ? "" : ", ").append('(').append(r.get("id"))
          .append(", ").append(r.get("x")).append(", ").append(r.get("p")).append(", ")
          .append(r.get("s") == null ? "NULL" : "'" + r.get("s") + "'").append(')');
    }
    String table = "(SELECT id::BIGINT AS id, x::DOUBLE AS x, p::BIGINT AS p, s::VARCHAR AS s"
        + " FROM (VALUES " + values + ") v(id, x, p, s))";
    execute("COPY " + table + " TO '" + out + "' (FORMAT parquet, PARTITION_BY (p, s))");
    ParquetSource source = ParquetSource.of(List.of(out.toString()));
    assertThat(source.schema().getFields()).extracting(Field::getName)
        .containsExactly("id", "x", "p", "s");
    assertThat(read(source.blocks(account, 64 * Bytes.MiB))).isEqualTo(rows(0, 200));
  }

  @Test
  void givenTypesReplaceInferenceAndPlainIntegersAloneBecomeInt64() throws IOException {
    for (String d : List.of("month=02", "month=10")) {
      ParquetSink.to(dir.resolve("in/year=2024").resolve(d))
          .write(Flux.defer(() -> Flux.just(block(rows(0, 3))))).block();
    }
    String in = dir.resolve("in").toString();
    assertThat(ParquetSource.of(List.of(in)).schema().getFields()).extracting(Field::getName,
        Field::getType).endsWith(
            org.assertj.core.groups.Tuple.tuple("year", new ArrowType.Int(64, true)),
            org.assertj.core.groups.Tuple.tuple("month", ArrowType.Utf8.INSTANCE));
    ParquetSource typed = ParquetSource.of(List.of(in), Partitioning.hive(new Schema(List.of(
        Field.nullable("month", new ArrowType.Int(32, true))))));
    List<Map<String, Object>> got = rowsOf(typed.blocks(account, 64 * Bytes.MiB));
    assertThat(got).extracting(r -> r.get("month")).containsExactly(2, 2, 2, 10, 10, 10);
    assertThat(got).extracting(r -> r.get("year")).containsOnly(2024L);
  }

  @Test
  void aProjectionPlacesPartitionColumnsWhereAsked() {
    Path out = dir.resolve("out");
    writePartitioned(out, 1000);
    ParquetSource source = ParquetSource.of(List.of(out.toString()))
        .columns(List.of("s", "id")).includePaths();
    assertThat(source.schema().getFields()).extracting(Field::getName)
        .containsExactly("s", "id", "path");
    List<Map<String, Object>> got = rowsOf(source.blocks(account, 64 * Bytes.MiB));
    assertThat(got).hasSize(500).allSatisfy(r -> {
      assertThat(r.keySet()).containsExactly("s", "id", "path");
      assertThat(r.get("s")).isEqualTo(TAGS[(int) (long) (Long) r.get("id") % TAGS.length]);
    });
    assertThat(rowsOf(ParquetSource.of(List.of(out.toString())).columns(List.of("x"))
        .blocks(account, 64 * Bytes.MiB))).hasSize(500).allSatisfy(r ->
            assertThat(r.keySet()).containsExactly("x"));
    assertThat(rowsOf(ParquetSource.of(List.of(out.toString())).columns(List.of("p"))
        .blocks(account, 64 * Bytes.MiB))).extracting(r -> r.get("p")).hasSize(500)
        .containsOnly(-1L, 0L, 1L, null);
  }

  @Test
  void partitionConjunctsPruneFilesUnopenedAndFileConjunctsFilterRows() {
    Path out = dir.resolve("out");
    writePartitioned(out, 1000);
    List<Path> opened = java.util.Collections.synchronizedList(new ArrayList<>());
    ParquetSource source = ParquetSource.of(List.of(out.toString()))
        .opener(file -> {
          opened.add(file);
          return new org.apache.parquet.io.LocalInputFile(file);
        });
    FilterPredicate p0 = FilterApi.eq(FilterApi.longColumn("p"), 0L);
    FilterPredicate sA = FilterApi.eq(FilterApi.binaryColumn("s"),
        Binary.fromString("\u00e9 \u00fc"));
    FilterPredicate big = FilterApi.gt(FilterApi.doubleColumn("x"), 100.0);
    assertThat(read(source.filter(FilterApi.and(p0, FilterApi.and(sA, big)))
        .blocks(account, 64 * Bytes.MiB))).isEqualTo(rows(0, 500).stream()
            .filter(r -> Long.valueOf(0).equals(r.get("p")) && "\u00e9 \u00fc".equals(r.get("s"))
                && (Double) r.get("x") > 100.0).toList()).isNotEmpty();
    assertThat(opened).isNotEmpty().allMatch(f -> f.getParent().endsWith("p=0/s=\u00e9%20\u00fc"));
    // Parquet's null semantics: notEq keeps nulls, eq(null) selects them.
    assertThat(read(source.filter(FilterApi.notEq(FilterApi.longColumn("p"), 0L))
        .blocks(account, 64 * Bytes.MiB))).isEqualTo(rows(0, 500).stream()
            .filter(r -> !Long.valueOf(0).equals(r.get("p"))).toList());
    assertThat(read(source.filter(FilterApi.eq(FilterApi.longColumn("p"), (Long) null))
        .blocks(account, 64 * Bytes.MiB))).isEqualTo(rows(0, 500).stream()
            .filter(r -> r.get("p") == null).toList());
  }

  @Test
  void aConjunctMixingPartitionAndFileColumnsOrOfAnotherTypeIsRefusedByName() {
    Path out = dir.resolve("out");
    writePartitioned(out, 1000);
    ParquetSource source = ParquetSource.of(List.of(out.toString()));
    assertThatThrownBy(() -> source.filter(FilterApi.or(
        FilterApi.eq(FilterApi.longColumn("p"), 1L),
        FilterApi.gt(FilterApi.doubleColumn("x"), 1.0))))
        .isInstanceOf(ColumnException.class).hasMessageContaining("mixes partition columns");
    assertThatThrownBy(() -> source.filter(FilterApi.eq(FilterApi.intColumn("p"), 1)))
        .isInstanceOfSatisfying(ColumnException.class, e -> assertThat(e.column()).isEqualTo("p"))
        .hasMessageContaining("does not fit the partition columns");
  }

  @Test
  void filesUnderDifferentKeysAreRefusedUnlessPartitionsAreIgnored() {
    ParquetSink.to(dir.resolve("in/a=1")).write(Flux.defer(() -> Flux.just(block(rows(0, 3)))))
        .block();
    ParquetSink.to(dir.resolve("in/b=1")).write(Flux.defer(() -> Flux.just(block(rows(3, 3)))))
        .block();
    String in = dir.resolve("in").toString();
    assertThatThrownBy(() -> ParquetSource.of(List.of(in)))
        .isInstanceOf(ColumnException.class)
        .hasMessageContaining("a=1").hasMessageContaining("b=1")
        .hasMessageContaining("Partitioning.none()");
    assertThat(rowsOf(ParquetSource.of(List.of(in), Partitioning.none())
        .blocks(account, 64 * Bytes.MiB))).hasSize(6)
        .allSatisfy(r -> assertThat(r.keySet()).containsExactly("id", "x", "p", "s"));
  }

  @Test
  void aFileHoldingAColumnNamedLikeItsPartitionKeyIsRefused() {
    ParquetSink.to(dir.resolve("in/p=1")).write(Flux.defer(() -> Flux.just(block(rows(0, 3)))))
        .block();
    ParquetSource source = ParquetSource.of(List.of(dir.resolve("in").toString()));
    assertThatThrownBy(source::schema)
        .isInstanceOfSatisfying(ColumnException.class, e -> assertThat(e.column()).isEqualTo("p"))
        .hasMessageContaining("partition key");
    assertThatThrownBy(() -> rowsOf(source.blocks(account, 64 * Bytes.MiB)))
        .isInstanceOf(ColumnException.class);
  }

  @Test
  void givenTypesMustNameKeysAndFitTheValues() {
    ParquetSink.to(dir.resolve("in/p=x")).write(Flux.defer(() -> Flux.just(
        BlockBuilder.in(account).column("id", new long[] {1}).build()))).block();
    String in = dir.resolve("in").toString();
    assertThatThrownBy(() -> ParquetSource.of(List.of(in), Partitioning.hive(new Schema(
        List.of(Field.nullable("q", ArrowType.Utf8.INSTANCE))))))
        .isInstanceOf(ColumnException.class).hasMessageContaining("q");
    assertThatThrownBy(() -> ParquetSource.of(List.of(in), Partitioning.hive(new Schema(
        List.of(Field.nullable("p", new ArrowType.Int(64, true)))))))
        .isInstanceOf(ColumnException.class).hasMessageContaining("'x'");
  }

  @Test
  void partitionColumnsMustBeTextExactTypesAndAreCheckedBeforeAnyFileIsWritten() {
    Path out = dir.resolve("out");
    assertThatThrownBy(() -> ParquetSink.to(out).partitionBy("x")
        .write(Flux.defer(() -> Flux.just(block(rows(0, 10))))).block())
        .isInstanceOfSatisfying(ColumnException.class, e -> assertThat(e.column()).isEqualTo("x"));
    assertThatThrownBy(() -> ParquetSink.to(out).partitionBy("nope")
        .write(Flux.defer(() -> Flux.just(block(rows(0, 10))))).block())
        .isInstanceOf(ColumnException.class).hasMessageContaining("nope");
    assertThatThrownBy(() -> ParquetSink.to(out).partitionBy("p", "p"))
        .isInstanceOf(ColumnException.class);
    assertThat(Files.exists(out)).isFalse();
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void manyInterleavedPartitionsRollFilesAndReadBackEqual() throws IOException {
    int partitions = FileJob.MAX_OPEN_FILES * 3;
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      rows.add(new LinkedHashMap<>(Map.of("id", (long) i, "k", (long) (i % partitions))));
    }
    Path out = dir.resolve("out");
    WriteSummary summary = ParquetSink.to(out).partitionBy("k").rowsPerFile(20)
        .write(Flux.defer(() -> Flux.just(0, 500, 1000, 1500).map(from -> BlockBuilder.in(account)
            .column("id", rows.subList(from, from + 500).stream().map(r -> r.get("id"))
                .toArray(Long[]::new))
            .column("k", rows.subList(from, from + 500).stream().map(r -> r.get("k"))
                .toArray(Long[]::new)).build())))
        .block();
    assertThat(summary.files().size()).isGreaterThanOrEqualTo(partitions * 3);
    assertThat(directories(out)).hasSize(partitions);
    List<Map<String, Object>> back = new ArrayList<>(rowsOf(ParquetSource.of(
        List.of(out.toString())).blocks(account, 64 * Bytes.MiB)));
    back.sort(Comparator.comparing(r -> (Long) r.get("id")));
    assertThat(back).isEqualTo(rows);
  }

  @Test
  void textAndArrowSinksPartitionAndTheirReadersRecoverTheColumns() {
    Flux<Block> blocks = Flux.defer(() -> Flux.just(block(rows(0, 60))));
    TextSink.csv(dir.resolve("csv")).partitionBy("p").write(blocks).block();
    TextSink.jsonLines(dir.resolve("json")).partitionBy("p").write(blocks).block();
    ArrowIpcSink.to(dir.resolve("arrow")).partitionBy("p").write(blocks).block();
    List<Map<String, Object>> expected = new ArrayList<>();
    for (Map<String, Object> r : rows(0, 60)) {
      Map<String, Object> moved = new LinkedHashMap<>(r);
      moved.remove("p");
      moved.put("p", r.get("p")); // partition columns come last
      expected.add(moved);
    }
    // Empty strings and nulls stay apart in CSV too ("" vs an empty field).
    assertThat(read(TextSource.csv(List.of(dir.resolve("csv").toString())).blocks(account)))
        .isEqualTo(expected);
    assertThat(read(TextSource.jsonLines(List.of(dir.resolve("json").toString()))
        .blocks(account))).isEqualTo(expected);
    assertThat(read(ArrowIpcSource.of(List.of(dir.resolve("arrow").toString()))
        .blocks(account))).isEqualTo(expected);
  }

  @Test
  void textLinesAndWholeFilesGetTheirDirectoriesPartitionColumns() throws IOException {
    for (String d : List.of("day=1", "day=2")) {
      Files.createDirectories(dir.resolve("t").resolve(d));
      Files.write(dir.resolve("t").resolve(d).resolve("a.txt"), List.of("l1 " + d, "l2 " + d));
    }
    List<Map<String, Object>> lines = rowsOf(FileSource.textLines(
        List.of(dir.resolve("t").toString())).blocks(account));
    assertThat(lines).extracting(r -> r.get("text"), r -> r.get("day")).containsExactly(
        org.assertj.core.groups.Tuple.tuple("l1 day=1", 1L),
        org.assertj.core.groups.Tuple.tuple("l2 day=1", 1L),
        org.assertj.core.groups.Tuple.tuple("l1 day=2", 2L),
        org.assertj.core.groups.Tuple.tuple("l2 day=2", 2L));
    List<Map<String, Object>> files = rowsOf(FileSource.binaryFiles(
        List.of(dir.resolve("t").toString())).perBlock(5).blocks(account));
    assertThat(files).extracting(r -> r.get("day")).containsExactly(1L, 2L);
    assertThat(files.get(1).keySet()).containsExactly("path", "bytes", "day");
  }

  /** Rows {@code [from, from + n)} as id, k = id % 2, and v = id * 0.5 or (untyped) null. */
  private Block sparse(int from, int n, boolean typed) {
    long[] id = new long[n];
    long[] k = new long[n];
    Object[] v = new Object[n];
    for (int i = 0; i < n; i++) {
      id[i] = from + i;
      k[i] = id[i] % 2;
      v[i] = typed ? id[i] * 0.5 : null;
    }
    return BlockBuilder.in(account).column("id", id).column("k", k).column("v", v).build();
  }

  private static List<Path> filesUnder(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  @Test
  void aPartitionedWriteHoldsAnUntypedColumnUntilABlockTypesItInEveryPartition()
      throws IOException, SQLException {
    Path out = dir.resolve("out");
    ParquetSink.to(out).partitionBy("k")
        .write(Flux.defer(() -> Flux.just(sparse(0, 10, false), sparse(10, 10, true)))).block();
    assertThat(filesUnder(out)).hasSize(2);
    for (String k : List.of("k=0", "k=1")) {
      assertThat(query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM"
          + " read_parquet('" + out.resolve(k) + "/*.parquet', hive_partitioning = false))"))
          .extracting(r -> r.get("column_name") + " " + r.get("column_type"))
          .containsExactly("id BIGINT", "v DOUBLE");
    }
    List<Map<String, Object>> expected = new ArrayList<>();
    for (long i = 0; i < 20; i++) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", i);
      row.put("v", i < 10 ? null : i * 0.5);
      row.put("k", i % 2);
      expected.add(row);
    }
    assertThat(read(ParquetSource.of(List.of(out.toString())).blocks(account, 64 * Bytes.MiB)))
        .isEqualTo(expected);
    Path arrow = dir.resolve("arrow");
    ArrowIpcSink.to(arrow).partitionBy("k")
        .write(Flux.defer(() -> Flux.just(sparse(0, 10, false), sparse(10, 10, true)))).block();
    assertThat(filesUnder(arrow)).hasSize(2);
    assertThat(read(ArrowIpcSource.of(List.of(arrow.toString())).blocks(account)))
        .isEqualTo(expected);
  }

  @Test
  void aTypeArrivingAfterTheHoldStartsANewFileOnlyInThePartitionsItReaches()
      throws IOException, SQLException {
    // Untyped blocks outgrow the hold (1/16 of the arena's limit): both partitions get a file
    // with the null type; the typed rows (k = 0 only) start a second file in k=0 alone.
    Path out = dir.resolve("out");
    int big = 250_000;
    long perBlock;
    try (Block probe = sparse(0, big, false)) {
      perBlock = probe.sizeBytes();
    }
    int untyped = (int) (arena.limitBytes() * FileJob.HOLD_FRACTION / perBlock) + 2;
    long first = (long) untyped * big;
    ParquetSink.to(out).partitionBy("k").write(Flux.defer(() -> Flux.range(0, untyped)
        .map(i -> sparse(i * big, big, false)).concatWith(Flux.defer(() -> {
          Block typed = sparse((int) first, 20, true);
          try (typed) {
            return Flux.just(BlockBuilder.in(account)
                .column("id", java.util.Arrays.stream(ColumnReader.values(typed, "id"))
                    .filter(id -> (Long) id % 2 == 0).toArray(Long[]::new))
                .column("k", java.util.Arrays.stream(ColumnReader.values(typed, "id"))
                    .filter(id -> (Long) id % 2 == 0).map(id -> 0L).toArray(Long[]::new))
                .column("v", java.util.Arrays.stream(ColumnReader.values(typed, "id"))
                    .filter(id -> (Long) id % 2 == 0).map(id -> (Long) id * 0.5)
                    .toArray(Double[]::new))
                .build());
          }
        })))).block();
    assertThat(filesUnder(out.resolve("k=0"))).hasSize(2);
    assertThat(filesUnder(out.resolve("k=1"))).hasSize(1);
    String all = "read_parquet('" + out + "/**/*.parquet', union_by_name = true,"
        + " hive_partitioning = true)";
    assertThat(query("SELECT count(*) AS n, count(v) AS typed, sum(v) AS total, min(k) AS k"
        + " FROM " + all + " WHERE v IS NOT NULL")).containsExactly(new LinkedHashMap<>(Map.of(
            "n", 10L, "typed", 10L, "total", 10 * (first + 9) * 0.5, "k", 0L)));
    assertThat(query("SELECT count(*) AS n FROM " + all))
        .containsExactly(Map.of("n", first + 10));
    // Tributary reads the directory back in one unified schema: the null-typed column widens.
    ParquetSource back = ParquetSource.of(List.of(out.toString())).columns(List.of("k", "v"))
        .filter(FilterApi.eq(FilterApi.longColumn("k"), 0L));
    assertThat(back.schema().getFields()).extracting(Field::getName, f -> f.getType())
        .containsExactly(org.assertj.core.groups.Tuple.tuple("k", new ArrowType.Int(64, true)),
            org.assertj.core.groups.Tuple.tuple("v", new ArrowType.FloatingPoint(
                org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE)));
    List<Map<String, Object>> typed = rowsOf(back.blocks(account, 64 * Bytes.MiB)).stream()
        .filter(r -> r.get("v") != null).toList();
    assertThat(typed).extracting(r -> r.get("v")).containsExactlyInAnyOrderElementsOf(
        java.util.stream.LongStream.range(first, first + 20).filter(i -> i % 2 == 0)
            .mapToObj(i -> (Object) (i * 0.5)).toList());
  }

  @Test
  void parquetFilesThatDisagreeAcrossPartitionsAreUnifiedThenGetTheirPartitionColumns() {
    ParquetSink.to(dir.resolve("in/p=1")).write(Flux.defer(() -> Flux.just(
        BlockBuilder.in(account).column("id", new int[] {1, 2}).build()))).block();
    ParquetSink.to(dir.resolve("in/p=2")).write(Flux.defer(() -> Flux.just(
        BlockBuilder.in(account).column("id", new long[] {3}).column("y", new String[] {"a"})
            .build()))).block();
    ParquetSource source = ParquetSource.of(List.of(dir.resolve("in").toString()));
    assertThat(source.schema().getFields()).extracting(Field::getName, f -> f.getType())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("id", new ArrowType.Int(64, true)),
            org.assertj.core.groups.Tuple.tuple("y", ArrowType.Utf8.INSTANCE),
            org.assertj.core.groups.Tuple.tuple("p", new ArrowType.Int(64, true)));
    List<Map<String, Object>> rows = new ArrayList<>(rowsOf(source.blocks(account,
        64 * Bytes.MiB)));
    rows.sort(Comparator.comparing(r -> (Long) r.get("id")));
    assertThat(rows).extracting(r -> r.get("id"), r -> r.get("y"), r -> r.get("p"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, null, 1L),
            org.assertj.core.groups.Tuple.tuple(2L, null, 1L),
            org.assertj.core.groups.Tuple.tuple(3L, "a", 2L));
    assertThat(rowsOf(source.columns(List.of("p", "y"))
        .filter(FilterApi.eq(FilterApi.longColumn("p"), 2L)).blocks(account, 64 * Bytes.MiB)))
        .containsExactly(new LinkedHashMap<>(Map.of("p", 2L, "y", "a")));
  }

  @Test
  void partitionedTextFilesShareOneSchemaAndJsonLinesReadBothSuffixes() throws IOException {
    Files.createDirectories(dir.resolve("csv/p=1"));
    Files.createDirectories(dir.resolve("csv/p=2"));
    Files.writeString(dir.resolve("csv/p=1/a.csv"), "id,x\n1,\n2,\n");
    Files.writeString(dir.resolve("csv/p=2/b.csv"), "id,x\n3,4.5\n");
    List<Block> blocks = new ArrayList<>();
    try {
      TextSource.csv(List.of(dir.resolve("csv").toString())).blocks(account)
          .doOnNext(blocks::add).blockLast();
      assertThat(blocks.get(blocks.size() - 1).schema().getFields())
          .extracting(Field::getName, f -> f.getType()).containsExactly(
              org.assertj.core.groups.Tuple.tuple("id", new ArrowType.Int(64, true)),
              org.assertj.core.groups.Tuple.tuple("x", new ArrowType.FloatingPoint(
                  org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE)),
              org.assertj.core.groups.Tuple.tuple("p", new ArrowType.Int(64, true)));
      assertThat(AllTypes.rows(blocks)).extracting(r -> r.get("id"), r -> r.get("x"),
          r -> r.get("p")).containsExactly(org.assertj.core.groups.Tuple.tuple(1L, null, 1L),
              org.assertj.core.groups.Tuple.tuple(2L, null, 1L),
              org.assertj.core.groups.Tuple.tuple(3L, 4.5, 2L));
    } finally {
      blocks.forEach(Block::close);
    }
    Files.createDirectories(dir.resolve("json/day=1"));
    Files.createDirectories(dir.resolve("json/day=2"));
    Files.writeString(dir.resolve("json/day=1/a.jsonl"), "{\"id\":1,\"x\":null}\n");
    Files.writeString(dir.resolve("json/day=2/b.json"), "{\"id\":2,\"x\":7}\n");
    assertThat(rowsOf(TextSource.jsonLines(List.of(dir.resolve("json").toString()))
        .blocks(account))).extracting(r -> r.get("id"), r -> r.get("x"), r -> r.get("day"))
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, null, 1L),
            org.assertj.core.groups.Tuple.tuple(2L, 7L, 2L));
  }
}
