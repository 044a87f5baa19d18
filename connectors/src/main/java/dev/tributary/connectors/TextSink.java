package dev.tributary.connectors;

import com.fasterxml.jackson.databind.SequenceWriter;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Writes a stream of blocks as CSV (in the dialect of {@link CsvOptions}, a header row by
 * default) or JSON lines, with Jackson, atomically like {@link ParquetSink}: staged, published
 * all or nothing when the whole stream is written; {@link #partitionBy(String...)} writes
 * Hive-style partition directories. JSON lines hold every column type (dates and timestamps as
 * ISO strings, binary as base64, decimals as plain numbers, lists as arrays, structs as objects,
 * {@code NaN} and {@code Infinity} unquoted as DuckDB and Python write them); CSV holds flat
 * columns only. A CSV null is an empty unquoted field (or the null token), an empty string
 * {@code ""}; a JSON null is {@code null}. Blocks are closed once written.
 */
public final class TextSink {
  private enum Format { CSV, JSON_LINES }

  private final Format format;
  private final Path directory;
  private final CsvOptions options;
  private final long rowsPerFile;
  private final List<String> partitionBy;

  private TextSink(Format format, Path directory, CsvOptions options, long rowsPerFile,
      List<String> partitionBy) {
    this.format = format;
    this.directory = directory;
    this.options = options;
    this.rowsPerFile = rowsPerFile;
    this.partitionBy = partitionBy;
  }

  /**
   * A CSV sink into {@code directory}, writing {@link CsvOptions#defaults()}.
   *
   * @throws WriteException if {@code directory} is an existing file
   */
  public static TextSink csv(Path directory) {
    AtomicFiles.checkTarget(Objects.requireNonNull(directory, "directory"));
    return new TextSink(Format.CSV, directory, CsvOptions.defaults(), Long.MAX_VALUE, List.of());
  }

  /**
   * A JSON-lines sink into {@code directory}.
   *
   * @throws WriteException if {@code directory} is an existing file
   */
  public static TextSink jsonLines(Path directory) {
    AtomicFiles.checkTarget(Objects.requireNonNull(directory, "directory"));
    return new TextSink(Format.JSON_LINES, directory, CsvOptions.defaults(), Long.MAX_VALUE,
        List.of());
  }

  /**
   * Writes CSV in the dialect of {@code options} (delimiter, quote, escape, null token, header).
   *
   * @throws IllegalArgumentException if this is a JSON-lines sink
   */
  public TextSink options(CsvOptions options) {
    Objects.requireNonNull(options, "options");
    if (format != Format.CSV) {
      throw new IllegalArgumentException("CSV options given to a JSON-lines sink");
    }
    return new TextSink(format, directory, options, rowsPerFile, partitionBy);
  }

  /** Starts a new file every {@code rows} rows (in each partition). */
  public TextSink rowsPerFile(long rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("rowsPerFile must be >= 1, was " + rows);
    }
    return new TextSink(format, directory, options, rows, partitionBy);
  }

  /**
   * Writes Hive-style partition directories ({@code c1=v1/part-....csv}) by the values of {@code
   * columns}, which the files do not repeat, as {@link ParquetSink#partitionBy(String...)} does.
   *
   * @throws IllegalArgumentException if no column is given
   * @throws ColumnException if a column is given twice
   */
  public TextSink partitionBy(String... columns) {
    return new TextSink(format, directory, options, rowsPerFile,
        FileJob.partitionColumns(columns));
  }

  /**
   * Writes every block on an I/O thread of Reactor's bounded-elastic scheduler and completes with
   * what was written.
   */
  public Mono<WriteSummary> write(Flux<Block> blocks) {
    return write(blocks, Schedulers.boundedElastic());
  }

  /** Writes every block on an I/O thread of {@code io} and completes with what was written. */
  public Mono<WriteSummary> write(Flux<Block> blocks, Scheduler io) {
    return SinkRun.run(blocks, Job::new, io);
  }


  private final class Job extends FileJob {
    Job() {
      super(directory, format == Format.CSV ? ".csv" : ".json", rowsPerFile, partitionBy,
          "write");
    }

    @Override
    void accept(Schema fileSchema) {
      for (Field f : fileSchema.getFields()) {
        if (format == Format.CSV && !TextTypes.flat(f.getType())) {
          throw new ColumnException(f.getName(), "type " + f.getType() + " cannot be written"
              + " as CSV; use JSON lines or Parquet, or select the flat columns");
        }
      }
    }

    @Override
    FileOut open(Path path, Schema schema) throws IOException {
      return new TextFile(path, schema);
    }
  }

  /** One CSV or JSON-lines file being written. */
  private final class TextFile implements FileJob.FileOut {
    private final Writer out;
    private final SequenceWriter sequence;

    TextFile(Path path, Schema schema) throws IOException {
      out = new BufferedWriter(Files.newBufferedWriter(path, StandardCharsets.UTF_8));
      try {
        if (format == Format.CSV) {
          sequence = options.rowWriter(schema.getFields().stream().map(Field::getName).toList())
              .writeValues(out);
        } else {
          sequence = NdjsonEncoder.ROWS.writeValues(out);
        }
      } catch (IOException | RuntimeException e) {
        out.close();
        throw e;
      }
    }

    @Override
    public void write(Block block) throws IOException {
      if (format == Format.JSON_LINES) {
        NdjsonEncoder.writeRows(block, sequence);
        return;
      }
      List<Field> fields = block.schema().getFields();
      Object[][] columns = new Object[fields.size()][];
      for (int c = 0; c < columns.length; c++) {
        columns[c] = ColumnReader.values(block, fields.get(c).getName());
      }
      for (int r = 0, n = block.rowCount(); r < n; r++) {
        Object[] row = new Object[columns.length];
        for (int c = 0; c < columns.length; c++) {
          row[c] = TextTypes.toCsv(columns[c][r]);
        }
        sequence.write(row);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        sequence.close();
        if (format == Format.JSON_LINES) {
          out.write('\n');
        }
      } finally {
        out.close();
      }
    }
  }

}
