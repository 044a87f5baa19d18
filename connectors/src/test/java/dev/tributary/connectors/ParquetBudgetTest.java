package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/** Parquet reads inside their memory: blocks cut by decoded size, read-ahead within budget. */
class ParquetBudgetTest extends ArenaTestSupport {
  private static final MessageType TAGGED = MessageTypeParser.parseMessageType(
      "message t { required int64 id; required binary tag (STRING); }");

  /**
   * {@code rows} rows in one row group: id, and a 48-character tag out of 16, which the writer
   * dictionary-encodes: half a byte a row in Parquet, 52 in Arrow.
   */
  private Path tagged(int rows) {
    Path file = dir.resolve("tagged.parquet");
    SimpleGroupFactory factory = new SimpleGroupFactory(TAGGED);
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withConf(new PlainParquetConfiguration()).withType(TAGGED).build()) {
      for (long id = 0; id < rows; id++) {
        writer.write(factory.newGroup().append("id", id)
            .append("tag", ("tag-" + id % 16 + "-").repeat(8).substring(0, 48)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  @Test
  void blocksAreCutByTheirDecodedSizeNotByParquets() throws IOException {
    Path file = tagged(200_000);
    long maxBlock = Bytes.MiB;
    BlockMetaData group;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      group = reader.getFooter().getBlocks().get(0);
    }
    List<Long> sizes = new ArrayList<>();
    List<Long> ids = new ArrayList<>();
    ParquetSource.of(List.of(file.toString())).blocks(account, maxBlock)
        .doOnNext(b -> {
          try (b) {
            sizes.add(b.sizeBytes());
            for (long id : ColumnReader.longs(b, "id")) {
              ids.add(id);
            }
          }
        }).blockLast(Duration.ofSeconds(30));
    long decoded = sizes.stream().mapToLong(Long::longValue).sum();
    assertThat(decoded).as("decoded is far larger than Parquet's own size")
        .isGreaterThan(4 * group.getTotalByteSize());
    // A few KiB over is the allocator's rounding (1 KiB segments per buffer).
    assertThat(sizes).allMatch(s -> s <= maxBlock + 4 * Bytes.KiB, "each block within 1 MiB");
    assertThat(sizes).hasSizeGreaterThanOrEqualTo((int) (decoded / maxBlock));
    assertThat(ids).isEqualTo(LongStream.range(0, 200_000).boxed().toList());
  }

  /**
   * A row group's column chunks are read whole onto the heap before its first block is decoded:
   * they are charged to the source's account until its last page is decoded.
   */
  @Test
  void aRowGroupsChunksAreChargedWhileItIsRead() throws IOException {
    Path file = dir.resolve("doubles.parquet");
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    double[] x = new double[1 << 20];
    for (int i = 0; i < x.length; i++) {
      x[i] = random.nextDouble();
    }
    try (Block b = dev.tributary.columnar.BlockBuilder.in(account).column("x", x).build()) {
      ParquetSink.to(dir.resolve("out")).writers(1).write(
          reactor.core.publisher.Flux.just(b.retain())).block();
    }
    try (var files = java.nio.file.Files.list(dir.resolve("out"))) {
      java.nio.file.Files.move(files.findFirst().orElseThrow(), file);
    }
    long chunk;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      assertThat(reader.getFooter().getBlocks()).hasSize(1);
      chunk = reader.getFooter().getBlocks().get(0).getCompressedSize();
    }
    arena.resetPeak();
    double[] sum = {0};
    ParquetSource.of(List.of(file.toString())).blocks(account, Bytes.MiB)
        .doOnNext(b -> {
          try (b) {
            for (double v : ColumnReader.doubles(b, "x")) {
              sum[0] += v;
            }
          }
        }).blockLast(Duration.ofSeconds(30));
    assertThat(chunk).isGreaterThan(7 * Bytes.MiB);
    // One block of 1 MiB at a time, plus the 8 MiB chunk it is decoded from.
    assertThat(arena.peakBytes()).isGreaterThanOrEqualTo(chunk);
    assertThat(sum[0]).isEqualTo(java.util.Arrays.stream(x).sum(),
        org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void parallelReadersDecodeAheadOnlyAsFarAsTheSourcesBudgetAllows() {
    Path file = RowGroupFiles.write(dir.resolve("groups.parquet"), 0, 24, 4000);
    ParquetSource source = ParquetSource.of(List.of(file.toString())).parallelism(4);
    long block;
    try (Block first = source.blocks(account, 128 * Bytes.MiB).blockFirst()) {
      block = first.sizeBytes();
    }
    Account reads = arena.openAccount("reads", block * 3 / 2);
    Account consumer = arena.openAccount("consumer");
    List<Long> ids = new ArrayList<>();
    source.blocks(reads, 128 * Bytes.MiB)
        .map(b -> b.transferTo(consumer))
        .publishOn(Schedulers.boundedElastic(), 1)
        .doOnNext(b -> {
          try (b) {
            for (long id : ColumnReader.longs(b, "id")) {
              ids.add(id);
            }
            Thread.sleep(2); // a slow consumer: readers would all run ahead
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }).blockLast(Duration.ofSeconds(60));
    assertThat(ids).isEqualTo(LongStream.range(0, 24 * 4000).boxed().toList());
    // Four readers a block ahead would hold four blocks; within 1.5 blocks of budget, the first
    // reader plus one more may.
    assertThat(reads.peakBytes()).isLessThanOrEqualTo(reads.budgetBytes() + block);
  }
}
