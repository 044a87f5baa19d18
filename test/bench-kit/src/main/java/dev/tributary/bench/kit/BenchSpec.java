package dev.tributary.bench.kit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's data and workload parameters, read from {@code peers.*} system properties so
 * that the driver hands every runner JVM the same values.
 *
 * @param scale the scale's name ({@code small}, {@code medium}, {@code large})
 * @param rows rows generated across all files
 * @param files Parquet files the rows are spread over
 * @param rowGroupRows rows per Parquet row group
 * @param keyCardinality distinct values of column {@code key} ({@code 0..keyCardinality-1})
 * @param keyThreshold W2 sums {@code x} where {@code key < keyThreshold}
 * @param seed the generator's and the shuffle's seed
 * @param warmups unmeasured runs before the measured ones
 * @param runs measured runs; the median is reported
 * @param shuffleBufferRows W4's local shuffle buffer, in rows
 * @param w3LimitMiB W3's memory limit
 * @param w3Factor W3's source size as a multiple of the limit
 * @param w3SinkMicros W3's slow sink: delay per block
 * @param dataDir where the generated files live
 * @param workDir where runs write their outputs
 */
public record BenchSpec(String scale, long rows, int files, int rowGroupRows, int keyCardinality,
    int keyThreshold, long seed, int warmups, int runs, int shuffleBufferRows, int w3LimitMiB,
    int w3Factor, int w3SinkMicros, Path dataDir, Path workDir) {

  /** Columns every workload reads, the same projection in every system. */
  public static final List<String> ETL_COLUMNS = List.of("id", "key", "x", "y", "tag");
  /** Columns W2 reads. */
  public static final List<String> SCAN_COLUMNS = List.of("key", "x");
  /** Columns W4 feeds to the consumer (it sums {@code x}). */
  public static final List<String> FEED_COLUMNS = List.of("id", "key", "x", "y");
  /** Columns of the issue #5 read/write benchmark: int64, float64, short utf8, timestamp. */
  public static final List<String> IO_COLUMNS = List.of("id", "x", "tag", "ts");
  /** W4's batch size. */
  public static final int FEED_BATCH_ROWS = 1024;

  /** The spec for {@code -Dpeers.scale} (default small), each field overridable by property. */
  public static BenchSpec fromSystemProperties() {
    String scale = System.getProperty("peers.scale", "small").toLowerCase(Locale.ROOT);
    long rows;
    int w3Limit;
    switch (scale) {
      case "small" -> {
        rows = 2_000_000L;
        w3Limit = 32;
      }
      case "medium" -> {
        rows = 10_000_000L;
        w3Limit = 64;
      }
      case "large" -> {
        rows = 50_000_000L;
        w3Limit = 256;
      }
      default -> throw new IllegalArgumentException(
          "peers.scale must be small, medium or large, was " + scale);
    }
    Path out = Path.of(System.getProperty("peers.out", "target/bench")).toAbsolutePath();
    int cardinality = Integer.getInteger("peers.keyCardinality", 1000);
    return new BenchSpec(scale,
        Long.getLong("peers.rows", rows),
        Integer.getInteger("peers.files", 4),
        Integer.getInteger("peers.rowGroupRows", 1_000_000),
        cardinality,
        Integer.getInteger("peers.keyThreshold", cardinality / 2),
        Long.getLong("peers.seed", 42L),
        Integer.getInteger("peers.warmups", 1),
        Integer.getInteger("peers.runs", 3),
        Integer.getInteger("peers.shuffleBufferRows", 16_384),
        Integer.getInteger("peers.w3LimitMiB", w3Limit),
        Integer.getInteger("peers.w3Factor", 20),
        Integer.getInteger("peers.w3SinkMicros", 500),
        Path.of(System.getProperty("peers.data", out.resolve("data-" + scale).toString()))
            .toAbsolutePath(),
        out.resolve("work"));
  }

  /** The {@code -D} arguments that recreate this spec in another JVM. */
  public List<String> toJvmArgs() {
    List<String> args = new ArrayList<>();
    args.add("-Dpeers.scale=" + scale);
    args.add("-Dpeers.rows=" + rows);
    args.add("-Dpeers.files=" + files);
    args.add("-Dpeers.rowGroupRows=" + rowGroupRows);
    args.add("-Dpeers.keyCardinality=" + keyCardinality);
    args.add("-Dpeers.keyThreshold=" + keyThreshold);
    args.add("-Dpeers.seed=" + seed);
    args.add("-Dpeers.warmups=" + warmups);
    args.add("-Dpeers.runs=" + runs);
    args.add("-Dpeers.shuffleBufferRows=" + shuffleBufferRows);
    args.add("-Dpeers.w3LimitMiB=" + w3LimitMiB);
    args.add("-Dpeers.w3Factor=" + w3Factor);
    args.add("-Dpeers.w3SinkMicros=" + w3SinkMicros);
    args.add("-Dpeers.data=" + dataDir);
    args.add("-Dpeers.out=" + workDir.getParent());
    return args;
  }

  /** The generated Parquet files, in order. */
  public List<Path> dataFiles() {
    List<Path> paths = new ArrayList<>();
    for (int f = 0; f < files; f++) {
      paths.add(dataDir.resolve(String.format(Locale.ROOT, "part-%02d.parquet", f)));
    }
    return paths;
  }

  /** The generated files as strings, for APIs that take paths as text. */
  public List<String> dataPaths() {
    return dataFiles().stream().map(Path::toString).toList();
  }

  /** A fresh output directory for one run of {@code workload} by {@code system}. */
  public Path outputDir(String system, String workload) {
    return workDir.resolve(system + "-" + workload.replaceAll("[^A-Za-z0-9]+", "_"));
  }
}
