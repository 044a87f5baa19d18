package dev.tributary.bench;

import dev.tributary.connectors.ParquetSource;
import dev.tributary.connectors.ReadSettings;
import dev.tributary.connectors.ReadStats;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.DummyRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.schema.MessageType;

/**
 * W4-style raw scan (every column decoded, nothing computed) of a file as DuckDB writes it: every
 * column OPTIONAL, a dictionary-encoded string, several row groups, some nulls. Three readers in
 * the same run, each with one reading thread: Tributary with the page decoder (the default),
 * Tributary with parquet-mr's column reader ({@code withVectorizedParquet(false)}), and the raw
 * parquet-mr {@code ColumnReader} loop into Arrow vectors (no Reactor, arena or governor).
 *
 * <p>Run with {@code mvn -B -q -Pbench -DskipTests verify -pl test -am
 * -Dbench.main=dev.tributary.bench.ParquetDecodeBench -Dpeers.args=-Ddecode.rows=2000000}.
 */
public final class ParquetDecodeBench {
  private static final int WARMUPS = 2;
  private static final int RUNS = 5;

  private ParquetDecodeBench() {}

  /** Writes the file with DuckDB, runs the three readers and prints medians and ratios. */
  public static void main(String[] args) throws Exception {
    long rows = Long.getLong("decode.rows", 2_000_000);
    Path dir = Files.createTempDirectory("tributary-decode-bench");
    Path file = dir.resolve("duckdb.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("COPY (SELECT i AS id, (i % 1000)::INTEGER AS key,"
          + " CASE WHEN i % 100 = 0 THEN NULL ELSE random() * 100 - 50 END AS x,"
          + " random() AS y,"
          + " CASE WHEN i % 50 = 0 THEN NULL ELSE 'name-' || (i % 100) END AS s,"
          + " TIMESTAMP '2024-01-01' + to_microseconds(i * 1000) AS ts"
          + " FROM range(" + rows + ") t(i)) TO '" + file + "' (FORMAT parquet)");
    }
    System.out.printf(Locale.ROOT, "file: %d rows, %.1f MiB, written by DuckDB (OPTIONAL columns,"
        + " dictionary strings, %d row groups)%n", rows, Files.size(file) / (double) Bytes.MiB,
        rowGroups(file));
    double[][] seconds = new double[3][RUNS];
    try (Arena arena = Arena.create("bench", 2 * Bytes.GiB);
        Account account = arena.openAccount("bench");
        BufferAllocator raw = new RootAllocator()) {
      for (int run = -WARMUPS; run < RUNS; run++) {
        long[] counted = new long[3];
        double[] t = new double[3];
        long t0 = System.nanoTime();
        counted[0] = tributary(file, account, true);
        long t1 = System.nanoTime();
        counted[1] = tributary(file, account, false);
        long t2 = System.nanoTime();
        counted[2] = rawColumnReaders(file, raw);
        long t3 = System.nanoTime();
        t[0] = (t1 - t0) / 1e9;
        t[1] = (t2 - t1) / 1e9;
        t[2] = (t3 - t2) / 1e9;
        for (long n : counted) {
          if (n != rows) {
            throw new IllegalStateException("read " + Arrays.toString(counted) + " rows");
          }
        }
        if (run >= 0) {
          for (int k = 0; k < 3; k++) {
            seconds[k][run] = t[k];
          }
        }
      }
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
    double vectorized = median(seconds[0]);
    double columnReader = median(seconds[1]);
    double raw = median(seconds[2]);
    System.out.printf(Locale.ROOT, "%-40s %10s %12s%n", "reader (one thread)", "median s",
        "M rows/s");
    print("Tributary, page decoder (default)", vectorized, rows);
    print("Tributary, parquet-mr ColumnReader", columnReader, rows);
    print("raw parquet-mr ColumnReader loop", raw, rows);
    System.out.printf(Locale.ROOT, "page decoder vs Tributary's ColumnReader path: %.2fx%n",
        columnReader / vectorized);
    System.out.printf(Locale.ROOT, "page decoder vs raw ColumnReader loop: %.2fx%n",
        raw / vectorized);
  }

  private static void print(String name, double seconds, long rows) {
    System.out.printf(Locale.ROOT, "%-40s %10.3f %12.2f%n", name, seconds, rows / seconds / 1e6);
  }

  /** Rows of a one-thread Tributary read of every column, each block closed as it comes. */
  private static long tributary(Path file, Account account, boolean vectorized) {
    AtomicLong rows = new AtomicLong();
    ParquetSource.of(List.of(file.toString())).parallelism(1)
        .blocks(account, ReadSettings.defaults(8 * Bytes.MiB).withVectorizedParquet(vectorized),
            new ReadStats())
        .doOnNext(block -> {
          try (Block b = block) {
            rows.addAndGet(b.rowCount());
          }
        }).blockLast();
    return rows.get();
  }

  /**
   * The raw loop: parquet-mr's column readers, one row group at a time, into nullable Arrow
   * vectors (a value where the definition level is the maximum, else a null).
   */
  private static long rawColumnReaders(Path file, BufferAllocator allocator) throws Exception {
    long total = 0;
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file),
        ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      String createdBy = reader.getFooter().getFileMetaData().getCreatedBy();
      PageReadStore group;
      while ((group = reader.readNextRowGroup()) != null) {
        int rows = (int) group.getRowCount();
        ColumnReadStoreImpl store = new ColumnReadStoreImpl(group,
            new DummyRecordConverter(schema).getRootConverter(), schema, createdBy);
        List<FieldVector> vectors = new ArrayList<>();
        try {
          for (ColumnDescriptor c : schema.getColumns()) {
            FieldVector v = vector(c, allocator);
            vectors.add(v);
            v.setInitialCapacity(rows);
            v.allocateNew();
            fill(v, store.getColumnReader(c), c.getMaxDefinitionLevel(), rows);
          }
        } finally {
          vectors.forEach(FieldVector::close);
        }
        total += rows;
      }
    }
    return total;
  }

  private static FieldVector vector(ColumnDescriptor c, BufferAllocator allocator) {
    String name = c.getPath()[0];
    return switch (c.getPrimitiveType().getPrimitiveTypeName()) {
      case INT32 -> new IntVector(name, allocator);
      case INT64 -> c.getPrimitiveType().getLogicalTypeAnnotation() == null
          ? new BigIntVector(name, allocator)
          : new TimeStampMicroVector(name, FieldType.nullable(
              new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)), allocator);
      case DOUBLE -> new Float8Vector(name, FieldType.nullable(
          new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)), allocator);
      case BINARY -> new VarCharVector(name, allocator);
      default -> throw new IllegalArgumentException("unexpected column " + c);
    };
  }

  private static void fill(FieldVector vector, ColumnReader reader, int maxDef, int rows) {
    if (vector instanceof BigIntVector v) {
      for (int r = 0; r < rows; r++, reader.consume()) {
        if (reader.getCurrentDefinitionLevel() == maxDef) {
          v.set(r, reader.getLong());
        }
      }
    } else if (vector instanceof TimeStampMicroVector v) {
      for (int r = 0; r < rows; r++, reader.consume()) {
        if (reader.getCurrentDefinitionLevel() == maxDef) {
          v.set(r, reader.getLong());
        }
      }
    } else if (vector instanceof IntVector v) {
      for (int r = 0; r < rows; r++, reader.consume()) {
        if (reader.getCurrentDefinitionLevel() == maxDef) {
          v.set(r, reader.getInteger());
        }
      }
    } else if (vector instanceof Float8Vector v) {
      for (int r = 0; r < rows; r++, reader.consume()) {
        if (reader.getCurrentDefinitionLevel() == maxDef) {
          v.set(r, reader.getDouble());
        }
      }
    } else {
      VarCharVector v = (VarCharVector) vector;
      for (int r = 0; r < rows; r++, reader.consume()) {
        if (reader.getCurrentDefinitionLevel() == maxDef) {
          v.setSafe(r, reader.getBinary().getBytesUnsafe());
        }
      }
    }
    vector.setValueCount(rows);
  }

  private static int rowGroups(Path file) throws Exception {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      return reader.getRowGroups().size();
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
