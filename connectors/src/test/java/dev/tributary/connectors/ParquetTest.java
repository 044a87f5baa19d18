package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.NanoTime;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class ParquetTest extends ArenaTestSupport {
  /** A block of every supported type; nullable columns have every fourth value null. */
  private Block block(int rows, long seed) {
    Random r = new Random(seed);
    long[] l = new long[rows];
    Long[] ln = new Long[rows];
    int[] i = new int[rows];
    Integer[] in = new Integer[rows];
    double[] d = new double[rows];
    Float[] f = new Float[rows];
    Boolean[] b = new Boolean[rows];
    String[] s = new String[rows];
    byte[][] bin = new byte[rows][];
    for (int k = 0; k < rows; k++) {
      boolean nul = k % 4 == 3;
      l[k] = r.nextLong();
      ln[k] = nul ? null : r.nextLong();
      i[k] = r.nextInt();
      in[k] = nul ? null : r.nextInt();
      d[k] = r.nextGaussian();
      f[k] = nul ? null : r.nextFloat();
      b[k] = nul ? null : r.nextBoolean();
      s[k] = nul ? null : "s\u00e9" + r.nextInt(1000);
      bin[k] = nul ? null : new byte[] {(byte) k, (byte) (k >> 8)};
    }
    return BlockBuilder.in(account).column("l", l).column("ln", ln).column("i", i)
        .column("in", in).column("d", d).column("f", f).column("b", b).column("s", s)
        .column("bin", bin).build();
  }

  private List<Object[][]> read(ParquetSource source) {
    return contentsOf(source.blocks(account, 128 * Bytes.MiB));
  }

  private WriteSummary write(ParquetSink sink, Flux<Block> blocks) {
    return sink.write(blocks).block();
  }

  @ParameterizedTest
  @EnumSource(value = CompressionCodecName.class, names = {"SNAPPY", "ZSTD", "UNCOMPRESSED"})
  void everyTypeAndNullPatternRoundTrips(CompressionCodecName codec) {
    Object[][] expected;
    try (Block b = block(1000, 1)) {
      expected = contents(b);
    }
    WriteSummary summary = write(ParquetSink.to(dir).compression(codec),
        Flux.defer(() -> Flux.just(block(1000, 1))));
    assertThat(summary.rows()).isEqualTo(1000);
    assertThat(summary.files()).hasSize(1);
    assertThat(summary.bytes()).isEqualTo(summary.files().stream().mapToLong(p -> {
      try {
        return Files.size(p);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    }).sum());
    List<Object[][]> got = read(ParquetSource.of(List.of(dir.toString())));
    assertThat(got).hasSize(1);
    assertThat(Arrays.deepEquals(got.get(0), expected)).isTrue();
    ParquetSource source = ParquetSource.of(List.of(dir.toString()));
    assertThat(source.schema().findField("l").isNullable()).isFalse();
    assertThat(source.schema().findField("ln").isNullable()).isTrue();
  }

  @Test
  void everyArrowTypeRoundTripsWithItsSchema() {
    List<AllTypes.Column> columns = AllTypes.columns(7);
    write(ParquetSink.to(dir), Flux.defer(() -> Flux.just(
        AllTypes.block(account, columns, 0, 300), AllTypes.block(account, columns, 300, 200))));
    ParquetSource source = ParquetSource.of(List.of(dir.toString()));
    assertThat(source.schema()).isEqualTo(AllTypes.schema(columns));
    List<Block> blocks = new ArrayList<>();
    // Small blocks: nested columns are assembled across chunk boundaries of a row group.
    source.blocks(account, 8 * Bytes.KiB).doOnNext(blocks::add).blockLast();
    try {
      assertThat(blocks.size()).isGreaterThan(2);
      List<java.util.Map<String, Object>> rows = AllTypes.rows(blocks);
      assertThat(rows).hasSize(500);
      AllTypes.assertRows(columns, rows);
    } finally {
      blocks.forEach(Block::close);
    }
  }

  @Test
  void filtersOnLogicalTypesCompareTheStoredValues() {
    List<AllTypes.Column> columns = AllTypes.columns(7);
    write(ParquetSink.to(dir), Flux.defer(() -> Flux.just(
        AllTypes.block(account, columns, 0, 200))));
    java.time.Instant cut = java.time.Instant.parse("1965-03-04T05:06:07.123456Z")
        .plusSeconds(100 * 86_413L);
    long micros = cut.getEpochSecond() * 1_000_000 + cut.getNano() / 1000;
    ParquetSource source = ParquetSource.of(List.of(dir.toString())).filter(
        org.apache.parquet.filter2.predicate.FilterApi.and(
            org.apache.parquet.filter2.predicate.FilterApi.gtEq(
                org.apache.parquet.filter2.predicate.FilterApi.longColumn("ts_us_utc"), micros),
            org.apache.parquet.filter2.predicate.FilterApi.lt(
                org.apache.parquet.filter2.predicate.FilterApi.intColumn("i8"), 0)));
    List<java.util.Map<String, Object>> rows = rowsOf(source.blocks(account, Bytes.MiB));
    assertThat(rows).isNotEmpty().allSatisfy(r -> {
      assertThat((java.time.Instant) r.get("ts_us_utc")).isAfterOrEqualTo(cut);
      assertThat((Byte) r.get("i8")).isNegative();
    });
    long expected = java.util.stream.IntStream.range(100, 200)
        .filter(i -> i % 4 != 3 && (Byte) columns.get(1).value().apply(i) < 0).count();
    assertThat(rows).hasSize((int) expected);
  }

  @Test
  void legacyFormsOfOtherWritersRead() throws IOException {
    MessageType legacy = MessageTypeParser.parseMessageType("message legacy {"
        + " required int32 u8 (INTEGER(8,false)); required int32 u32 (INTEGER(32,false));"
        + " optional group two_level (LIST) { repeated int32 element; }"
        + " repeated binary bare (STRING); optional int96 ts96;"
        + " optional group pairs (LIST) { repeated group array { required int32 a;"
        + " required int32 b; } } }");
    Path file = dir.resolve("legacy.parquet");
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withType(legacy).build()) {
      SimpleGroupFactory groups = new SimpleGroupFactory(legacy);
      for (int i = 0; i < 3; i++) {
        Group g = groups.newGroup().append("u8", 200 + i).append("u32", -1 - i);
        Group list = g.addGroup("two_level");
        for (int k = 0; k < i; k++) {
          list.append("element", k);
        }
        g.append("bare", "x" + i).append("bare", "y");
        g.append("ts96", new NanoTime(2_440_588 + 1, 1_000L * i).toBinary());
        g.addGroup("pairs").addGroup("array").append("a", i).append("b", -i);
        writer.write(g);
      }
    }
    List<java.util.Map<String, Object>> rows =
        rowsOf(ParquetSource.of(List.of(file.toString())).blocks(account, Bytes.MiB));
    assertThat(rows).hasSize(3);
    java.util.Map<String, Object> r = rows.get(2);
    assertThat(r.get("u8")).isEqualTo((short) 202);
    assertThat(r.get("u32")).isEqualTo(4294967293L);
    assertThat(r.get("two_level")).isEqualTo(List.of(0, 1));
    assertThat(rows.get(0).get("two_level")).isEqualTo(List.of());
    assertThat(r.get("bare")).isEqualTo(List.of("x2", "y"));
    assertThat(r.get("ts96")).isEqualTo(java.time.Instant.parse("1970-01-02T00:00:00Z")
        .plusNanos(2000));
    assertThat(r.get("pairs")).isEqualTo(List.of(AllTypes.struct("a", 2, "b", -2)));
  }

  @Test
  void filesAreReadableByParquetMrsOwnExampleReader() throws IOException {
    write(ParquetSink.to(dir), Flux.defer(() -> Flux.just(block(100, 2))));
    Path file = ParquetSource.of(List.of(dir.toString())).files().get(0);
    int rows = 0;
    try (ParquetReader<Group> reader = new GroupReaderBuilder(file).build()) {
      for (Group g = reader.read(); g != null; g = reader.read()) {
        if (rows == 1) {
          assertThat(g.getString("s", 0)).startsWith("s\u00e9");
          assertThat(g.getFieldRepetitionCount("ln")).isEqualTo(1);
        }
        if (rows == 3) {
          assertThat(g.getFieldRepetitionCount("ln")).as("null").isZero();
        }
        rows++;
      }
    }
    assertThat(rows).isEqualTo(100);
  }

  /** parquet-mr's example Group reader over a local file, without Hadoop's file system. */
  static final class GroupReaderBuilder extends ParquetReader.Builder<Group> {
    GroupReaderBuilder(Path file) {
      super(new LocalInputFile(file));
    }

    @Override
    protected org.apache.parquet.hadoop.api.ReadSupport<Group> getReadSupport() {
      return new GroupReadSupport();
    }
  }

  @Test
  void rowsPerFileRollsFilesAndEveryFileReadsBack() {
    WriteSummary summary = write(ParquetSink.to(dir).rowsPerFile(300),
        Flux.defer(() -> Flux.just(block(500, 3), block(500, 4))));
    assertThat(summary.files()).hasSize(4);
    ParquetSource source = ParquetSource.of(List.of(dir.toString()));
    assertThat(source.rowCount()).isEqualTo(1000);
    assertThat(read(source).stream().mapToInt(c -> c[0].length).sum()).isEqualTo(1000);
    assertThat(summary.files()).allMatch(p -> p.getFileName().toString().matches(
        "part-[0-9a-f-]{36}-\\d{5}\\.parquet"));
  }

  @Test
  void largeRowGroupsAreCutIntoBlocksOfTheAskedSize() {
    write(ParquetSink.to(dir), Flux.defer(() -> Flux.just(block(20_000, 9))));
    List<Integer> sizes = new ArrayList<>();
    ParquetSource.of(List.of(dir.toString())).blocks(account, 64 * Bytes.KiB)
        .doOnNext(b -> {
          try (b) {
            sizes.add(b.rowCount());
            assertThat(b.sizeBytes()).isLessThan(2 * 64 * Bytes.KiB);
          }
        }).blockLast();
    assertThat(sizes.size()).isGreaterThan(5);
    assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(20_000);
  }

  @Test
  void projectionReadsOnlyTheNamedColumnsInOrder() {
    write(ParquetSink.to(dir), Flux.defer(() -> Flux.just(block(50, 5))));
    ParquetSource source = ParquetSource.of(List.of(dir + "/*.parquet")).columns(List.of("s", "l"));
    assertThat(source.schema().getFields()).extracting(fl -> fl.getName())
        .containsExactly("s", "l");
    List<Object[][]> got = read(source);
    assertThat(got.get(0)).hasNumberOfRows(2);
    assertThatThrownBy(() -> read(ParquetSource.of(List.of(dir.toString()))
        .columns(List.of("nope"))))
        .isInstanceOf(ColumnException.class).hasMessageContaining("nope");
  }

  @Test
  void aFileThatIsNotParquetIsATypedErrorNamingFileAndFooter() throws IOException {
    Path bad = dir.resolve("bad.parquet");
    Files.writeString(bad, "this is not a parquet file at all, not even close");
    assertThatThrownBy(() -> ParquetSource.of(List.of(bad.toString())).rowCount())
        .isInstanceOfSatisfying(CorruptInputException.class, e -> {
          assertThat(e.file()).isEqualTo(bad);
          assertThat(e.location()).isEqualTo("footer");
        })
        .hasMessageContaining("bad.parquet");
  }

  @Test
  void aTruncatedFileIsATypedErrorAndLeaksNothing() throws IOException {
    write(ParquetSink.to(dir), Flux.defer(() -> Flux.just(block(2000, 6))));
    Path good = ParquetSource.of(List.of(dir.toString())).files().get(0);
    byte[] bytes = Files.readAllBytes(good);
    Path cut = dir.resolve("cut.parquet");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> read(ParquetSource.of(List.of(cut.toString()))))
        .isInstanceOf(CorruptInputException.class)
        .hasMessageContaining("cut.parquet");
  }

  @Test
  void aFailedWriteLeavesNoFileBehind() throws IOException {
    Flux<Block> failing = Flux.defer(() -> Flux.concat(
        Flux.just(block(500, 7), block(500, 8)),
        Flux.error(new IllegalStateException("upstream failed"))));
    StepVerifier.create(ParquetSink.to(dir).rowsPerFile(300).write(failing))
        .expectErrorMessage("upstream failed")
        .verify(Duration.ofSeconds(30));
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void aCancelledWriteLeavesNoFileBehind() throws IOException, InterruptedException {
    // Threads of the test's own, so that it can wait for every task of the write and its source
    // to end: the cancel returns while a write may still run on an I/O thread (and a
    // bounded-elastic scheduler's disposeGracefully() does not wait for a task whose worker the
    // cancel disposed).
    ExecutorService ioThreads = Executors.newFixedThreadPool(2);
    ScheduledExecutorService sourceThread = Executors.newSingleThreadScheduledExecutor();
    Scheduler io = Schedulers.fromExecutorService(ioThreads);
    Scheduler timer = Schedulers.fromExecutorService(sourceThread);
    // It never ends, so the cancel comes during the write however slow the machine is.
    Flux<Block> slow = Flux.concat(Flux.range(0, 100)
            .concatMap(k -> Flux.just(k).delayElements(Duration.ofMillis(5), timer))
            .map(k -> block(100, k)), Flux.never())
        .subscribeOn(timer);
    StepVerifier.create(ParquetSink.to(dir).write(slow, io))
        .thenAwait(Duration.ofMillis(100))
        .thenCancel()
        .verify(Duration.ofSeconds(30));
    for (ExecutorService threads : List.of(ioThreads, sourceThread)) {
      threads.shutdown();
      assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void missingPathsAreReportedByName() {
    assertThatThrownBy(() -> ParquetSource.of(List.of(dir.resolve("none.parquet").toString())))
        .hasMessageContaining("none.parquet");
  }
}
