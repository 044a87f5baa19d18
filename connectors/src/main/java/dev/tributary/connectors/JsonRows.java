package dev.tributary.connectors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.tributary.memory.ColumnException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A JSON-lines file's rows: one object per line, parsed by Jackson. Fields an object leaves out
 * are null. With a given schema the columns are the schema's, and a field outside it fails; with
 * inferred types the columns are the fields of the first block's objects, in order of first
 * appearance, and a field first appearing after that block fails with a {@link
 * CorruptInputException} naming it and its line (a schema reads such files).
 */
final class JsonRows extends TextRows {
  /**
   * Objects as maps of Jackson's natural Java values, except that numbers with a fraction or
   * exponent keep every digit ({@link ExactNumbers}); duplicate keys fail; {@code NaN} and
   * {@code Infinity} (as DuckDB and Python write them) are numbers.
   */
  private static final ObjectReader OBJECTS = JsonMapper.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .addModule(new SimpleModule().addDeserializer(Number.class, new ExactNumbers()))
      .build().readerFor(Map.class);

  private final MappingIterator<Map<String, Object>> it;
  private final Map<String, Integer> index = new HashMap<>();
  private int rowLine;

  private JsonRows(Path file, MappingIterator<Map<String, Object>> it, Schema schema,
      int rowsPerBlock) {
    super(file, schema, rowsPerBlock, true);
    this.it = it;
    names.forEach(n -> index.put(n, index.size()));
  }

  /** Opens {@code file}. */
  static JsonRows open(Path file, Schema schema, int rowsPerBlock) throws IOException {
    return new JsonRows(file, OBJECTS.readValues(Files.newInputStream(file)), schema,
        rowsPerBlock);
  }

  @Override
  Object[] nextRow() throws IOException {
    if (!it.hasNextValue()) {
      return null;
    }
    rowLine = it.getParser().currentTokenLocation().getLineNr();
    Map<String, Object> object = it.nextValue();
    if (object == null) {
      throw new CorruptInputException(file, "line " + rowLine,
          new IOException("a JSON null where an object was expected"));
    }
    for (String key : object.keySet()) {
      if (!index.containsKey(key)) {
        newColumn(key);
      }
    }
    Object[] row = new Object[names.size()];
    object.forEach((key, value) -> row[index.get(key)] = value);
    return row;
  }

  private void newColumn(String name) {
    if (schema != null) {
      throw new CorruptInputException(file, "line " + rowLine,
          new ColumnException(name, "is not in the given schema " + schema));
    } else if (columnsFixed()) {
      throw new CorruptInputException(file, "line " + rowLine, new ColumnException(name,
          "first appears after the first block of rows, whose fields " + names + " fixed the"
              + " columns; read with a schema, or with more rows per block"));
    }
    addColumn(name, rowLine);
    index.put(name, index.size());
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
  public void close() throws IOException {
    it.close();
  }

  /**
   * JSON numbers as Java values without losing anything: integers as Jackson reads them
   * ({@code Integer}, {@code Long}, {@code BigInteger}); other numbers as {@code BigDecimal}
   * (every digit, for decimal columns), except {@code -0.0}, which a {@code BigDecimal} cannot
   * hold, and {@code NaN} and infinities, which are {@code Double}s.
   */
  private static final class ExactNumbers extends StdDeserializer<Number> {
    private static final long serialVersionUID = 1L;

    ExactNumbers() {
      super(Number.class);
    }

    @Override
    public Number deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
        return p.getNumberValue();
      } else if (p.isNaN()) {
        return p.getDoubleValue();
      }
      BigDecimal d = p.getDecimalValue();
      return d.signum() == 0 && p.getText().startsWith("-") ? (Number) (-0.0d) : d;
    }
  }
}
