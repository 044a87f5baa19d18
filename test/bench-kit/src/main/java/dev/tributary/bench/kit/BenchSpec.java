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
 * @param wideKeys distinct values of the variant's column {@code g} (W6 groups by it): 1M, at
 *     most a tenth of the rows
 * @param dimRows rows of W8's dimension table (a tenth of the rows)
 * @param limitsMiB the memory limits W3g, W6, W7 and W8 run at, each system in its own JVM
 */
public record BenchSpec(String scale, long rows, int files, int rowGroupRows, int keyCardinality,
    int keyThreshold, long seed, int warmups, int runs, int shuffleBufferRows, int w3LimitMiB,
    int w3Factor, int w3SinkMicros, Path dataDir, Path workDir, int wideKeys, long dimRows,
    List<Integer> limitsMiB) {

  /** Columns every workload reads, the same projection in every system. */
  public static final List<String> ETL_COLUMNS = List.of("id", "key", "x", "y", "tag");
  /** Columns W2 reads. */
  public static final List<String> SCAN_COLUMNS = List.of("key", "x");
  /** Columns W4 feeds to the consumer (it sums {@code x}). */
  public static final List<String> FEED_COLUMNS = List.of("id", "key", "x", "y");
  /** Columns of the issue #5 read/write benchmark: int64, float64, short utf8, timestamp. */
  public static final List<String> IO_COLUMNS = List.of("id", "x", "tag", "ts");
  /** Columns W7 sorts by (x, id) and writes. */
  public static final List<String> SORT_COLUMNS = ETL_COLUMNS;
  /** The all-to-all workloads (issue 12), each run at every limit of {@link #limitsMiB}. */
  public static final List<String> ALL_TO_ALL = List.of("W3g", "W6", "W7", "W8");
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
    long n = Long.getLong("peers.rows", rows);
    List<Integer> limits = new ArrayList<>();
    for (String l : System.getProperty("peers.limitsMiB", "256,4096").split(",")) {
      if (!l.isBlank()) {
        limits.add(Integer.parseInt(l.trim()));
      }
    }
    return new BenchSpec(scale,
        n,
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
        out.resolve("work"),
        Integer.getInteger("peers.wideKeys", (int) Math.max(1, Math.min(1_000_000, n / 10))),
        Long.getLong("peers.dimRows", Math.max(1, n / 10)),
        List.copyOf(limits));
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
    args.add("-Dpeers.wideKeys=" + wideKeys);
    args.add("-Dpeers.dimRows=" + dimRows);
    args.add("-Dpeers.limitsMiB=" + String.join(",", limitsMiB.stream().map(String::valueOf)
        .toList()));
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

  /**
   * The same rows as DuckDB writes them, as users have their data: every column OPTIONAL,
   * dictionary-encoded strings, several row groups per file, plus int64 {@code g} (W6's key, of
   * {@link #wideKeys} values).
   */
  public List<Path> variantFiles() {
    List<Path> paths = new ArrayList<>();
    for (Path p : dataFiles()) {
      paths.add(dataDir.resolve("optional").resolve(p.getFileName()));
    }
    return paths;
  }

  /** {@link #variantFiles()} as strings. */
  public List<String> variantPaths() {
    return variantFiles().stream().map(Path::toString).toList();
  }

  /**
   * W8's dimension table, written by DuckDB: {@link #dimRows} rows of (int64 {@code id}, one in
   * ten of the data's ids; float64 {@code w}).
   */
  public Path dimFile() {
    return dataDir.resolve("dim").resolve("part-00.parquet");
  }

  /** A limit as the report names it: {@code 256MiB}, {@code 4GiB}. */
  public static String limitLabel(int mib) {
    return mib % 1024 == 0 ? (mib / 1024) + "GiB" : mib + "MiB";
  }

  /** The name of an all-to-all workload at a limit: {@code W6@256MiB}. */
  public static String atLimit(String workload, int mib) {
    return workload + "@" + limitLabel(mib);
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
