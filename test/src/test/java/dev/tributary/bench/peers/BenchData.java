package dev.tributary.bench.peers;

import dev.tributary.bench.kit.BenchSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * The deterministic benchmark data: {@code rows} rows of (int64 id, int32 key of a chosen
 * cardinality, float64 x, float64 y, short utf8 tag, timestamp in microseconds) in a few SNAPPY
 * Parquet files, written with parquet-mr directly so that no system under test is favoured.
 *
 * <p>Seeded: the same spec always gives the same values. A {@code _SPEC} file next to the data
 * records the spec, so a second run with the same spec reuses the files.
 *
 * <p>Then the same rows as users have them ({@link BenchSpec#variantFiles()}), copied by DuckDB
 * (every column OPTIONAL, dictionary-encoded strings, about four row groups per file) with W6's
 * key {@code g} added, and W8's dimension table ({@link BenchSpec#dimFile()}).
 */
public final class BenchData {
  /** The files' Parquet schema. */
  public static final MessageType SCHEMA = Types.buildMessage()
      .required(PrimitiveTypeName.INT64).named("id")
      .required(PrimitiveTypeName.INT32).named("key")
      .required(PrimitiveTypeName.DOUBLE).named("x")
      .required(PrimitiveTypeName.DOUBLE).named("y")
      .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("tag")
      .required(PrimitiveTypeName.INT64)
      .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
      .named("ts")
      .named("bench");

  private static final String[] TAGS = new String[64];
  private static final long EPOCH_MICROS = 1_767_225_600_000_000L; // 2026-01-01T00:00:00Z

  static {
    for (int i = 0; i < TAGS.length; i++) {
      TAGS[i] = "tag-" + Integer.toString(i * 7919, 36);
    }
  }

  private BenchData() {}

  /** Generates the data of {@code -Dpeers.scale} unless it is there already. */
  public static void main(String[] args) throws IOException {
    ensure(BenchSpec.fromSystemProperties());
  }

  /** Writes the spec's files unless files for the same spec exist; returns them. */
  public static List<Path> ensure(BenchSpec spec) throws IOException {
    Path marker = spec.dataDir().resolve("_SPEC");
    String description = String.format(Locale.ROOT,
        "rows=%d files=%d rowGroupRows=%d keyCardinality=%d seed=%d%n", spec.rows(), spec.files(),
        spec.rowGroupRows(), spec.keyCardinality(), spec.seed());
    if (Files.exists(marker) && Files.readString(marker).equals(description)) {
      System.out.println("[data] reusing " + spec.dataDir());
      ensureVariant(spec);
      return spec.dataFiles();
    }
    Files.createDirectories(spec.dataDir());
    Files.deleteIfExists(marker);
    long t0 = System.nanoTime();
    List<Path> files = spec.dataFiles();
    for (int f = 0; f < files.size(); f++) {
      long start = spec.rows() * f / files.size();
      long end = spec.rows() * (f + 1) / files.size();
      write(files.get(f), start, end, spec, new SplittableRandom(spec.seed() * 31 + f));
    }
    Files.writeString(marker, description);
    long bytes = 0;
    for (Path p : files) {
      bytes += Files.size(p);
    }
    System.out.printf(Locale.ROOT, "[data] %d rows in %d files (%.1f MB) in %.1f s at %s%n",
        spec.rows(), files.size(), bytes / 1e6, (System.nanoTime() - t0) / 1e9, spec.dataDir());
    ensureVariant(spec);
    return files;
  }

  /**
   * Writes the DuckDB-written copy and W8's dimension table unless they exist for the same spec.
   * Integer arithmetic only, so every DuckDB version writes the same values.
   */
  static void ensureVariant(BenchSpec spec) throws IOException {
    Path dir = spec.variantFiles().get(0).getParent();
    Path marker = dir.resolve("_SPEC");
    String description = String.format(Locale.ROOT, "%s wideKeys=%d dimRows=%d%n",
        Files.readString(spec.dataDir().resolve("_SPEC")).trim(), spec.wideKeys(), spec.dimRows());
    if (Files.exists(marker) && Files.readString(marker).equals(description)) {
      return;
    }
    long t0 = System.nanoTime();
    Files.createDirectories(dir);
    Files.createDirectories(spec.dimFile().getParent());
    Files.deleteIfExists(marker);
    long rowsPerFile = (spec.rows() + spec.files() - 1) / spec.files();
    long rowGroup = Math.max(2048, Math.min(spec.rowGroupRows(), (rowsPerFile + 3) / 4));
    try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = db.createStatement()) {
      st.execute("SET threads = 2");
      st.execute("SET preserve_insertion_order = true");
      for (int f = 0; f < spec.files(); f++) {
        // g: a multiplicative hash of id (an odd multiplier prime to 10^k), all wideKeys values.
        st.execute("COPY (SELECT id, key, x, y, tag, ts, (id * 2654435761) % " + spec.wideKeys()
            + " AS g FROM read_parquet('" + spec.dataFiles().get(f) + "')) TO '"
            + spec.variantFiles().get(f) + "' (FORMAT PARQUET, COMPRESSION SNAPPY, ROW_GROUP_SIZE "
            + rowGroup + ")");
      }
      // One id in ten (j * 10 + j % 10 < rows), so a tenth of the data's rows find a match.
      st.execute("COPY (SELECT range * 10 + range % 10 AS id, CAST(range * 37 % 1000 AS DOUBLE)"
          + " / 100 AS w FROM range(" + spec.dimRows() + ")) TO '" + spec.dimFile()
          + "' (FORMAT PARQUET, COMPRESSION SNAPPY)");
    } catch (SQLException e) {
      throw new IOException("DuckDB could not write the benchmark's variant data", e);
    }
    Files.writeString(marker, description);
    System.out.printf(Locale.ROOT,
        "[data] DuckDB-written copy (OPTIONAL columns, %d-row groups) and %d-row dimension"
            + " table in %.1f s%n", rowGroup, spec.dimRows(), (System.nanoTime() - t0) / 1e9);
  }

  private static void write(Path file, long start, long end, BenchSpec spec,
      SplittableRandom random) throws IOException {
    SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
    // Row groups by row count: about rowGroupRows rows each (bytes estimated from the schema).
    long rowGroupBytes = (long) spec.rowGroupRows() * 40;
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withType(SCHEMA)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withRowGroupSize(rowGroupBytes)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .build()) {
      for (long id = start; id < end; id++) {
        Group g = groups.newGroup()
            .append("id", id)
            .append("key", random.nextInt(spec.keyCardinality()))
            .append("x", random.nextGaussian())
            .append("y", random.nextGaussian())
            .append("tag", TAGS[random.nextInt(TAGS.length)])
            .append("ts", EPOCH_MICROS + id * 1000 + random.nextInt(1000));
        writer.write(g);
      }
    }
  }
}
