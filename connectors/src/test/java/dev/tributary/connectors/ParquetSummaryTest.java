package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.filter2.predicate.FilterApi;
import org.apache.parquet.filter2.predicate.FilterPredicate;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * {@link ParquetSource#summarize} counts and adds up exactly what the blocks of the same read
 * hold, decoded by parquet-mr's column reader (the path the page decoder replaces) and summed
 * row by row here: files written by parquet-mr with v1 and v2 pages, dictionary and plain
 * (SNAPPY and uncompressed) pages, several pages and row groups, nulls, NaN, infinities and
 * -0.0, for filters tested through a dictionary, decoded into a probe, on the summarized column
 * itself, keeping all, some and no rows; and from blocks where a limit is set.
 */
class ParquetSummaryTest extends ArenaTestSupport {
  private static final MessageType SCHEMA = MessageTypeParser.parseMessageType("""
      message m {
        required int32 key; optional int32 oi; required int64 rl; optional int64 ol;
        optional float of; required double rd; optional double od;
      }""");
  private static final ReadSettings SETTINGS = ReadSettings.defaults(64 * Bytes.KiB);
  private static final int ROWS = 20_000;
  private static final List<String> COLUMNS = List.of("oi", "rl", "ol", "of", "rd", "od");

  @ParameterizedTest(name = "{0}, dictionary {1}")
  @CsvSource({"PARQUET_1_0, true", "PARQUET_1_0, false", "PARQUET_2_0, true",
      "PARQUET_2_0, false"})
  void aSummaryAddsUpWhatTheBlocksOfTheSameReadHold(WriterVersion version, boolean dictionary) {
    Path file = dir.resolve("mr.parquet");
    write(file, version, dictionary);
    List<FilterPredicate> filters = java.util.Arrays.asList(null,
        FilterApi.lt(FilterApi.intColumn("key"), 37),
        FilterApi.lt(FilterApi.intColumn("key"), 1_000),
        FilterApi.gt(FilterApi.intColumn("key"), 1_000),
        FilterApi.gtEq(FilterApi.doubleColumn("od"), 4.0),
        FilterApi.lt(FilterApi.intColumn("oi"), 0),
        FilterApi.or(FilterApi.lt(FilterApi.intColumn("key"), 10),
            FilterApi.eq(FilterApi.longColumn("ol"), null)));
    for (FilterPredicate filter : filters) {
      ParquetSource source = ParquetSource.of(List.of(file.toString())).parallelism(3);
      if (filter != null) {
        source = source.filter(filter);
      }
      // With ranges, and sums alone (doubles then added straight from the pages).
      for (List<String> columns : List.of(COLUMNS, List.of("key", "od", "rd"))) {
        ParquetSource projected = source.columns(columns);
        boolean range = columns == COLUMNS;
        List<ColumnSummary> asked = columns.stream().map(c -> ColumnSummary.of(c,
            !c.endsWith("f") && !c.endsWith("d"), range)).toList();
        ScanSummary got = projected.summarize(asked, account, SETTINGS, new ReadStats())
            .block(Duration.ofSeconds(60));
        ScanSummary expected = ScanSummary.of(asked);
        projected.blocks(account, SETTINGS.withVectorizedParquet(false), new ReadStats())
            .doOnNext(b -> {
              try (b) {
                expected.addRows(b.rowCount());
                for (ColumnSummary c : expected.columns()) {
                  addRowByRow(c, b.vector(c.column()), b.rowCount());
                }
              }
            }).blockLast(Duration.ofSeconds(60));
        assertSame(got, expected, filter + ", columns " + columns);
      }
    }
    assertThat(ParquetSource.of(List.of(file.toString())).limit(5_000).summarize(
            List.of(ColumnSummary.of("rl", true, true)), account, SETTINGS, new ReadStats())
        .block(Duration.ofSeconds(60)).rows()).isEqualTo(5_000);
  }

  @Test
  void anIntegerSumBeyondInt64IsFlaggedNotWrapped() {
    Path file = dir.resolve("big.parquet");
    MessageType schema = MessageTypeParser.parseMessageType("message m { required int64 v; }");
    SimpleGroupFactory factory = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withConf(new PlainParquetConfiguration()).withType(schema).build()) {
      for (int i = 0; i < 3; i++) {
        writer.write(factory.newGroup().append("v", Long.MAX_VALUE / 2));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ColumnSummary v = ParquetSource.of(List.of(file.toString())).summarize(
            List.of(ColumnSummary.of("v", true, true)), account, SETTINGS, new ReadStats())
        .block(Duration.ofSeconds(60)).column("v");
    assertThat(v.sumOverflows()).isTrue();
    assertThat(v.values()).isEqualTo(3);
    assertThat(v.longMax()).isEqualTo(Long.MAX_VALUE / 2);
  }

  @Test
  void aCorruptRowGroupFailsTheSummaryTypedAndHoldsNoMemory() throws IOException {
    Path file = dir.resolve("mr.parquet");
    write(file, WriterVersion.PARQUET_1_0, true);
    long at;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      assertThat(reader.getFooter().getBlocks()).hasSizeGreaterThan(2);
      at = reader.getFooter().getBlocks().get(1).getColumns().get(0).getStartingPos();
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(at);
      raf.write(new byte[64]);
    }
    StepVerifier.create(ParquetSource.of(List.of(file.toString()))
            .filter(FilterApi.lt(FilterApi.intColumn("key"), 37))
            .summarize(List.of(ColumnSummary.of("rd", false, false)), account, SETTINGS,
                new ReadStats()))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(
            CorruptInputException.class, c -> assertThat(c.location()).isEqualTo("row group 1")))
        .verify(Duration.ofSeconds(60));
  }

  @Test
  void aCancelledSummaryEndsHoldingNoMemory() throws InterruptedException {
    Path file = dir.resolve("mr.parquet");
    write(file, WriterVersion.PARQUET_2_0, false);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Scheduler scheduler = Schedulers.fromExecutorService(pool);
    ReadSettings settings = new ReadSettings(64 * Bytes.KiB, true,
        RetryPolicy.none(), 0, scheduler);
    Disposable running = ParquetSource.of(List.of(file.toString()))
        .filter(FilterApi.gtEq(FilterApi.doubleColumn("od"), 4.0))
        .summarize(List.of(ColumnSummary.of("rd", false, true)), account, settings,
            new ReadStats())
        .subscribe();
    running.dispose();
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    arena.awaitEmpty(Duration.ofSeconds(5));
    assertThat(arena.allocatedBytes()).isZero();
  }

  /** Counts, sums (in row order), minimum and maximum compared; floating sums within 1e-12. */
  private static void assertSame(ScanSummary got, ScanSummary expected, String what) {
    assertThat(got.rows()).as(what).isEqualTo(expected.rows());
    for (ColumnSummary e : expected.columns()) {
      ColumnSummary g = got.column(e.column());
      String about = what + ", " + e.column();
      assertThat(g.values()).as(about).isEqualTo(e.values());
      assertThat(g.nulls()).as(about).isEqualTo(e.nulls());
      assertThat(g.sumOverflows()).as(about).isFalse();
      if (e.values() == 0) {
        continue;
      }
      if (e.integral()) {
        assertThat(g.longSum()).as(about).isEqualTo(e.longSum());
        if (e.range()) {
          assertThat(g.longMin()).as(about).isEqualTo(e.longMin());
          assertThat(g.longMax()).as(about).isEqualTo(e.longMax());
        }
      } else {
        double tolerance = 1e-12 * Math.max(1, Math.abs(e.doubleSum()));
        if (Double.isInfinite(e.doubleSum()) || Double.isNaN(e.doubleSum())) {
          assertThat(g.doubleSum()).as(about).isEqualTo(e.doubleSum());
        } else {
          assertThat(g.doubleSum()).as(about).isCloseTo(e.doubleSum(), within(tolerance));
        }
        if (e.range()) {
          assertThat(g.doubleMin()).as(about).isEqualTo(e.doubleMin());
          assertThat(g.doubleMax()).as(about).isEqualTo(e.doubleMax());
        }
      }
    }
  }

  /** The reference: one value at a time through Arrow's getters, NaN as a null. */
  private static void addRowByRow(ColumnSummary into, FieldVector v, int rows) {
    for (int r = 0; r < rows; r++) {
      long[] one = new long[1];
      if (v.isNull(r)) {
        into.addNulls(1);
      } else if (v instanceof BaseIntVector ints) {
        one[0] = ints.getValueAsLong(r);
        into.addLongs(one, 1);
      } else {
        double x = v instanceof Float8Vector d ? d.get(r) : ((Float4Vector) v).get(r);
        one[0] = Double.doubleToRawLongBits(x);
        into.addDoubleBits(one, 1);
      }
    }
  }

  /** Small pages and row groups: several of each per file. */
  private static void write(Path file, WriterVersion version, boolean dictionary) {
    Random random = new Random(7);
    SimpleGroupFactory factory = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withConf(new PlainParquetConfiguration()).withType(SCHEMA)
        .withWriterVersion(version).withDictionaryEncoding(dictionary)
        .withCompressionCodec(dictionary ? CompressionCodecName.SNAPPY
            : CompressionCodecName.UNCOMPRESSED)
        .withPageRowCountLimit(700).withPageSize(4096).withDictionaryPageSize(4096)
        .withRowGroupSize(64 * 1024L).build()) {
      for (int r = 0; r < ROWS; r++) {
        Group g = factory.newGroup();
        boolean nulls = r >= 3000 && r < 4500; // a run of nulls longer than a page
        g.append("key", random.nextInt(100));
        if (!nulls && random.nextInt(4) != 0) {
          g.append("oi", random.nextInt(2000) - 1000);
        }
        g.append("rl", r % 5 == 0 ? Long.MIN_VALUE / 100_000 : random.nextInt(50) * 1_000_000_007L);
        if (!nulls && random.nextInt(4) != 0) {
          g.append("ol", random.nextLong() >> 20);
        }
        if (random.nextInt(4) != 0) {
          g.append("of", (float) special(random, random.nextInt(100) / 8.0));
        }
        g.append("rd", r % 97 == 0 ? -0.0 : random.nextDouble() * 100);
        if (random.nextInt(4) != 0) {
          g.append("od", special(random, random.nextInt(100) / 7.0));
        }
        writer.write(g);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double special(Random random, double value) {
    return switch (random.nextInt(40)) {
      case 0 -> Double.NaN;
      case 1 -> -0.0;
      case 2 -> Double.POSITIVE_INFINITY;
      default -> value;
    };
  }
}
