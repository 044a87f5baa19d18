package dev.tributary.connectors;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.fasterxml.jackson.databind.SequenceWriter;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Writes a stream of blocks as CSV (with a header row) or JSON lines, with Jackson, atomically
 * like {@link ParquetSink}: temporary names, renamed only when the whole stream is written.
 * JSON lines hold every column type (dates and timestamps as ISO strings, binary as base64,
 * lists as arrays, structs as objects); CSV holds flat columns only. Nulls are empty CSV fields
 * or JSON {@code null}s. Blocks are closed once written.
 */
public final class TextSink {
  private enum Format { CSV, JSON_LINES }

  /** Jackson mappers and writers are thread-safe once configured: one for every file. */
  private static final CsvMapper CSV = new CsvMapper();
  private static final ObjectWriter JSON_WRITER = new ObjectMapper()
      .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
      .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
      .writer().withRootValueSeparator("\n");

  private final Format format;
  private final Path directory;
  private final long rowsPerFile;

  private TextSink(Format format, Path directory, long rowsPerFile) {
    this.format = format;
    this.directory = directory;
    this.rowsPerFile = rowsPerFile;
  }

  /** A CSV sink into {@code directory}. */
  public static TextSink csv(Path directory) {
    return new TextSink(Format.CSV, Objects.requireNonNull(directory, "directory"),
        Long.MAX_VALUE);
  }

  /** A JSON-lines sink into {@code directory}. */
  public static TextSink jsonLines(Path directory) {
    return new TextSink(Format.JSON_LINES, Objects.requireNonNull(directory, "directory"),
        Long.MAX_VALUE);
  }

  /** Starts a new file every {@code rows} rows. */
  public TextSink rowsPerFile(long rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("rowsPerFile must be >= 1, was " + rows);
    }
    return new TextSink(format, directory, rows);
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
    private Writer out;
    private SequenceWriter sequence;

    Job() {
      super(directory, format == Format.CSV ? ".csv" : ".json", rowsPerFile, "write");
    }

    @Override
    Schema accept(Schema first) {
      for (Field f : first.getFields()) {
        if (format == Format.CSV && !TextTypes.flat(f.getType())) {
          throw new ColumnException(f.getName(), "type " + f.getType() + " cannot be written"
              + " as CSV; use JSON lines or Parquet, or select the flat columns");
        }
      }
      return first;
    }

    @Override
    void openFile(Path path, Schema schema) throws IOException {
      out = new BufferedWriter(Files.newBufferedWriter(path, StandardCharsets.UTF_8));
      if (format == Format.CSV) {
        CsvSchema.Builder header = CsvSchema.builder().setUseHeader(true);
        schema.getFields().forEach(f -> header.addColumn(f.getName()));
        sequence = CSV.writer(header.build()).writeValues(out);
      } else {
        sequence = JSON_WRITER.writeValues(out);
      }
    }

    @Override
    void writeRows(Block block) throws IOException {
      List<Field> fields = block.schema().getFields();
      Object[][] columns = new Object[fields.size()][];
      for (int c = 0; c < columns.length; c++) {
        columns[c] = block.values(fields.get(c).getName());
      }
      for (int r = 0; r < block.rowCount(); ) {
        for (int end = r + fileFor(block.rowCount() - r); r < end; r++) {
          if (format == Format.CSV) {
            Object[] row = new Object[columns.length];
            for (int c = 0; c < columns.length; c++) {
              row[c] = TextTypes.toCsv(columns[c][r]);
            }
            sequence.write(row);
          } else {
            Map<String, Object> row = new LinkedHashMap<>();
            for (int c = 0; c < columns.length; c++) {
              row.put(fields.get(c).getName(), TextTypes.toJson(columns[c][r]));
            }
            sequence.write(row);
          }
        }
      }
    }

    @Override
    void closeFile() throws IOException {
      sequence.close();
      if (format == Format.JSON_LINES) {
        out.write('\n');
      }
      out.close();
    }
  }

}
