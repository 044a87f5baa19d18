package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Block;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * Flat columns written page by page from Arrow buffers read back by DuckDB exactly (nulls, NaN,
 * signed zeros, extremes, empty and non-ASCII strings; several pages, row groups and codecs),
 * with parquet-mr's statistics in the footer.
 */
class FlatParquetFileTest extends ArenaTestSupport {
  /** Three pages, the last one partial. */
  private static final int ROWS = 2 * FlatParquetFile.PAGE_ROWS + 7_001;
  private static final double[] DOUBLES = {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY,
      Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -1.5};
  private static final String[] STRINGS = {"", "a", "é漢🙂", "longer string value"};
  private static final long DAY0 = LocalDate.of(2024, 1, 1).toEpochDay();

  private static boolean isNull(long v, int every) {
    return v % every == every - 1;
  }

  private Block block(int from, int rows) {
    long[] id = new long[rows];
    Double[] f64 = new Double[rows];
    Integer[] i32 = new Integer[rows];
    Float[] f32 = new Float[rows];
    LocalDate[] d = new LocalDate[rows];
    Instant[] ts = new Instant[rows];
    String[] s = new String[rows];
    for (int i = 0; i < rows; i++) {
      long v = from + i;
      id[i] = v == 3 ? Long.MIN_VALUE : v == 4 ? Long.MAX_VALUE : v;
      f64[i] = isNull(v, 3) ? null : DOUBLES[(int) (v % DOUBLES.length)];
      i32[i] = isNull(v, 5) ? null : v == 6 ? Integer.MIN_VALUE : (int) (v * 7);
      f32[i] = isNull(v, 7) ? null : v / 4.0f;
      d[i] = isNull(v, 11) ? null : LocalDate.ofEpochDay(DAY0 + v % 1000);
      ts[i] = isNull(v, 13) ? null : Instant.ofEpochSecond(1_700_000_000L + v, v % 1000 * 1000);
      s[i] = isNull(v, 2) ? null : STRINGS[(int) (v / 2 % STRINGS.length)];
    }
    return BlockBuilder.in(account).column("id", id).column("f64", f64).column("i32", i32)
        .column("f32", f32).column("d", d).column("ts", ts).column("s", s).build();
  }

  private static List<List<Object>> expected(int rows) {
    List<List<Object>> out = new ArrayList<>();
    for (long v = 0; v < rows; v++) {
      out.add(Arrays.asList(v == 3 ? Long.MIN_VALUE : v == 4 ? Long.MAX_VALUE : v,
          isNull(v, 3) ? null : DOUBLES[(int) (v % DOUBLES.length)],
          isNull(v, 5) ? null : v == 6 ? Integer.MIN_VALUE : (int) (v * 7),
          isNull(v, 7) ? null : v / 4.0f,
          isNull(v, 11) ? null : LocalDate.ofEpochDay(DAY0 + v % 1000).toString(),
          isNull(v, 13) ? null : (1_700_000_000L + v) * 1_000_000 + v % 1000,
          isNull(v, 2) ? null : STRINGS[(int) (v / 2 % STRINGS.length)]));
    }
    return out;
  }

  private static List<List<Object>> read(String files) {
    return DuckDbParquet.rows("SELECT id, f64, i32, f32, d::VARCHAR, epoch_us(ts), s"
        + " FROM read_parquet('" + files + "', filename = true, file_row_number = true)"
        + " ORDER BY filename, file_row_number");
  }

  @Test
  void duckDbReadsEveryValueBackAcrossPages() {
    for (CompressionCodecName codec : List.of(CompressionCodecName.SNAPPY,
        CompressionCodecName.ZSTD, CompressionCodecName.UNCOMPRESSED)) {
      Path out = dir.resolve(codec.name());
      WriteSummary summary = ParquetSink.to(out).compression(codec).writers(1)
          .write(Flux.defer(() -> Flux.just(block(0, 10_000), block(10_000, ROWS - 10_000))))
          .block();

      assertThat(summary.files()).hasSize(1);
      assertThat(read(out + "/*.parquet")).as(codec.name()).isEqualTo(expected(ROWS));
    }
  }

  @Test
  void rowGroupsCloseAtTheirSizeWithParquetMrStatistics() throws Exception {
    Path file = dir.resolve("groups.parquet");
    FlatParquetFile out = null;
    try (Block first = block(0, 30_000); Block second = block(30_000, ROWS - 30_000)) {
      out = new FlatParquetFile(file, first.schema(), CompressionCodecName.SNAPPY, () -> 100_000,
          account.heapCharge());
      out.write(first);
      out.write(second);
    } finally {
      if (out != null) {
        out.close();
      }
    }

    assertThat(read(file.toString())).isEqualTo(expected(ROWS));
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      List<BlockMetaData> groups = reader.getFooter().getBlocks();
      assertThat(groups).hasSizeGreaterThan(1);
      assertThat(groups.stream().mapToLong(BlockMetaData::getRowCount).sum()).isEqualTo(ROWS);
      Statistics<?> id = groups.get(0).getColumns().get(0).getStatistics();
      assertThat(id.genericGetMin()).isEqualTo(Long.MIN_VALUE);
      assertThat(id.genericGetMax()).isEqualTo(Long.MAX_VALUE);
      long rows = groups.get(0).getRowCount();
      // Doubles: bounds without NaN (which every page holds), as parquet-mr counts them.
      Statistics<?> f64 = groups.get(0).getColumns().get(1).getStatistics();
      assertThat(f64.genericGetMin()).isEqualTo(Double.NEGATIVE_INFINITY);
      assertThat(f64.genericGetMax()).isEqualTo(Double.POSITIVE_INFINITY);
      assertThat(f64.getNumNulls()).isEqualTo((rows + 1) / 3);
      Statistics<?> s = groups.get(0).getColumns().get(6).getStatistics();
      assertThat(s.getNumNulls()).isEqualTo(rows / 2);
      assertThat(reader.getFooter().getFileMetaData().getKeyValueMetaData())
          .containsKey(ParquetSchemas.ARROW_SCHEMA_KEY);
    }
  }

  @Test
  void doubleStatisticsAreParquetMrsValueByValue() throws Exception {
    Double[][] cases = {{0.0, -0.0, null}, {-0.0}, {0.0}, {Double.NaN, null}, {Double.NaN, 2.5,
        -1.0, Double.NaN}, {null, null}, {Double.NEGATIVE_INFINITY, 0.0, Double.MIN_VALUE}};
    for (Double[] values : cases) {
      Path file = dir.resolve("stats-" + java.util.UUID.randomUUID() + ".parquet");
      FlatParquetFile out = null;
      try (Block b = BlockBuilder.in(account).column("f", values).build()) {
        out = new FlatParquetFile(file, b.schema(), CompressionCodecName.SNAPPY, () -> 1 << 20,
            account.heapCharge());
        out.write(b);
      } finally {
        if (out != null) {
          out.close();
        }
      }
      Statistics<?> want = Statistics.createStats(ParquetSchemas.toParquet(
          new org.apache.arrow.vector.types.pojo.Schema(List.of(
              org.apache.arrow.vector.types.pojo.Field.nullable("f",
                  new org.apache.arrow.vector.types.pojo.ArrowType.FloatingPoint(
                      org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE)))))
          .getColumns().get(0).getPrimitiveType());
      for (Double v : values) {
        if (v == null) {
          want.incrementNumNulls();
        } else {
          want.updateStats(v);
        }
      }
      try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
        Statistics<?> got = reader.getFooter().getBlocks().get(0).getColumns().get(0)
            .getStatistics();
        assertThat(got.hasNonNullValue()).as(Arrays.toString(values))
            .isEqualTo(want.hasNonNullValue());
        if (want.hasNonNullValue()) {
          assertThat(got.genericGetMin()).as(Arrays.toString(values))
              .isEqualTo(want.genericGetMin());
          assertThat(got.genericGetMax()).as(Arrays.toString(values))
              .isEqualTo(want.genericGetMax());
        }
        assertThat(got.getNumNulls()).isEqualTo(want.getNumNulls());
      }
    }
  }

  @Test
  void stringsAreDictionaryEncodedUntilTheDictionaryGrowsTooLarge() throws Exception {
    // Distinct strings of ~30 bytes: the 1 MiB dictionary fills within the first 40,000 rows.
    int rows = 60_000;
    String[] s = new String[rows];
    long[] id = new long[rows];
    for (int i = 0; i < rows; i++) {
      id[i] = i;
      s[i] = i % 3 == 0 ? null : "distinct value number " + i * 7_919L;
    }
    Path out = dir.resolve("strings");
    ParquetSink.to(out).writers(1).write(Flux.defer(() -> Flux.just(
        BlockBuilder.in(account).column("id", id).column("s", s).build()))).block();

    List<List<Object>> expected = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      expected.add(Arrays.asList((long) i, s[i]));
    }
    assertThat(DuckDbParquet.rows("SELECT id, s FROM read_parquet('" + out + "/*.parquet',"
        + " file_row_number = true) ORDER BY file_row_number")).isEqualTo(expected);
    Path file;
    try (var files = java.nio.file.Files.list(out)) {
      file = files.findFirst().orElseThrow();
    }
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      var columns = reader.getFooter().getBlocks().get(0).getColumns();
      // Written page by page here: parquet-mr's record writer would dictionary-encode ids too.
      assertThat(columns.get(0).getEncodings())
          .doesNotContain(org.apache.parquet.column.Encoding.PLAIN_DICTIONARY);
      assertThat(columns.get(1).getEncodings()).contains(
          org.apache.parquet.column.Encoding.PLAIN_DICTIONARY,
          org.apache.parquet.column.Encoding.PLAIN);
      // Dictionary and PLAIN pages alike: the chunk's bounds are the values', though the page
      // buffer they were encoded in was reused for later pages.
      List<String> values = Arrays.stream(s).filter(java.util.Objects::nonNull).sorted().toList();
      Statistics<?> stats = columns.get(1).getStatistics();
      assertThat(stats.minAsString()).isEqualTo(values.get(0));
      assertThat(stats.maxAsString()).isEqualTo(values.get(values.size() - 1));
      assertThat(stats.getNumNulls()).isEqualTo(rows / 3);
    }
    // parquet-mr's own reader too: ids are one bit-packed run of many groups per page.
    List<String> back = new ArrayList<>();
    try (var reader = new ParquetTest.GroupReaderBuilder(file).build()) {
      for (var g = reader.read(); g != null; g = reader.read()) {
        back.add(g.getFieldRepetitionCount("s") == 0 ? null : g.getString("s", 0));
      }
    }
    assertThat(back).containsExactly(s);
  }

  @Test
  void ourOwnReaderReadsItBack() {
    Path out = dir.resolve("own");
    ParquetSink.to(out).writers(1).write(Flux.defer(() -> Flux.just(block(0, ROWS)))).block();

    List<Object[][]> back = contentsOf(ParquetSource.of(List.of(out.toString()))
        .blocks(account, dev.tributary.memory.Bytes.MiB));
    List<Object[][]> written = new ArrayList<>();
    try (Block b = block(0, ROWS)) {
      written.add(contents(b));
    }
    assertThat(back.stream().mapToInt(b -> b[0].length).sum()).isEqualTo(ROWS);
    for (int c = 0; c < 7; c++) {
      List<Object> column = new ArrayList<>();
      for (Object[][] b : back) {
        column.addAll(Arrays.asList(b[c]));
      }
      assertThat(column).as("column " + c).containsExactly(written.get(0)[c]);
    }
  }
}
