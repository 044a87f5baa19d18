package dev.tributary.it;

import static org.apache.parquet.filter2.predicate.FilterApi.and;
import static org.apache.parquet.filter2.predicate.FilterApi.gtEq;
import static org.apache.parquet.filter2.predicate.FilterApi.longColumn;
import static org.apache.parquet.filter2.predicate.FilterApi.lt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.DataContext;
import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.connectors.CorruptInputException;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.ParquetSource;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.operators.SourceReads;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parquet reads through the Dataset API: pushdown and bytes read in the stats, counts of filtered
 * sources, parallel ordered reads, and the errored-block allowance from the DataContext.
 */
class ParquetReadTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("parquet-read-it")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();
  private final DataContext context = DataContext.defaults();

  @TempDir Path dir;
  private List<Path> files;

  /** Five files of one row group each: ids 0..4999, file k holds k*1000..k*1000+999. */
  @BeforeEach
  void writeFiles() {
    Tributary.range(5000, 5).withRuntime(runtime)
        .withColumn("x", r -> (Long) r.get("id") / 2.0)
        .withColumn("s", r -> "s" + r.get("id"))
        .writeParquet(ParquetSink.to(dir).rowsPerFile(1000));
    files = ParquetSource.of(List.of(dir.toString())).files();
  }

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  private static SourceReads reads(Dataset ds) {
    return ds.stats().operator("ReadParquet").reads();
  }

  private static List<Long> ids(Dataset ds) {
    return ds.takeAll().stream().map(r -> (Long) r.get("id")).toList();
  }

  @Test
  void aFilteredSourceCountsTheMatchingRowsAndSkipsRowGroupsByStatistics() {
    Dataset ds = Tributary.readParquet(ParquetSource.of(List.of(dir.toString()))
            .filter(and(gtEq(longColumn("id"), 1500L), lt(longColumn("id"), 1700L))))
        .withRuntime(runtime);
    assertThat(ds.count()).as("counted from rows, not footers").isEqualTo(200);
    assertThat(reads(ds).fragmentsRead()).isEqualTo(1);
    assertThat(reads(ds).fragmentsSkipped()).isEqualTo(4);
    assertThat(ds.stats().toString()).contains("1 fragments (4 skipped by pushdown");
    assertThat(ids(ds)).isEqualTo(LongStream.range(1500, 1700).boxed().toList());
  }

  @Test
  void projectionReadsFewerBytesAndTheStatsShowIt() {
    Dataset all = Tributary.readParquet(dir.toString()).withRuntime(runtime);
    Dataset one = Tributary.readParquet(ParquetSource.of(List.of(dir.toString()))
        .columns(List.of("id"))).withRuntime(runtime);
    all.takeAll();
    one.takeAll();
    assertThat(reads(all).fragmentsRead()).isEqualTo(5);
    assertThat(reads(one).bytesRead()).isPositive().isLessThan(reads(all).bytesRead() / 2);
  }

  @Test
  void parallelReadsKeepOrderUnlessTheContextDropsIt() {
    ParquetSource source = ParquetSource.of(List.of(dir.toString())).parallelism(4);
    List<Long> expected = LongStream.range(0, 5000).boxed().toList();
    assertThat(ids(Tributary.readParquet(source).withRuntime(runtime))).isEqualTo(expected);
    assertThat(ids(Tributary.readParquet(source)
        .withContext(context.withPreserveOrder(false)).withRuntime(runtime)))
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(Tributary.readParquet(source).withRuntime(runtime).take(3))
        .extracting(r -> r.get("id")).containsExactly(0L, 1L, 2L);
  }

  @Test
  void fileOptionsComposeThroughTheDatasetApi() {
    Dataset ds = Tributary.readParquet(ParquetSource.of(List.of(dir.toString()))
            .columns(List.of("id")).shuffleFiles(3).includePaths().overrideNumBlocks(10))
        .withRuntime(runtime);
    List<Map<String, Object>> rows = ds.takeAll();
    assertThat(rows).hasSize(5000);
    assertThat(rows).allSatisfy(r -> assertThat(r.get("path"))
        .isEqualTo(files.get((int) ((Long) r.get("id") / 1000)).toString()));
    assertThat(ds.stats().operator("ReadParquet").blocksOut()).isEqualTo(10);
    assertThat(ds.schema().getFields()).extracting(f -> f.getName())
        .containsExactly("id", "path");
  }

  @Test
  void smallRowGroupsAreCoalescedUnlessTheBlockCountIsFixed() {
    // Five row groups of about 30 KiB decoded, far below the 1 MiB target minimum.
    Dataset coalesced = Tributary.readParquet(dir.toString()).withContext(context);
    assertThat(ids(coalesced)).isEqualTo(LongStream.range(0, 5000).boxed().toList());
    assertThat(coalesced.stats().operator("ReadParquet").blocksOut()).isEqualTo(5);
    assertThat(coalesced.stats().operator("Output").blocksOut()).isEqualTo(1);

    Dataset fixed = Tributary.readParquet(ParquetSource.of(List.of(dir.toString()))
        .overrideNumBlocks(5)).withContext(context);
    assertThat(ids(fixed)).isEqualTo(LongStream.range(0, 5000).boxed().toList());
    assertThat(fixed.stats().operator("Output").blocksOut()).isEqualTo(5);
  }

  /** Overwrites the first column chunk's page header of {@code file}'s only row group. */
  private static void corrupt(Path file) throws IOException {
    long at;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      at = reader.getFooter().getBlocks().get(0).getColumns().get(0).getStartingPos();
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      byte[] junk = new byte[64];
      Arrays.fill(junk, (byte) 0xEE);
      raf.seek(at);
      raf.write(junk);
    }
  }

  @Test
  void theContextsErroredBlockAllowanceSkipsAndReportsAnUnreadableRowGroup() throws IOException {
    corrupt(files.get(2));
    Dataset lenient = Tributary.readParquet(dir.toString())
        .withContext(context.withMaxErroredBlocks(1)).withRuntime(runtime);
    assertThat(ids(lenient)).hasSize(4000).doesNotContain(2000L, 2999L);
    assertThat(reads(lenient).erroredBlocks()).singleElement().asString()
        .contains(files.get(2).toString()).contains("row group 0");

    Dataset strict = Tributary.readParquet(dir.toString()).withRuntime(runtime);
    assertThatThrownBy(strict::takeAll)
        .isInstanceOfSatisfying(CorruptInputException.class, e -> {
          assertThat(e.file()).isEqualTo(files.get(2));
          assertThat(e.location()).isEqualTo("row group 0");
        });
  }

  @Test
  void aCountWithAnErroredBlockAllowanceIsTheNumberOfRowsARead() throws IOException {
    corrupt(files.get(2));
    java.nio.file.Files.writeString(dir.resolve("z-not.parquet"), "no footer here at all");
    Dataset lenient = Tributary.readParquet(dir.toString())
        .withContext(context.withMaxErroredBlocks(2)).withRuntime(runtime);
    assertThat(lenient.schema().getFields()).extracting(f -> f.getName())
        .containsExactly("id", "x", "s");
    assertThat(lenient.count()).isEqualTo(lenient.takeAll().size()).isEqualTo(4000);
    assertThat(reads(lenient).erroredBlocks()).hasSize(2);
  }

}
