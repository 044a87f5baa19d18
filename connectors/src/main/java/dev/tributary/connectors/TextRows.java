package dev.tributary.connectors;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * One text file's rows cut into blocks. The columns are the given schema's, or the file's with
 * types inferred from its first block of rows; a column with no value there has Arrow's null type
 * until a later block holds one, which then fixes its type. Every failure names the file and the
 * line of the row (and the column) it is in.
 */
abstract class TextRows implements Closeable {
  final Path file;
  /** The given schema, or null to infer the columns' types. */
  final Schema schema;
  private final int rowsPerBlock;
  private final boolean json;
  /** Column names in row order: the schema's, or the file's (subclasses fill them in). */
  final List<String> names = new ArrayList<>();
  private Field[] fields;

  TextRows(Path file, Schema schema, int rowsPerBlock, boolean json) {
    this.file = file;
    this.schema = schema;
    this.rowsPerBlock = rowsPerBlock;
    this.json = json;
    if (schema != null) {
      schema.getFields().forEach(f -> names.add(f.getName()));
    }
  }

  /**
   * The next row's values in column order (a shorter row ends in nulls), or null at the end of
   * the file.
   *
   * @throws CorruptInputException for a row that does not fit the columns
   */
  abstract Object[] nextRow() throws IOException;

  /** The line the row {@link #nextRow} returned last starts on. */
  abstract int rowLine();

  /** The line the parser is on. */
  abstract int parserLine();

  /** Where in the file reading failed with {@code e}: Jackson's location, else the parser's. */
  String where(IOException e) {
    JsonLocation at = e instanceof JsonProcessingException p ? p.getLocation() : null;
    return "line " + (at != null && at.getLineNr() > 0 ? at.getLineNr() : parserLine());
  }

  /** Whether the columns are fixed (given, or inferred from the first block). */
  final boolean columnsFixed() {
    return schema != null || fields != null;
  }

  /** Adds the column {@code name}, or fails if it repeats one. */
  final void addColumn(String name, int line) {
    if (names.contains(name)) {
      throw new CorruptInputException(file, "line " + line,
          new ColumnException(name, "appears twice; column names must be unique"));
    }
    names.add(name);
  }

  /** The next block of at most {@code rowsPerBlock} rows charged to {@code account}, or null. */
  final Block nextBlock(Account account) {
    List<Object[]> rows = new ArrayList<>();
    int[] lines = new int[Math.min(rowsPerBlock, 1024)];
    try {
      Object[] row;
      while (rows.size() < rowsPerBlock && (row = nextRow()) != null) {
        if (rows.size() == lines.length) {
          lines = Arrays.copyOf(lines, Math.min(rowsPerBlock, 2 * lines.length));
        }
        lines[rows.size()] = rowLine();
        rows.add(row);
      }
    } catch (IOException e) {
      throw new CorruptInputException(file, where(e), e);
    }
    if (rows.isEmpty()) {
      return null;
    }
    int width = names.size();
    rows.replaceAll(r -> r.length == width ? r : Arrays.copyOf(r, width));
    if (fields == null) {
      fields = schema == null ? inferred(rows, lines) : given();
    } else if (schema == null) {
      typeNullColumns(rows, lines);
    }
    BlockBuilder builder = BlockBuilder.in(account);
    for (int c = 0; c < fields.length; c++) {
      List<Object> values = new ArrayList<>(rows.size());
      for (int r = 0; r < rows.size(); r++) {
        try {
          values.add(TextTypes.parse(rows.get(r)[c], fields[c]));
        } catch (IllegalArgumentException e) {
          throw new CorruptInputException(file, "line " + lines[r] + ", column " + names.get(c),
              e);
        }
      }
      builder.column(fields[c], values);
    }
    try {
      return builder.build();
    } catch (ColumnException e) {
      throw new CorruptInputException(file, lines(lines, rows.size()), e);
    }
  }

  private Field[] inferred(List<Object[]> rows, int[] lines) {
    Field[] inferred = new Field[names.size()];
    for (int c = 0; c < inferred.length; c++) {
      try {
        inferred[c] = TextTypes.infer(names.get(c), rows, c, json);
      } catch (ColumnException | ArithmeticException e) {
        throw new CorruptInputException(file, lines(lines, rows.size()) + ", column "
            + names.get(c), e);
      }
    }
    return inferred;
  }

  /** Infers, from this block, the type of every column that had no value in earlier blocks. */
  private void typeNullColumns(List<Object[]> rows, int[] lines) {
    for (int c = 0; c < fields.length; c++) {
      if (fields[c].getType() instanceof ArrowType.Null) {
        try {
          fields[c] = TextTypes.infer(names.get(c), rows, c, json);
        } catch (ColumnException | ArithmeticException e) {
          throw new CorruptInputException(file, lines(lines, rows.size()) + ", column "
              + names.get(c), e);
        }
      }
    }
  }

  private Field[] given() {
    return schema.getFields().stream()
        .map(f -> new Field(f.getName(), FieldType.nullable(f.getType()), f.getChildren()))
        .toArray(Field[]::new);
  }

  private static String lines(int[] lines, int rows) {
    return "lines " + lines[0] + "-" + lines[rows - 1];
  }
}
