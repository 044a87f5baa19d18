package dev.tributary.connectors;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.BlockBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;

/**
 * Reads delimited text (CSV with a header row) or JSON lines (one object per line) with Jackson,
 * as blocks of up to {@link #rowsPerBlock(int)} rows.
 *
 * <p>Column types are inferred from each file's first block of rows: int64 when every value is
 * an integer, float64 when every value is a number, boolean for {@code true}/{@code false},
 * else utf8; an empty CSV field or a JSON {@code null} is a null. A later value that does not
 * fit the inferred type, a CSV row with the wrong number of fields, or malformed JSON fails with
 * {@link CorruptInputException} naming the file and line. Reads block on file I/O: subscribe on
 * an I/O scheduler.
 */
public final class TextSource {
  /** Default rows per block. */
  public static final int DEFAULT_ROWS_PER_BLOCK = 65_536;

  private enum Format { CSV, JSON_LINES }

  private final Format format;
  private final List<Path> files;
  private final char delimiter;
  private final int rowsPerBlock;

  private TextSource(Format format, List<Path> files, char delimiter, int rowsPerBlock) {
    this.format = format;
    this.files = files;
    this.delimiter = delimiter;
    this.rowsPerBlock = rowsPerBlock;
  }

  /** CSV files (or directories of {@code .csv} files, or globs) with a header row. */
  public static TextSource csv(List<String> paths) {
    return new TextSource(Format.CSV, InputFiles.expand(paths, ".csv"), ',',
        DEFAULT_ROWS_PER_BLOCK);
  }

  /** JSON-lines files (or directories of {@code .jsonl}/{@code .json} files, or globs). */
  public static TextSource jsonLines(List<String> paths) {
    return new TextSource(Format.JSON_LINES, InputFiles.expand(paths, ".json"), ',',
        DEFAULT_ROWS_PER_BLOCK);
  }

  /** Uses another field delimiter (CSV only). */
  public TextSource delimiter(char delimiter) {
    return new TextSource(format, files, delimiter, rowsPerBlock);
  }

  /** Cuts blocks of at most {@code rows} rows. */
  public TextSource rowsPerBlock(int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("rowsPerBlock must be >= 1, was " + rows);
    }
    return new TextSource(format, files, delimiter, rows);
  }

  /** The files this source reads, in order. */
  public List<Path> files() {
    return files;
  }

  /** Every file's rows as blocks charged to {@code account}, read on subscription. */
  public Flux<Block> blocks(Account account) {
    return Flux.fromIterable(files).concatMap(file -> fileBlocks(file, account), 1);
  }

  private Flux<Block> fileBlocks(Path file, Account account) {
    return Flux.using(() -> open(file), rows -> Generated.blocks(() -> rows.nextBlock(account)),
        RowReader::closeQuietly);
  }

  private RowReader open(Path file) throws IOException {
    if (format == Format.CSV) {
      CsvMapper mapper = new CsvMapper();
      mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
      CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(delimiter);
      MappingIterator<String[]> it =
          mapper.readerFor(String[].class).with(schema).readValues(file.toFile());
      return new CsvRows(file, it);
    }
    MappingIterator<Map<String, Object>> it =
        new ObjectMapper().readerFor(Map.class).readValues(file.toFile());
    return new JsonRows(file, it);
  }

  /** Reads one file's rows into blocks, fixing column types on the first block. */
  private abstract class RowReader {
    final Path file;
    List<String> names;
    ValueKind[] kinds;

    RowReader(Path file) {
      this.file = file;
    }

    /** The next row's values in column order, or null at the end of the file. */
    abstract Object[] nextRow() throws IOException;

    abstract int line();

    abstract void close() throws IOException;

    void closeQuietly() {
      try {
        close();
      } catch (IOException e) {
        // Only read from: a failed close loses nothing.
      }
    }

    Block nextBlock(Account account) {
      List<Object[]> rows = new ArrayList<>();
      try {
        Object[] row;
        while (rows.size() < rowsPerBlock && (row = nextRow()) != null) {
          rows.add(row);
        }
      } catch (IOException | RuntimeException e) {
        if (e instanceof CorruptInputException c) {
          throw c;
        }
        throw new CorruptInputException(file, "line " + line(), e);
      }
      if (rows.isEmpty()) {
        return null;
      }
      if (kinds == null) {
        kinds = new ValueKind[names.size()];
        for (int c = 0; c < kinds.length; c++) {
          kinds[c] = ValueKind.infer(rows, c);
        }
      }
      BlockBuilder builder = Block.builder(account);
      for (int c = 0; c < kinds.length; c++) {
        try {
          builder.column(names.get(c), kinds[c].column(rows, c));
        } catch (IllegalArgumentException e) {
          throw new CorruptInputException(file, "column " + names.get(c) + " near line "
              + line(), e);
        }
      }
      return builder.build();
    }
  }

  private final class CsvRows extends RowReader {
    private final MappingIterator<String[]> it;
    /** The line the current row starts on (the parser has moved past it once it is read). */
    private int rowLine = 1;

    CsvRows(Path file, MappingIterator<String[]> it) throws IOException {
      super(file);
      this.it = it;
      if (!it.hasNextValue()) {
        throw new CorruptInputException(file, "line 1", new IOException("no header row"));
      }
      names = List.of(it.nextValue());
    }

    @Override
    Object[] nextRow() throws IOException {
      if (!it.hasNextValue()) {
        return null;
      }
      rowLine = it.getCurrentLocation().getLineNr();
      String[] fields = it.nextValue();
      if (fields.length != names.size()) {
        throw new CorruptInputException(file, "line " + line(), new IOException(
            "expected " + names.size() + " fields " + names + ", found " + fields.length));
      }
      Object[] row = new Object[fields.length];
      for (int i = 0; i < fields.length; i++) {
        row[i] = fields[i].isEmpty() ? null : fields[i];
      }
      return row;
    }

    @Override
    int line() {
      return rowLine;
    }

    @Override
    void close() throws IOException {
      it.close();
    }
  }

  private final class JsonRows extends RowReader {
    private final MappingIterator<Map<String, Object>> it;
    private final Map<String, Integer> index = new LinkedHashMap<>();

    JsonRows(Path file, MappingIterator<Map<String, Object>> it) {
      super(file);
      this.it = it;
    }

    @Override
    Object[] nextRow() throws IOException {
      if (!it.hasNextValue()) {
        return null;
      }
      Map<String, Object> object = it.nextValue();
      if (names == null) {
        object.keySet().forEach(k -> index.put(k, index.size()));
        names = List.copyOf(index.keySet());
      }
      Object[] row = new Object[names.size()];
      for (Map.Entry<String, Object> e : object.entrySet()) {
        Integer c = index.get(e.getKey());
        if (c == null) {
          throw new CorruptInputException(file, "line " + line(), new IOException(
              "field '" + e.getKey() + "' is not among the first object's fields " + names));
        }
        Object v = e.getValue();
        if (v instanceof Map || v instanceof List) {
          throw new CorruptInputException(file, "line " + line(), new IOException(
              "field '" + e.getKey() + "' is nested; only flat objects are read yet"));
        }
        row[c] = v;
      }
      return row;
    }

    @Override
    int line() {
      return it.getCurrentLocation().getLineNr();
    }

    @Override
    void close() throws IOException {
      it.close();
    }
  }
}
