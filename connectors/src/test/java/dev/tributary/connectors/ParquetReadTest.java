package dev.tributary.connectors;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.binaryColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.eq;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.intColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.longColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.lt;
import static org.apache.parquet.filter2.predicate.FilterApi.notEq;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** Reading Parquet: pushdown, bytes-read stats, parallel reads, file options, faults. */
class ParquetReadTest extends ArenaTestSupport {
  private static final ReadSettings SETTINGS = ReadSettings.defaults(128 * Bytes.MiB);

  /** One file of 5 row groups of 1000 rows: ids 0..4999, row group k holds k*1000..k*1000+999. */
  private Path fiveGroups() {
    return RowGroupFiles.write(dir.resolve("five.parquet"), 0, 5, 1000);
  }

  /** {@code files} files of 3 row groups of 500 rows, ids ascending across files. */
  private List<Path> manyFiles(int files) {
    List<Path> out = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      out.add(RowGroupFiles.write(dir.resolve(String.format("f%02d.parquet", f)), f * 1500L, 3,
          500));
    }
    return out;
  }

  private static ParquetSource source(Path... paths) {
    return ParquetSource.of(List.of(paths).stream().map(Path::toString).toList());
  }

  /** The ids of every block, in arrival order; closes the blocks. */
  private List<Long> ids(Flux<Block> blocks) {
    List<Long> ids = new ArrayList<>();
    blocks.doOnNext(b -> {
      try (b) {
        for (long id : ColumnReader.longs(b, "id")) {
          ids.add(id);
        }
      }
    }).blockLast(Duration.ofSeconds(30));
    return ids;
  }

  private static List<Long> range(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  @Test
  void aFilterReadsOnlyTheRowGroupsItsStatisticsAllowAndKeepsExactlyTheMatchingRows() {
    ParquetSource source = source(fiveGroups())
        .filter(and(gtEq(longColumn("id"), 2100L), lt(longColumn("id"), 2300L)));
    ReadStats stats = new ReadStats();
    assertThat(ids(source.blocks(account, SETTINGS, stats))).isEqualTo(range(2100, 2300));
    assertThat(stats.fragmentsRead()).isEqualTo(1);
    assertThat(stats.fragmentsSkipped()).isEqualTo(4);
    assertThat(source.rowCount()).as("a filtered count must read rows").isEqualTo(-1);
  }

  @Test
  void aFilterOnAnUnprojectedColumnFiltersButDoesNotOutputIt() {
    ParquetSource source = source(fiveGroups()).columns(List.of("x"))
        .filter(lt(longColumn("id"), 10L));
    List<Double> xs = new ArrayList<>();
    source.blocks(account, SETTINGS, new ReadStats()).doOnNext(b -> {
      try (b) {
        assertThat(b.schema().getFields()).extracting(Field::getName).containsExactly("x");
        for (double x : ColumnReader.doubles(b, "x")) {
          xs.add(x);
        }
      }
    }).blockLast(Duration.ofSeconds(30));
    assertThat(xs).isEqualTo(LongStream.range(0, 10).mapToObj(i -> i / 2.0).toList());
  }

  @Test
  void rowFilteringFollowsParquetNullSemantics() {
    Path file = fiveGroups();
    // s is null on every fifth row: eq(s, null) keeps exactly those, notEq(s, v) keeps them too.
    assertThat(ids(source(file).filter(eq(binaryColumn("s"), null))
        .blocks(account, SETTINGS, new ReadStats())))
        .isEqualTo(LongStream.range(0, 5000).filter(i -> i % 5 == 4).boxed().toList());
    assertThat(ids(source(file).filter(notEq(binaryColumn("s"), Binary.fromString("s0")))
        .blocks(account, SETTINGS, new ReadStats())))
        .isEqualTo(range(1, 5000));
  }

  @Test
  void inAndNotInKeepTheRowsWhoseValueIsOrIsNotInTheSet() {
    Path file = fiveGroups();
    assertThat(ids(source(file).filter(org.apache.parquet.filter2.predicate.FilterApi.in(
            longColumn("id"), new java.util.HashSet<>(List.of(3L, 2999L, 4500L))))
        .blocks(account, SETTINGS, new ReadStats()))).containsExactly(3L, 2999L, 4500L);
    assertThat(ids(source(file).filter(org.apache.parquet.filter2.predicate.FilterApi.notIn(
            longColumn("id"), new java.util.HashSet<>(List.of(0L, 1L))))
        .blocks(account, SETTINGS, new ReadStats()))).isEqualTo(range(2, 5000));
  }

  @Test
  void inAndNotInTakeImmutableSetsAndKeepTheSetTheyWereGiven() {
    Path file = fiveGroups();
    assertThat(ids(source(file).filter(org.apache.parquet.filter2.predicate.FilterApi.in(
            longColumn("id"), java.util.Set.of(3L, 2999L, 4500L)))
        .blocks(account, SETTINGS, new ReadStats()))).containsExactly(3L, 2999L, 4500L);
    assertThat(ids(source(file).filter(org.apache.parquet.filter2.predicate.FilterApi.or(
            lt(longColumn("id"), 2L), org.apache.parquet.filter2.predicate.FilterApi.notIn(
                longColumn("id"), java.util.Set.of(0L, 1L)))).columns(List.of("id"))
        .blocks(account, SETTINGS, new ReadStats()))).isEqualTo(range(0, 5000));
    java.util.Set<Long> values = new java.util.HashSet<>(List.of(7L));
    ParquetSource source = source(file).filter(org.apache.parquet.filter2.predicate.FilterApi
        .in(longColumn("id"), values));
    values.add(8L);
    assertThat(ids(source.blocks(account, SETTINGS, new ReadStats()))).containsExactly(7L);
  }

  @Test
  void aFilterOnAMissingColumnOrOfTheWrongTypeIsATypedErrorNamingIt() {
    Path file = fiveGroups();
    StepVerifier.create(source(file).filter(eq(longColumn("nope"), 1L))
            .blocks(account, SETTINGS, new ReadStats()))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ColumnException.class)
            .hasMessageContaining("nope").hasMessageContaining("five.parquet"))
        .verify(Duration.ofSeconds(30));
    StepVerifier.create(source(file).filter(eq(intColumn("id"), 1))
            .blocks(account, SETTINGS, new ReadStats()))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ColumnException.class)
            .hasMessageContaining("id").hasMessageContaining("five.parquet"))
        .verify(Duration.ofSeconds(30));
  }

  @Test
  void bytesReadCountTheColumnChunksOfTheRowGroupsAndColumnsRead() throws IOException {
    Path file = fiveGroups();
    long idBytes = 0;
    long allBytes = 0;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      for (var group : reader.getFooter().getBlocks()) {
        for (ColumnChunkMetaData c : group.getColumns()) {
          allBytes += c.getTotalSize();
          idBytes += c.getPath().toDotString().equals("id") ? c.getTotalSize() : 0;
        }
      }
    }
    ReadStats all = new ReadStats();
    ids(source(file).blocks(account, SETTINGS, all));
    ReadStats projected = new ReadStats();
    ids(source(file).columns(List.of("id")).blocks(account, SETTINGS, projected));
    ReadStats pushed = new ReadStats();
    ids(source(file).columns(List.of("id")).filter(lt(longColumn("id"), 1000L))
        .blocks(account, SETTINGS, pushed));
    assertThat(all.bytesRead()).isEqualTo(allBytes);
    assertThat(projected.bytesRead()).isEqualTo(idBytes).isLessThan(allBytes / 2);
    assertThat(projected.fragmentsRead()).isEqualTo(5);
    assertThat(pushed.fragmentsRead()).isEqualTo(1);
    assertThat(pushed.bytesRead()).isLessThan(projected.bytesRead() / 2);
  }

  @Test
  void parallelReadsGiveTheSameRowsInTheSameOrderAsSerialReads() {
    List<Path> files = manyFiles(4);
    ParquetSource source = ParquetSource.of(List.of(dir.toString()));
    List<Long> serial = ids(source.parallelism(1).blocks(account, SETTINGS,
        new ReadStats()));
    assertThat(serial).isEqualTo(range(0, files.size() * 1500L));
    for (int p : new int[] {2, 4, 8}) {
      assertThat(ids(source.parallelism(p).blocks(account, SETTINGS, new ReadStats())))
          .as("parallelism %d", p).isEqualTo(serial);
    }
    assertThat(ids(source.parallelism(4).blocks(account, SETTINGS.withPreserveOrder(false),
        new ReadStats()))).as("unordered").containsExactlyInAnyOrderElementsOf(serial);
  }

  @Test
  void cancellingAParallelReadHalfwayReleasesEveryBlock() {
    manyFiles(6);
    ParquetSource source = ParquetSource.of(List.of(dir.toString())).parallelism(4);
    for (int round = 0; round < 5; round++) {
      StepVerifier.create(source.blocks(account, SETTINGS, new ReadStats())
              .doOnNext(Block::close), 0)
          .thenRequest(9)
          .expectNextCount(9)
          .thenCancel()
          .verify(Duration.ofSeconds(30));
      arena.awaitEmpty(Duration.ofSeconds(5));
      assertThat(arena.allocatedBytes()).as("round %d: %s", round, arena.report()).isZero();
    }
  }

  @Test
  void readersHoldAtMostOneBlockAheadEachWithoutDemand() {
    manyFiles(6);
    ParquetSource source = ParquetSource.of(List.of(dir.toString())).columns(List.of("id"));
    long oneBlock;
    try (Block first = source.parallelism(1).blocks(account, SETTINGS, new ReadStats())
        .blockFirst(Duration.ofSeconds(30))) {
      oneBlock = first.sizeBytes();
    }
    arena.awaitEmpty(Duration.ofSeconds(5));
    // Each reader holds one block and its row group's column chunks (a few KiB, charged as one
    // granule of heap) while it waits.
    long perReader = oneBlock + dev.tributary.memory.HeapCharge.GRANULE;
    StepVerifier.create(source.parallelism(3).blocks(account, SETTINGS, new ReadStats()),
            0)
        .then(() -> {
          long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
          while (account.heldBytes() < 3 * perReader && System.nanoTime() < deadline) {
            Thread.onSpinWait();
          }
        })
        .thenAwait(Duration.ofMillis(200))
        .then(() -> assertThat(account.heldBytes()).as("one block and its chunks per reader")
            .isEqualTo(3 * perReader))
        .thenCancel()
        .verify(Duration.ofSeconds(30));
  }

  @Test
  void shuffledFilesAreReadInAnOrderFixedBySeed() {
    List<Path> files = manyFiles(6);
    ParquetSource plain = ParquetSource.of(List.of(dir.toString()));
    assertThat(plain.files()).isEqualTo(files);
    List<Path> a = plain.shuffleFiles(7).files();
    assertThat(a).isEqualTo(plain.shuffleFiles(7).files()).isNotEqualTo(files)
        .containsExactlyInAnyOrderElementsOf(files);
    List<Long> expected = new ArrayList<>();
    for (Path f : a) {
      long first = files.indexOf(f) * 1500L;
      expected.addAll(range(first, first + 1500));
    }
    assertThat(ids(plain.shuffleFiles(7).blocks(account, SETTINGS, new ReadStats())))
        .isEqualTo(expected);
  }

  @Test
  void includePathsAddsTheFilePathToEveryRow() {
    List<Path> files = manyFiles(2);
    ParquetSource source = ParquetSource.of(List.of(dir.toString())).columns(List.of("id"))
        .includePaths();
    assertThat(source.schema().getFields()).extracting(Field::getName)
        .containsExactly("id", "path");
    List<String> paths = new ArrayList<>();
    source.blocks(account, SETTINGS, new ReadStats()).doOnNext(b -> {
      try (b) {
        assertThat(b.schema()).isEqualTo(source.schema());
        long[] ids = ColumnReader.longs(b, "id");
        String[] p = ColumnReader.strings(b, "path");
        for (int i = 0; i < ids.length; i++) {
          assertThat(p[i]).isEqualTo(files.get((int) (ids[i] / 1500)).toString());
        }
        paths.addAll(List.of(p));
      }
    }).blockLast(Duration.ofSeconds(30));
    assertThat(paths).hasSize(3000);
  }

  @Test
  void overrideNumBlocksCutsTheRowGroupsIntoThatManyBlocks() {
    Path file = fiveGroups();
    for (int n : new int[] {10, 20, 5}) {
      List<Integer> sizes = new ArrayList<>();
      source(file).overrideNumBlocks(n).blocks(account, SETTINGS, new ReadStats())
          .doOnNext(b -> {
            try (b) {
              sizes.add(b.rowCount());
            }
          }).blockLast(Duration.ofSeconds(30));
      assertThat(sizes).as("n=%d", n).hasSize(n)
          .allMatch(s -> s == 5000 / n);
    }
  }

  /** Overwrites the page header at the start of row group {@code group}'s first column chunk. */
  private static void corruptRowGroup(Path file, int group) throws IOException {
    corruptRowGroup(file, group, (byte) 0xEE, 64);
  }

  /** Overwrites {@code length} bytes from row group {@code group}'s first column chunk. */
  private static void corruptRowGroup(Path file, int group, byte junk, int length)
      throws IOException {
    long at;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      at = reader.getFooter().getBlocks().get(group).getColumns().get(0).getStartingPos();
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(at);
      byte[] bytes = new byte[length];
      java.util.Arrays.fill(bytes, junk);
      raf.write(bytes);
    }
  }

  /**
   * A page header of nested Thrift structs without end sends parquet-mr's parser into a stack
   * overflow, which Reactor rethrows as fatal: the read must still fail, typed, holding nothing
   * (it hung, with the row group's chunks still charged).
   */
  @Test
  void aPageHeaderThatOverflowsTheParsersStackFailsTheReadTyped() throws IOException {
    Path file = RowGroupFiles.write(dir.resolve("deep.parquet"), 0, 3, 100_000);
    // 0x5A in Thrift's compact protocol: field delta 5 of type struct, again and again.
    corruptRowGroup(file, 2, (byte) 0x5A, 200_000);
    StepVerifier.create(source(file).blocks(account, SETTINGS, new ReadStats())
            .doOnNext(Block::close))
        .thenConsumeWhile(b -> true)
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(
            CorruptInputException.class, c -> {
              assertThat(c.file()).isEqualTo(file);
              assertThat(c.location()).isEqualTo("row group 2, a page header");
            }).hasMessageContaining("StackOverflowError"))
        .verify(Duration.ofSeconds(30));
  }

  @Test
  void aCorruptRowGroupIsSkippedAndReportedWithinTheErroredBlockAllowance() throws IOException {
    Path file = fiveGroups();
    corruptRowGroup(file, 2);
    ReadStats stats = new ReadStats();
    List<Long> got = ids(source(file).blocks(account, SETTINGS.withMaxErroredBlocks(1), stats));
    List<Long> expected = new ArrayList<>(range(0, 2000));
    expected.addAll(range(3000, 5000));
    assertThat(got).isEqualTo(expected);
    assertThat(stats.erroredBlocks()).singleElement().satisfies(e -> {
      assertThat(e.file()).isEqualTo(file);
      assertThat(e.location()).isEqualTo("row group 2");
    });
  }

  @Test
  void aFileWithAnUnreadableFooterIsSkippedAsOneErroredBlock() throws IOException {
    List<Path> files = manyFiles(2);
    Path bad = dir.resolve("f00b.parquet");
    java.nio.file.Files.writeString(bad, "not parquet at all, not even the magic bytes");
    ReadStats stats = new ReadStats();
    assertThat(ids(ParquetSource.of(List.of(dir.toString()))
        .blocks(account, SETTINGS.withMaxErroredBlocks(1), stats))).isEqualTo(range(0, 3000));
    assertThat(stats.erroredBlocks()).singleElement().satisfies(e -> {
      assertThat(e.file()).isEqualTo(bad);
      assertThat(e.location()).isEqualTo("footer");
    });
    assertThat(files).hasSize(2);
  }

  @Test
  void aCorruptRowGroupFailsTheReadWithoutAllowance() throws IOException {
    Path file = fiveGroups();
    corruptRowGroup(file, 2);
    StepVerifier.create(source(file).parallelism(2).blocks(account, SETTINGS,
            new ReadStats()).doOnNext(Block::close))
        .thenConsumeWhile(b -> true)
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(
            CorruptInputException.class, c -> {
              assertThat(c.file()).isEqualTo(file);
              assertThat(c.location()).isEqualTo("row group 2");
            }).hasMessageContaining("five.parquet"))
        .verify(Duration.ofSeconds(30));
  }

  /**
   * A local file whose row-group reads (opens after the footer's) fail once {@code released}
   * opens, counting into {@code failing} as they do.
   */
  private record FailingLater(LocalInputFile file, java.util.concurrent.CountDownLatch released,
      java.util.concurrent.CountDownLatch failing, AtomicInteger opens) implements InputFile {
    @Override
    public long getLength() throws IOException {
      return file.getLength();
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
      if (opens.incrementAndGet() == 1) {
        return file.newStream();
      }
      try {
        released.await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      failing.countDown();
      throw new IOException("the disk went away");
    }
  }

  @Test
  void filesFailingTheSameWayAtOnceFailTheReadWithOneTypedError() throws InterruptedException {
    List<Path> files = new ArrayList<>();
    for (int f = 0; f < 4; f++) {
      files.add(RowGroupFiles.write(dir.resolve("f" + f + ".parquet"), f * 100L, 1, 100));
    }
    java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch failing = new java.util.concurrent.CountDownLatch(3);
    java.util.Map<Path, AtomicInteger> opens = new java.util.concurrent.ConcurrentHashMap<>();
    ParquetSource source = ParquetSource.of(List.of(dir.toString())).parallelism(4)
        .opener(p -> {
          AtomicInteger n = opens.computeIfAbsent(p, k -> new AtomicInteger());
          return p.equals(files.get(0)) ? new LocalInputFile(p)
              : new FailingLater(new LocalInputFile(p), released, failing, n);
        });
    // The first file's block is being handed on while the three others fail: their errors meet
    // in the merge, which Reactor reports as one composite error.
    StepVerifier.create(source.blocks(account, SETTINGS, new ReadStats()).doOnNext(b -> {
      b.close();
      released.countDown();
      try {
        failing.await(10, java.util.concurrent.TimeUnit.SECONDS);
        Thread.sleep(200); // lets the failures reach the merge while this thread is busy
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }))
        .expectNextCount(1)
        .expectErrorSatisfies(e -> {
          assertThat(e).isInstanceOf(CorruptInputException.class)
              .hasMessageContaining("the disk went away");
          assertThat(files.subList(1, 4)).contains(((CorruptInputException) e).file());
          assertThat(e.getSuppressed()).allSatisfy(other ->
              assertThat(other).isInstanceOf(CorruptInputException.class));
        })
        .verify(Duration.ofSeconds(30));
  }

  /** Thrown by {@link FlakyFile}: an I/O error worth retrying. */
  static final class TransientIoException extends IOException {
    private static final long serialVersionUID = 1L;

    TransientIoException() {
      super("transient: try again");
    }
  }

  /** A local file whose first {@code failures} opens fail with {@link TransientIoException}. */
  private record FlakyFile(LocalInputFile file, AtomicInteger failures, AtomicInteger opens)
      implements InputFile {
    @Override
    public long getLength() throws IOException {
      return file.getLength();
    }

    @Override
    public SeekableInputStream newStream() throws IOException {
      opens.incrementAndGet();
      if (failures.getAndDecrement() > 0) {
        throw new TransientIoException();
      }
      return file.newStream();
    }
  }

  @Test
  void retriedErrorsSucceedAfterBackoffAndOthersFailAtOnce() {
    Path file = fiveGroups();
    RetryPolicy retry = RetryPolicy.none().retrying(List.of(TransientIoException.class))
        .backoff(3, Duration.ofMillis(5), Duration.ofMillis(20));
    AtomicInteger failures = new AtomicInteger(2);
    AtomicInteger opens = new AtomicInteger();
    ParquetSource flaky = source(file).parallelism(1)
        .opener(p -> new FlakyFile(new LocalInputFile(p), failures, opens));
    assertThat(ids(flaky.blocks(account, SETTINGS.withRetry(retry), new ReadStats())))
        .isEqualTo(range(0, 5000));
    assertThat(opens.get()).as("2 failed + footer + 5 row groups").isEqualTo(8);

    failures.set(3);
    StepVerifier.create(flaky.blocks(account, SETTINGS.withRetry(retry), new ReadStats()))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(
            CorruptInputException.class, c -> assertThat(c.location()).isEqualTo("footer"))
            .hasRootCauseInstanceOf(TransientIoException.class))
        .verify(Duration.ofSeconds(30));

    failures.set(1);
    opens.set(0);
    StepVerifier.create(flaky.blocks(account, SETTINGS, new ReadStats()))
        .expectError(CorruptInputException.class)
        .verify(Duration.ofSeconds(30));
    assertThat(opens.get()).as("not retried by default").isEqualTo(1);
  }

  @Test
  void optionsAreValidated() {
    Path file = fiveGroups();
    assertThatThrownBy(() -> source(file).parallelism(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("parallelism");
    assertThatThrownBy(() -> source(file).overrideNumBlocks(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("numBlocks");
  }
}
