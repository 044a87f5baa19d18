package dev.tributary.connectors;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.BlockBuilder;
import dev.tributary.memory.ColumnException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;

/**
 * Reads delimited text (CSV with a header row) or JSON lines (one object per line) with Jackson,
 * as blocks of up to {@link #rowsPerBlock(int)} rows.
 *
 * <p>Column types are inferred from each file's first block of rows (see {@link TextTypes}:
 * integers, numbers, booleans, ISO dates and timestamps, JSON arrays and objects as lists and
 * structs, else utf8), or given as an Arrow schema with {@link #schema(Schema)}; an empty CSV
 * field or a JSON {@code null} is a null. A value that does not fit its column's type, a CSV row
 * with the wrong number of fields, or malformed JSON fails with {@link CorruptInputException}
 * naming the file and line. Reads block on file I/O: subscribe on an I/O scheduler.
 */
public final class TextSource {
  /** Default rows per block. */
  public static final int DEFAULT_ROWS_PER_BLOCK = 65_536;

  private enum Format { CSV, JSON_LINES }

  /** Jackson readers are immutable and thread-safe once configured: one for every file. */
  private static final ObjectReader CSV_ROWS = new CsvMapper()
      .enable(CsvParser.Feature.WRAP_AS_ARRAY).readerFor(String[].class);
  private static final ObjectReader JSON_OBJECTS = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readerFor(Map.class);

  private final Format format;
  private final InputFiles files;
  private final char delimiter;
  private final int rowsPerBlock;
  private final Schema schema;

  private TextSource(Format format, InputFiles files, char delimiter, int rowsPerBlock,
      Schema schema) {
    this.format = format;
    this.files = files;
    this.delimiter = delimiter;
    this.rowsPerBlock = rowsPerBlock;
    this.schema = schema;
  }

  /**
   * CSV files (or directories of {@code .csv} files, or globs) with a header row; Hive partition
   * directories become columns ({@link Partitioning#hive()}).
   */
  public static TextSource csv(List<String> paths) {
    return csv(paths, Partitioning.hive());
  }

  /** CSV files with a header row, partition directories read as {@code partitioning} says. */
  public static TextSource csv(List<String> paths, Partitioning partitioning) {
    return new TextSource(Format.CSV, InputFiles.expand(paths, partitioning, ".csv"), ',',
        DEFAULT_ROWS_PER_BLOCK, null);
  }

  /**
   * JSON-lines files (or directories of {@code .jsonl}/{@code .json} files, or globs); Hive
   * partition directories become columns ({@link Partitioning#hive()}).
   */
  public static TextSource jsonLines(List<String> paths) {
    return jsonLines(paths, Partitioning.hive());
  }

  /** JSON-lines files, partition directories read as {@code partitioning} says. */
  public static TextSource jsonLines(List<String> paths, Partitioning partitioning) {
    return new TextSource(Format.JSON_LINES, InputFiles.expand(paths, partitioning, ".json"), ',',
        DEFAULT_ROWS_PER_BLOCK, null);
  }

  /** Uses another field delimiter (CSV only). */
  public TextSource delimiter(char delimiter) {
    return new TextSource(format, files, delimiter, rowsPerBlock, schema);
  }

  /** Cuts blocks of at most {@code rows} rows. */
  public TextSource rowsPerBlock(int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("rowsPerBlock must be >= 1, was " + rows);
    }
    return new TextSource(format, files, delimiter, rows, schema);
  }

  /**
   * Reads columns as the types of {@code schema} instead of inferring them; every column a file
   * has must be in it (by name), in any order. Lists and structs need JSON lines.
   *
   * @throws ColumnException if a CSV source is given a list or struct column
   */
  public TextSource schema(Schema schema) {
    Objects.requireNonNull(schema, "schema");
    if (format == Format.CSV) {
      for (Field f : schema.getFields()) {
        if (!TextTypes.flat(f.getType())) {
          throw new ColumnException(f.getName(), "is " + f.getType() + "; CSV holds only flat"
              + " columns (read nested data from JSON lines or Parquet)");
        }
      }
    }
    return new TextSource(format, files, delimiter, rowsPerBlock, schema);
  }

  /** The files this source reads, in order. */
  public List<Path> files() {
    return files.paths();
  }

  /** Every file's rows as blocks charged to {@code account}, read on subscription. */
  public Flux<Block> blocks(Account account) {
    return blocks(account, ReadSettings.defaults(Long.MAX_VALUE), new ReadStats());
  }

  /**
   * Every file's rows as blocks charged to {@code account}, read as {@code settings} say:
   * opening a file is retried on the retried error types; a file that fails (unreadable, or a
   * bad row) ends there and counts as one errored block while the allowance lasts (its earlier
   * blocks stay). Files opened and their sizes are counted in {@code stats}.
   */
  public Flux<Block> blocks(Account account, ReadSettings settings, ReadStats stats) {
    return FileReads.eachFile(files, settings, stats, this::open,
        (file, rows) -> Generated.blocks(() -> rows.nextBlock(account)));
  }

  private RowReader open(Path file) throws IOException {
    if (format == Format.CSV) {
      CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(delimiter);
      MappingIterator<String[]> it = CSV_ROWS.with(schema).readValues(Files.newInputStream(file));
      try {
        return new CsvRows(file, it);
      } catch (IOException | RuntimeException e) {
        it.close(); // no header: the file is not held open
        throw e;
      }
    }
    MappingIterator<Map<String, Object>> it = JSON_OBJECTS.readValues(Files.newInputStream(file));
    return new JsonRows(file, it);
  }

  /** Reads one file's rows into blocks, fixing column types on the first block. */
  private abstract class RowReader implements Closeable {
    final Path file;
    List<String> names;
    Field[] fields;

    RowReader(Path file) {
      this.file = file;
    }

    /** The next row's values in column order, or null at the end of the file. */
    abstract Object[] nextRow() throws IOException;

    abstract int line();


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
      if (fields == null) {
        fields = new Field[names.size()];
        for (int c = 0; c < fields.length; c++) {
          fields[c] = schema == null ? TextTypes.infer(names.get(c), rows, c) : given(c);
        }
      }
      BlockBuilder builder = Block.builder(account);
      for (int c = 0; c < fields.length; c++) {
        List<Object> values = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
          try {
            values.add(TextTypes.parse(rows.get(r)[c], fields[c]));
          } catch (IllegalArgumentException e) {
            throw new CorruptInputException(file, "column " + names.get(c) + ", row " + (r + 1)
                + " of the block ending at line " + line(), e);
          }
        }
        builder.column(fields[c], values);
      }
      try {
        return builder.build();
      } catch (ColumnException e) {
        throw new CorruptInputException(file, "block ending at line " + line(), e);
      }
    }

    /** The given schema's field for column {@code c}. */
    private Field given(int c) {
      Field f = schema.getFields().stream().filter(x -> x.getName().equals(names.get(c)))
          .findFirst().orElseThrow(() -> new CorruptInputException(file, "header",
              new ColumnException(names.get(c), "is not in the given schema " + schema)));
      return new Field(f.getName(), FieldType.nullable(f.getType()), f.getChildren());
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
    public void close() throws IOException {
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
        row[c] = e.getValue();
      }
      return row;
    }

    @Override
    int line() {
      return it.getCurrentLocation().getLineNr();
    }

    @Override
    public void close() throws IOException {
      it.close();
    }
  }
}
