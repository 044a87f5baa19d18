package dev.tributary.connectors;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.binaryColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.doubleColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.eq;
import static org.apache.parquet.filter2.predicate.FilterApi.gt;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.intColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.longColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.lt;
import static org.apache.parquet.filter2.predicate.FilterApi.ltEq;
import static org.apache.parquet.filter2.predicate.FilterApi.not;
import static org.apache.parquet.filter2.predicate.FilterApi.notEq;
import static org.apache.parquet.filter2.predicate.FilterApi.or;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.arrow.vector.FieldVector;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Filtered reads of files with column indexes and many small pages: pages whose min/max rule the
 * filter out are skipped (counted in {@link ReadStats#pagesSkipped()}), the rows of the pages
 * read are filtered exactly, a column at a time ({@link RowMask}); every result equals DuckDB's
 * answer to the same query over the same file, for sorted and unsorted filter columns with
 * nulls, v1 (dictionary and plain) and v2 (delta) pages, through the page decoder and through
 * parquet-mr's column reader.
 */
class ParquetPageIndexTest extends ArenaTestSupport {
  private static final MessageType SCHEMA = MessageTypeParser.parseMessageType(
      "message t { required int64 id; optional int32 key; optional double x;"
          + " optional binary s (STRING); required boolean b; }");
  private static final int ROWS = 20_000;

  /** Writer settings: page versions and encodings. */
  enum Layout { V1_DICTIONARY, V1_PLAIN, V2 }

  /** A filter, the same rows in DuckDB's SQL, and whether its column is sorted (pages skip). */
  private record Case(String name, FilterPredicate filter, String where, boolean skipsPages) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final List<Case> CASES = List.of(
      new Case("id range", and(gtEq(longColumn("id"), 5_000L), lt(longColumn("id"), 5_600L)),
          "id >= 5000 AND id < 5600", true),
      new Case("id below or key equal", or(lt(longColumn("id"), 700L), eq(intColumn("key"), 7)),
          "id < 700 OR key = 7", false),
      new Case("key below", lt(intColumn("key"), 100), "key < 100", false),
      new Case("key not equal keeps nulls", notEq(intColumn("key"), 5), "key IS NULL OR key <> 5",
          false),
      new Case("x null", eq(doubleColumn("x"), null), "x IS NULL", false),
      new Case("x above in id range", and(ltEq(longColumn("id"), 1_999L),
          gt(doubleColumn("x"), 0.5)), "id <= 1999 AND x > 0.5", true),
      new Case("not s and id", and(not(eq(binaryColumn("s"), Binary.fromString("s7"))),
          gtEq(longColumn("id"), 19_000L)), "(s IS NULL OR s <> 's7') AND id >= 19000", true));

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Layout layout : Layout.values()) {
      for (Case c : CASES) {
        out.add(Arguments.of(layout, c, true));
      }
      out.add(Arguments.of(layout, CASES.get(0), false));
      out.add(Arguments.of(layout, CASES.get(3), false));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} vectorized={2}")
  @MethodSource("cases")
  void aFilteredReadKeepsWhatDuckDbKeepsAndSkipsPagesOfSortedColumns(Layout layout, Case c,
      boolean vectorized) {
    Path file = write(dir.resolve("t.parquet"), layout);
    ReadStats stats = new ReadStats();
    ReadSettings settings = ReadSettings.defaults(Bytes.MiB).withVectorizedParquet(vectorized);
    List<List<Object>> got = rows(ParquetSource.of(List.of(file.toString())).filter(c.filter())
        .blocks(account, settings, stats));
    List<List<Object>> expected = DuckDbParquet.rows("SELECT id, key, x, s, b FROM read_parquet('"
        + file + "') WHERE " + c.where() + " ORDER BY id");
    assertThat(got).isEqualTo(expected);
    if (c.skipsPages()) {
      assertThat(stats.pagesSkipped()).as(stats.toString()).isPositive();
      ReadStats whole = new ReadStats();
      rows(ParquetSource.of(List.of(file.toString())).blocks(account, settings, whole));
      assertThat(stats.bytesRead()).isLessThan(whole.bytesRead());
    }
  }

  /** Every block's rows as lists of JDBC-like values (strings for utf8), blocks closed. */
  private static List<List<Object>> rows(reactor.core.publisher.Flux<Block> blocks) {
    List<List<Object>> out = new ArrayList<>();
    blocks.doOnNext(b -> {
      try (b) {
        for (int r = 0; r < b.rowCount(); r++) {
          List<Object> row = new ArrayList<>();
          for (FieldVector v : b.root().getFieldVectors()) {
            Object value = v.getObject(r);
            row.add(value instanceof org.apache.arrow.vector.util.Text t ? t.toString() : value);
          }
          out.add(row);
        }
      }
    }).blockLast(Duration.ofSeconds(60));
    return out;
  }

  /**
   * 20,000 rows in two row groups of pages of at most 500 rows and about 1 KiB (so columns cut
   * pages at different rows): id ascending, key random in 0..999 (a
   * tenth null), x random in [0, 1) (a tenth null), s "s" + key % 50 (null with key), b.
   */
  private static Path write(Path file, Layout layout) {
    SimpleGroupFactory factory = new SimpleGroupFactory(SCHEMA);
    Random random = new Random(13);
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withConf(new PlainParquetConfiguration())
        .withType(SCHEMA)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withRowGroupRowCountLimit(ROWS / 2)
        .withPageRowCountLimit(500)
        .withPageSize(1024) // pages of other sizes per column: page boundaries differ
        .withDictionaryEncoding(layout != Layout.V1_PLAIN)
        .withWriterVersion(layout == Layout.V2 ? WriterVersion.PARQUET_2_0
            : WriterVersion.PARQUET_1_0)
        .build()) {
      for (long id = 0; id < ROWS; id++) {
        Group g = factory.newGroup().append("id", id).append("b", id % 3 == 0);
        if (random.nextInt(10) != 0) {
          int key = random.nextInt(1000);
          g.append("key", key).append("s", "s" + key % 50);
        }
        if (random.nextInt(10) != 0) {
          g.append("x", random.nextDouble());
        }
        writer.write(g);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
