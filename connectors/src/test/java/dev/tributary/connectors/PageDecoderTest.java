package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The page decoder never changes data: every file is read with it and with parquet-mr's column
 * reader (the path it replaces) and the values compared, and where DuckDB can read the columns
 * back, with DuckDB too. Files written by parquet-mr (v1 and v2 data pages, dictionary and plain
 * pages, a dictionary that falls back to plain mid-chunk, delta and byte-stream-split encodings)
 * and by DuckDB (v1 and v2 pages, several row groups), with nulls, null runs longer than a page, all-null columns, several
 * pages and row groups, read in blocks that end mid-page.
 */
class PageDecoderTest extends ArenaTestSupport {
  private static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
      message m {
        required int32 ri; optional int32 oi; required int64 rl; optional int64 ol;
        optional float of; required double rd; optional double od;
        required boolean rb; optional boolean ob;
        required binary rs (STRING); optional binary os (STRING); optional binary low (STRING);
        optional binary bytes;
        optional int32 dt (DATE);
        optional int64 tms (TIMESTAMP(MILLIS, true)); optional int64 tus (TIMESTAMP(MICROS, false));
        optional int64 tns (TIMESTAMP(NANOS, true));
        optional int32 nothing; optional binary nostring (STRING);
        optional int32 tiny (INTEGER(8, true)); optional int32 dec (DECIMAL(9, 2));
        optional group lst (LIST) { repeated group list { optional int32 element; } }
      }""");
  /** The flat columns the page decoder reads; the rest keep the column reader. */
  private static final Set<String> DECODED = Set.of("ri", "oi", "rl", "ol", "of", "rd", "od",
      "rb", "ob", "rs", "os", "low", "bytes", "dt", "tms", "tus", "tns", "nothing", "nostring");
  private static final int ROWS = 6_000;
  private static final String[] WORDS = {"", "a", "é", "日本", "tributary", "𝄞 clef"};

  @ParameterizedTest(name = "{0}, dictionary {1}, byte stream split {2}")
  @CsvSource({"PARQUET_1_0, true, false", "PARQUET_1_0, false, false",
      "PARQUET_2_0, true, false", "PARQUET_2_0, false, false", "PARQUET_2_0, false, true"})
  void parquetMrFilesReadTheSameAsWithTheColumnReader(WriterVersion version, boolean dictionary,
      boolean byteStreamSplit) throws IOException {
    Path file = dir.resolve("mr.parquet");
    writeParquetMr(file, version, dictionary, byteStreamSplit);
    assertThat(dataPages(file, "oi")).as("several pages per row group").isGreaterThan(1);
    assertThat(dataPageVersions(file)).containsExactly(
        version == WriterVersion.PARQUET_1_0 ? "v1" : "v2");
    assertThat(decodedColumns(file)).isEqualTo(new TreeSet<>(DECODED));
    // With a dictionary, its page fills up and the chunk falls back to plain (or delta) pages.
    assertThat(encodings(file).get("os")).as("value encodings of os").hasSize(dictionary ? 2 : 1);

    Map<String, List<Object>> vectorized = read(file, true);
    assertThat(vectorized).isEqualTo(read(file, false));
    assertThat(vectorized.get("ri")).hasSize(ROWS);
    assertThat(rowsOfColumns(vectorized, List.of("ri", "oi", "rl", "ol", "of", "rd", "od", "rb",
        "ob", "rs", "os", "low")))
        .isEqualTo(DuckDbParquet.rows("SELECT ri, oi, rl, ol, of, rd, od, rb, ob, rs, os, low"
            + " FROM read_parquet('" + file + "')"));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"V1", "V2"})
  void duckDbFilesReadTheSameAsWithTheColumnReaderAndAsDuckDbReadsThem(String version)
      throws IOException {
    Path file = dir.resolve("duck.parquet");
    DuckDbParquet.execute("COPY (SELECT"
        + " i::INTEGER AS i32,"
        + " CASE WHEN i % 5 = 0 THEN NULL ELSE i * 3 END::BIGINT AS i64,"
        + " CASE WHEN i % 7 = 0 THEN NULL ELSE i / 3.0 END::DOUBLE AS d,"
        + " (i * 0.25)::FLOAT AS f,"
        + " CASE WHEN i % 4 = 0 THEN NULL ELSE (i % 97) * 1000000007 END::BIGINT AS lowl,"
        + " ((i % 13) / 4.0)::DOUBLE AS lowd,"
        + " CASE WHEN i % 6 = 0 THEN NULL ELSE (i % 7) / 2.0 END::FLOAT AS lowf,"
        + " CASE WHEN i % 11 = 0 THEN NULL ELSE i % 2 = 0 END AS b,"
        + " CASE WHEN i % 3 = 0 THEN NULL ELSE 'key-' || (i % 50) END AS s,"
        + " 'unique-' || i || '-é' AS hs,"
        + " CASE WHEN i BETWEEN 30000 AND 70000 THEN NULL ELSE i END::INTEGER AS gap,"
        + " NULL::INTEGER AS nothing,"
        + " DATE '2024-01-01' + (i % 1000)::INTEGER AS dt,"
        + " TIMESTAMP '2024-01-01' + to_microseconds(i * 1001) AS ts,"
        + " TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_microseconds(i * 7) AS tz"
        + " FROM range(150000) t(i)) TO '" + file + "' (FORMAT parquet, ROW_GROUP_SIZE 60000,"
        + " PARQUET_VERSION " + version + ")");
    // DuckDB cuts pages only at 100 MB: one page per chunk, several row groups.
    assertThat(rowGroups(file)).isEqualTo(3);
    assertThat(decodedColumns(file)).containsExactlyInAnyOrder("i32", "i64", "d", "f", "lowl",
        "lowd", "lowf", "b", "s", "hs", "gap", "nothing", "dt", "ts", "tz");
    assertThat(encodings(file).values().stream().flatMap(Set::stream).distinct())
        .as("value encodings").containsExactlyInAnyOrderElementsOf(version.equals("V1")
            ? List.of("PLAIN", "PLAIN_DICTIONARY")
            : List.of("PLAIN", "RLE_DICTIONARY", "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY",
                "BYTE_STREAM_SPLIT"));

    Map<String, List<Object>> vectorized = read(file, true);
    assertThat(vectorized).isEqualTo(read(file, false));
    List<String> compared = List.of("i32", "i64", "d", "f", "lowl", "lowd", "lowf", "b", "s",
        "hs", "gap", "nothing");
    assertThat(rowsOfColumns(vectorized, compared)).isEqualTo(DuckDbParquet.rows(
        "SELECT " + String.join(", ", compared) + " FROM read_parquet('" + file + "')"));
    assertThat(vectorized.get("dt").stream().map(String::valueOf).toList())
        .isEqualTo(DuckDbParquet.rows("SELECT dt::VARCHAR FROM read_parquet('" + file + "')")
            .stream().map(r -> r.get(0)).toList());
  }

  /**
   * A filtered read decodes the filter's columns (or tests one column's dictionary entries),
   * then only the kept rows of the others: the same rows as the column reader's whole-row decode
   * then filter, whether the filtered columns are kept or not, for sparse, dense, all and no kept
   * rows, nulls kept or not, dictionary pages falling back to plain ones inside a chunk.
   */
  @ParameterizedTest(name = "{0}, dictionary {1}")
  @CsvSource({"PARQUET_1_0, true", "PARQUET_1_0, false", "PARQUET_2_0, true",
      "PARQUET_2_0, false"})
  void filteredReadsDecodeOnlyKeptRowsAndMatchTheColumnReader(WriterVersion version,
      boolean dictionary) throws IOException {
    Path file = dir.resolve("mr.parquet");
    writeParquetMr(file, version, dictionary, false);
    List<FilterPredicate> filters = List.of(
        FilterApi.lt(FilterApi.intColumn("oi"), -60),
        FilterApi.gtEq(FilterApi.intColumn("oi"), -95),
        FilterApi.eq(FilterApi.intColumn("oi"), null),
        FilterApi.or(FilterApi.lt(FilterApi.longColumn("rl"), 0L),
            FilterApi.eq(FilterApi.binaryColumn("low"), Binary.fromString("tag-3"))),
        FilterApi.notEq(FilterApi.doubleColumn("rd"), 7.0),
        FilterApi.gt(FilterApi.intColumn("ri"), Integer.MAX_VALUE - 1),
        FilterApi.notEq(FilterApi.intColumn("oi"), null),
        FilterApi.eq(FilterApi.binaryColumn("low"), Binary.fromString("tag-3")),
        FilterApi.eq(FilterApi.binaryColumn("low"), null),
        // os falls back from dictionary to plain pages inside a chunk
        FilterApi.gt(FilterApi.binaryColumn("os"), Binary.fromString("a")),
        FilterApi.ltEq(FilterApi.intColumn("dt"), 100),
        FilterApi.lt(FilterApi.floatColumn("of"), 5f),
        FilterApi.gt(FilterApi.doubleColumn("od"), 3.0));
    List<String> all = new ArrayList<>(new TreeSet<>(DECODED));
    for (FilterPredicate filter : filters) {
      Set<String> tested = RowFilter.columns(filter);
      List<String> untested = all.stream().filter(c -> !tested.contains(c)).toList();
      for (List<String> columns : List.of(all, untested)) {
        Map<String, List<Object>> kept = read(file, true, columns, filter);
        assertThat(kept).as("%s, columns %s", filter, columns)
            .isEqualTo(read(file, false, columns, filter));
      }
    }
  }

  @Test
  void filteredDuckDbFilesReadAsDuckDbFiltersThem() throws IOException {
    Path file = dir.resolve("duck-filtered.parquet");
    DuckDbParquet.execute("COPY (SELECT (i % 1000)::INTEGER AS key,"
        + " CASE WHEN i % 7 = 0 THEN NULL ELSE i / 3.0 END::DOUBLE AS x,"
        + " CASE WHEN i % 3 = 0 THEN NULL ELSE 'key-' || (i % 50) END AS s,"
        + " i::BIGINT AS id FROM range(150000) t(i)) TO '" + file
        + "' (FORMAT parquet, ROW_GROUP_SIZE 60000)");
    Map<String, List<Object>> kept = read(file, true, List.of("x", "s", "id"),
        FilterApi.lt(FilterApi.intColumn("key"), 137));
    assertThat(rowsOfColumns(kept, List.of("x", "s", "id"))).isEqualTo(DuckDbParquet.rows(
        "SELECT x, s, id FROM read_parquet('" + file + "') WHERE key < 137"));
    Map<String, List<Object>> byString = read(file, true, List.of("x", "id"),
        FilterApi.eq(FilterApi.binaryColumn("s"), Binary.fromString("key-7")));
    assertThat(rowsOfColumns(byString, List.of("x", "id"))).isEqualTo(DuckDbParquet.rows(
        "SELECT x, id FROM read_parquet('" + file + "') WHERE s = 'key-7'"));
  }

  @Test
  void aValueRunningPastItsPageFailsTypedNamingFileRowGroupAndColumn() throws IOException {
    MessageType schema = MessageTypeParser.parseMessageType("message m { required binary s; }");
    Path file = dir.resolve("corrupt.parquet");
    SimpleGroupFactory factory = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withConf(new PlainParquetConfiguration()).withType(schema)
        .withCompressionCodec(CompressionCodecName.UNCOMPRESSED).withDictionaryEncoding(false)
        .build()) {
      for (int r = 0; r < 1000; r++) {
        writer.write(factory.newGroup().append("s", "")); // PLAIN: a 4-byte length each
      }
    }
    ColumnChunkMetaData chunk;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      chunk = reader.getRowGroups().get(0).getColumns().get(0);
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      // The next-to-last value's length becomes 2 GiB: past the end of its page.
      long end = chunk.getStartingPos() + chunk.getTotalSize();
      channel.write(ByteBuffer.wrap(new byte[] {127, 127, 127, 127}), end - 8);
    }
    StepVerifier.create(ParquetSource.of(List.of(file.toString())).blocks(account,
            ReadSettings.defaults(Bytes.MiB), new ReadStats()).doOnNext(Block::close))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(
            CorruptInputException.class, c -> {
              assertThat(c.file()).isEqualTo(file);
              assertThat(c.location()).isEqualTo("row group 0, column s");
            }))
        .verify(Duration.ofSeconds(30));
  }

  /** Every column's values over all blocks of a read, byte arrays as hex. */
  private Map<String, List<Object>> read(Path file, boolean vectorized) {
    return read(file, vectorized, null, null);
  }

  /**
   * The values of {@code names} (null: all) of the rows {@code filter} (or null) keeps, over all
   * blocks of a read.
   */
  private Map<String, List<Object>> read(Path file, boolean vectorized, List<String> names,
      FilterPredicate filter) {
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    ParquetSource source = ParquetSource.of(List.of(file.toString()));
    source = names == null ? source : source.columns(names);
    source = filter == null ? source : source.filter(filter);
    // Small blocks: every block ends inside a page, so the decoder resumes mid-page.
    Flux<Block> blocks = source.blocks(account,
        ReadSettings.defaults(16 * Bytes.KiB).withVectorizedParquet(vectorized),
        new ReadStats());
    blocks.doOnNext(block -> {
      try (block) {
        for (var field : block.schema().getFields()) {
          List<Object> values = columns.computeIfAbsent(field.getName(), n -> new ArrayList<>());
          for (Object v : ColumnReader.values(block, field.getName())) {
            values.add(v instanceof byte[] b ? HexFormat.of().formatHex(b) : v);
          }
        }
      }
    }).blockLast();
    return columns;
  }

  private static List<List<Object>> rowsOfColumns(Map<String, List<Object>> columns,
      List<String> names) {
    List<List<Object>> rows = new ArrayList<>();
    for (int r = 0; r < columns.get(names.get(0)).size(); r++) {
      List<Object> row = new ArrayList<>();
      for (String name : names) {
        row.add(columns.get(name).get(r));
      }
      rows.add(row);
    }
    return rows;
  }

  /** The flat columns of the file the page decoder reads. */
  private static Set<String> decodedColumns(Path file) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      Schema arrow = ParquetSchemas.toArrow(schema,
          reader.getFooter().getFileMetaData().getKeyValueMetaData(), file.toString());
      Set<String> decoded = new TreeSet<>();
      for (ColumnDescriptor c : schema.getColumns()) {
        if (c.getPath().length == 1
            && PageDecoder.supports(c, arrow.findField(c.getPath()[0]))) {
          decoded.add(c.getPath()[0]);
        }
      }
      return decoded;
    }
  }

  /** Data pages of {@code column} in the file's first row group. */
  private static int dataPages(Path file, String column) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      ColumnDescriptor c = reader.getFooter().getFileMetaData().getSchema()
          .getColumnDescription(new String[] {column});
      PageReader pages = reader.readRowGroup(0).getPageReader(c);
      int n = 0;
      while (pages.readPage() != null) {
        n++;
      }
      return n;
    }
  }

  /** Per column, the value encodings of its data pages. */
  private static Map<String, Set<String>> encodings(Path file) throws IOException {
    Map<String, Set<String>> out = new TreeMap<>();
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      PageReadStore group;
      while ((group = reader.readNextRowGroup()) != null) {
        for (ColumnDescriptor c : schema.getColumns()) {
          PageReader pages = group.getPageReader(c);
          DataPage page;
          while ((page = pages.readPage()) != null) {
            out.computeIfAbsent(c.getPath()[0], k -> new TreeSet<>()).add(
                page instanceof DataPageV1 v1 ? v1.getValueEncoding().name()
                : ((DataPageV2) page).getDataEncoding().name());
          }
        }
      }
    }
    return out;
  }

  private static int rowGroups(Path file) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      return reader.getRowGroups().size();
    }
  }

  /** The kinds of data pages ("v1", "v2") in the file. */
  private static Set<String> dataPageVersions(Path file) throws IOException {
    Set<String> versions = new TreeSet<>();
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      PageReadStore group;
      while ((group = reader.readNextRowGroup()) != null) {
        for (ColumnDescriptor c : schema.getColumns()) {
          PageReader pages = group.getPageReader(c);
          DataPage page;
          while ((page = pages.readPage()) != null) {
            versions.add(page instanceof DataPageV1 ? "v1"
                : page instanceof DataPageV2 ? "v2" : "?");
          }
        }
      }
    }
    return versions;
  }

  private static void writeParquetMr(Path file, WriterVersion version, boolean dictionary,
      boolean byteStreamSplit) {
    Random random = new Random(13);
    SimpleGroupFactory factory = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withConf(new PlainParquetConfiguration()).withType(SCHEMA)
        .withWriterVersion(version).withDictionaryEncoding(dictionary)
        // SNAPPY pages (PageCodecs decompresses them) with dictionaries, plain pages without.
        .withCompressionCodec(dictionary ? CompressionCodecName.SNAPPY
            : CompressionCodecName.UNCOMPRESSED)
        .withByteStreamSplitEncoding(byteStreamSplit)
        // Small pages and row groups: several of each; a small dictionary page, so the
        // high-cardinality strings fall back to plain pages inside a chunk.
        .withPageRowCountLimit(400).withPageSize(2048).withDictionaryPageSize(4096)
        .withRowGroupSize(96 * 1024L).build()) {
      for (int r = 0; r < ROWS; r++) {
        Group g = factory.newGroup();
        // A run of nulls longer than a page: pages holding no value at all.
        boolean nulls = r >= 1000 && r < 2000;
        g.append("ri", random.nextInt());
        if (!nulls && random.nextInt(4) != 0) {
          g.append("oi", random.nextInt(200) - 100);
        }
        g.append("rl", random.nextLong());
        if (!nulls && random.nextInt(4) != 0) {
          g.append("ol", r % 3 == 0 ? Long.MIN_VALUE : random.nextInt(64) * 1_000_000_007L);
        }
        if (random.nextInt(4) != 0) {
          g.append("of", special(random, random.nextInt(100) / 8f));
        }
        g.append("rd", r % 97 == 0 ? -0.0 : random.nextDouble());
        if (random.nextInt(4) != 0) {
          g.append("od", special(random, random.nextInt(100) / 7.0));
        }
        g.append("rb", random.nextBoolean());
        if (random.nextInt(4) != 0) {
          g.append("ob", random.nextBoolean());
        }
        g.append("rs", WORDS[random.nextInt(WORDS.length)] + random.nextInt(100_000));
        if (!nulls && random.nextInt(4) != 0) {
          g.append("os", WORDS[random.nextInt(WORDS.length)].repeat(random.nextInt(4)));
        }
        if (random.nextInt(10) != 0) {
          g.append("low", "tag-" + random.nextInt(8));
        }
        if (random.nextInt(4) != 0) {
          byte[] b = new byte[random.nextInt(6)];
          random.nextBytes(b);
          g.append("bytes", Binary.fromConstantByteArray(b));
        }
        if (random.nextInt(4) != 0) {
          g.append("dt", r < 3000 ? random.nextInt(300) : random.nextInt(40_000) - 20_000);
        }
        if (random.nextInt(4) != 0) {
          g.append("tms", random.nextLong() >> 20);
        }
        if (random.nextInt(4) != 0) {
          g.append("tus", random.nextLong() >> 10);
        }
        if (random.nextInt(4) != 0) {
          g.append("tns", random.nextLong());
        }
        if (random.nextInt(4) != 0) {
          g.append("tiny", random.nextInt(256) - 128);
        }
        if (random.nextInt(4) != 0) {
          g.append("dec", random.nextInt(1_000_000));
        }
        if (random.nextInt(3) != 0) {
          Group list = g.addGroup("lst");
          for (int i = random.nextInt(3); i > 0; i--) {
            list.addGroup("list").append("element", random.nextInt());
          }
        }
        writer.write(g);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double special(Random random, double value) {
    return switch (random.nextInt(20)) {
      case 0 -> Double.NaN;
      case 1 -> -0.0;
      case 2 -> Double.NEGATIVE_INFINITY;
      default -> value;
    };
  }

  private static float special(Random random, float value) {
    return (float) special(random, (double) value);
  }
}
