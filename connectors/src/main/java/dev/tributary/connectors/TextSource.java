package dev.tributary.connectors;

import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;

/**
 * Reads CSV ({@link CsvOptions}: a header row, RFC 4180 quoting by default) or JSON lines (one
 * object per line) with Jackson, as blocks of up to {@link #rowsPerBlock(int)} rows.
 *
 * <p>Column types are inferred from each file's first block of rows (see {@link TextTypes}:
 * integers, numbers, booleans, ISO dates and timestamps, JSON arrays and objects as lists and
 * structs, else utf8; a column with no value yet has Arrow's null type until a block gives it one),
 * and the files of one read must agree ({@link FileSchemas}: a column typed in one file and null
 * throughout another takes the type; other differences fail naming both files), or given as an
 * Arrow schema with {@link #schema(Schema)}. Hive partition directories ({@link Partitioning}) add
 * columns after a file's own, appended once its columns are unified. CSV: an unquoted empty field
 * (or the unquoted null token) is a null, a quoted empty one an empty string. JSON: a {@code null}
 * or a field an object leaves out is a null; with inferred types, the columns are the fields of the
 * first block's objects, and a field first appearing later fails. A value that does not fit its
 * column's type, a CSV row with the wrong number of fields, malformed JSON or invalid UTF-8 fails
 * with {@link CorruptInputException} naming the file and line (and column).
 * Reads block on file I/O: subscribe on an I/O scheduler.
 */
public final class TextSource {
  /** Default rows per block (and rows from which an inferred read takes its types). */
  public static final int DEFAULT_ROWS_PER_BLOCK = 65_536;

  private enum Format { CSV, JSON_LINES }

  private final Format format;
  private final InputFiles files;
  private final CsvOptions options;
  private final int rowsPerBlock;
  private final Schema schema;

  private TextSource(Format format, InputFiles files, CsvOptions options, int rowsPerBlock,
      Schema schema) {
    this.format = format;
    this.files = files;
    this.options = options;
    this.rowsPerBlock = rowsPerBlock;
    this.schema = schema;
  }

  /**
   * CSV files (or directories of {@code .csv} files, or globs), read with {@link
   * CsvOptions#defaults()} (a header row) unless given {@link #options(CsvOptions)}; Hive
   * partition directories become columns ({@link Partitioning#hive()}).
   */
  public static TextSource csv(List<String> paths) {
    return csv(paths, Partitioning.hive());
  }

  /** CSV files, partition directories read as {@code partitioning} says. */
  public static TextSource csv(List<String> paths, Partitioning partitioning) {
    return new TextSource(Format.CSV, InputFiles.expand(paths, partitioning, ".csv"),
        CsvOptions.defaults(),
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
    return new TextSource(Format.JSON_LINES,
        InputFiles.expand(paths, partitioning, ".jsonl", ".json"), CsvOptions.defaults(),
        DEFAULT_ROWS_PER_BLOCK, null);
  }

  /**
   * Reads CSV in the dialect of {@code options} (delimiter, quote, escape, null token, header).
   *
   * @throws IllegalArgumentException if this is a JSON-lines source
   */
  public TextSource options(CsvOptions options) {
    Objects.requireNonNull(options, "options");
    if (format != Format.CSV) {
      throw new IllegalArgumentException("CSV options given to a JSON-lines source");
    }
    return new TextSource(format, files, options, rowsPerBlock, schema);
  }

  /** Uses another field delimiter (CSV only), keeping the other {@link CsvOptions}. */
  public TextSource delimiter(char delimiter) {
    return options(options.delimiter(delimiter));
  }

  /** Cuts blocks of at most {@code rows} rows; an inferred read takes its types from the first. */
  public TextSource rowsPerBlock(int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("rowsPerBlock must be >= 1, was " + rows);
    }
    return new TextSource(format, files, options, rows, schema);
  }

  /**
   * Reads columns as the types of {@code schema} instead of inferring them; blocks have its
   * columns, in its order. Every column a file has must be in it (CSV with a header and JSON
   * by name, CSV without a header by position); columns a file lacks (fields an object leaves
   * out) are null. Lists and structs need JSON lines.
   *
   * @throws ColumnException if a CSV source is given a list or struct column, or a name repeats
   */
  public TextSource schema(Schema schema) {
    Objects.requireNonNull(schema, "schema");
    Set<String> seen = new HashSet<>();
    for (Field f : schema.getFields()) {
      if (!seen.add(f.getName())) {
        throw new ColumnException(f.getName(), "appears twice in the schema; column names must"
            + " be unique");
      }
      if (format == Format.CSV && !TextTypes.flat(f.getType())) {
        throw new ColumnException(f.getName(), "is " + f.getType() + "; CSV holds only flat"
            + " columns (read nested data from JSON lines or Parquet)");
      }
    }
    return new TextSource(format, files, options, rowsPerBlock, schema);
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
    if (schema != null) {
      return FileReads.eachFile(files, settings, stats, this::open,
          (file, rows) -> Generated.blocks(() -> rows.nextBlock(account)));
    }
    return Flux.defer(() -> {
      FileSchemas shared = new FileSchemas();
      return FileReads.eachFile(files, settings, stats, this::open,
          (file, rows) -> Generated.blocks(() -> rows.nextBlock(account))
              .map(block -> shared.accept(file, block, account)));
    });
  }

  private TextRows open(Path file) throws IOException {
    return format == Format.CSV ? CsvRows.open(file, options, schema, rowsPerBlock)
        : JsonRows.open(file, schema, rowsPerBlock);
  }
}
