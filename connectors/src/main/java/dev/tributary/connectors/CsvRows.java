package dev.tributary.connectors;

import com.fasterxml.jackson.databind.MappingIterator;
import dev.tributary.memory.ColumnException;
import java.io.CharConversionException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A CSV file's rows, parsed by Jackson in the dialect of {@link CsvOptions}: a null field (an
 * unquoted empty one, or the unquoted null token) is a null, anything else its text. With a
 * header and a given schema, file columns are matched to the schema's by name (schema columns
 * the file lacks are null); without a header, by position.
 */
final class CsvRows extends TextRows {
  private final MappingIterator<String[]> it;
  /** The output column of each field of a line. */
  private int[] target;
  private int rowLine;

  private CsvRows(Path file, MappingIterator<String[]> it, CsvOptions options, Schema schema,
      int rowsPerBlock) throws IOException {
    super(file, schema, rowsPerBlock, false);
    this.it = it;
    if (options.header()) {
      if (!it.hasNextValue()) {
        throw new CorruptInputException(file, "line 1", new IOException("no header row"));
      }
      header(it.nextValue());
    } else if (schema != null) {
      target = identity(names.size());
    }
  }

  /** Opens {@code file}; reads the header row if the options say there is one. */
  static CsvRows open(Path file, CsvOptions options, Schema schema, int rowsPerBlock)
      throws IOException {
    MappingIterator<String[]> it = options.rowReader().readValues(Files.newInputStream(file));
    try {
      return new CsvRows(file, it, options, schema, rowsPerBlock);
    } catch (CharConversionException e) {
      it.close(); // the caller gets no reader to close
      throw new CorruptInputException(file, InvalidUtf8.locate(file, "line 1"), e);
    } catch (IOException | RuntimeException e) {
      it.close();
      throw e;
    }
  }

  private void header(String[] header) {
    target = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      String name = header[i] == null ? "column" + i : header[i];
      if (schema == null) {
        addColumn(name, 1);
        target[i] = i;
      } else {
        target[i] = names.indexOf(name);
        if (target[i] < 0) {
          throw new CorruptInputException(file, "line 1 (header)",
              new ColumnException(name, "is not in the given schema " + schema));
        }
        for (int j = 0; j < i; j++) {
          if (target[j] == target[i]) {
            throw new CorruptInputException(file, "line 1 (header)",
                new ColumnException(name, "appears twice; column names must be unique"));
          }
        }
      }
    }
  }

  private static int[] identity(int n) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i;
    }
    return ids;
  }

  @Override
  Object[] nextRow() throws IOException {
    if (!it.hasNextValue()) {
      return null;
    }
    rowLine = it.getCurrentLocation().getLineNr();
    String[] fields = it.nextValue();
    if (fields.length == 0) {
      fields = new String[1]; // an empty line: a one-column row holding a null
    }
    if (target == null) { // no header, no schema: the first row says how many columns
      for (int i = 0; i < fields.length; i++) {
        addColumn("column" + i, rowLine);
      }
      target = identity(fields.length);
    }
    if (fields.length != target.length) {
      throw new CorruptInputException(file, "line " + rowLine, new IOException(
          "expected " + target.length + " fields, found " + fields.length));
    }
    Object[] row = new Object[names.size()];
    for (int i = 0; i < fields.length; i++) {
      row[target[i]] = fields[i];
    }
    return row;
  }

  @Override
  int rowLine() {
    return rowLine;
  }

  @Override
  int parserLine() {
    return it.getCurrentLocation().getLineNr();
  }

  @Override
  String where(IOException e) {
    // Jackson decodes UTF-8 a buffer ahead of the rows it parses: find the line by scanning.
    return e instanceof CharConversionException || e instanceof CharacterCodingException
        ? InvalidUtf8.locate(file, super.where(e)) : super.where(e);
  }

  @Override
  public void close() throws IOException {
    it.close();
  }
}
