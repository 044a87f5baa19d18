package dev.tributary.it;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * DuckDB (JDBC, in memory, session time zone UTC) as the independent reader and writer of the
 * round-trip test. Reads return rows of the Java values Tributary's {@code JavaValues} mapping
 * gives for the Arrow fields asked for, taken from DuckDB's own rendering of each value
 * ({@code to_json}), so no JDBC conversion (java.sql types, the JVM's zone) stands in between.
 * Columns are matched by position, not name: DuckDB ignores case in names ({@code a}, {@code A}).
 */
final class DuckDb implements AutoCloseable {
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  private static final DateTimeFormatter SQL_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSSSSS");

  /**
   * What a read gives back: binary escaped ({@code \xFF}, Parquet) or as base64 text (CSV,
   * JSON); decimals exact, or as doubles (JSON: DuckDB reads JSON numbers as doubles).
   */
  private enum Rendering { ESCAPED, BASE64, BASE64_DECIMALS_AS_DOUBLES }

  private final Connection connection;

  DuckDb() {
    try {
      connection = DriverManager.getConnection("jdbc:duckdb:");
      execute("SET TimeZone = 'UTC'");
    } catch (SQLException e) {
      throw new IllegalStateException("DuckDB did not start", e);
    }
  }

  // ------------------------------------------------------------------------ reading

  /** The rows of the Parquet files under {@code dir}, as values of {@code schema}'s fields. */
  List<Map<String, Object>> readParquet(Path dir, Schema schema) throws SQLException {
    return rows("SELECT " + rendered(schema, false) + " FROM read_parquet("
        + literal(dir + "/*.parquet") + ") AS t" + positions(schema), schema, Rendering.ESCAPED);
  }

  /**
   * The rows of the CSV files under {@code dir} (a header line, RFC 4180 quoting, a quoted empty
   * field an empty string), read as the DuckDB types of {@code schema}; binary columns are read
   * as text and decoded from base64 (Tributary's CSV form of binary).
   */
  List<Map<String, Object>> readCsv(Path dir, Schema schema) throws SQLException {
    StringJoiner columns = new StringJoiner(", ", "{", "}");
    for (int c = 0; c < schema.getFields().size(); c++) {
      columns.add(literal("c" + c) + ": " + literal(type(schema.getFields().get(c), true)));
    }
    return rows("SELECT " + rendered(schema, true) + " FROM read_csv(" + literal(dir + "/*.csv")
        + ", header = true, auto_detect = false, delim = ',', quote = '\"', escape = '\"',"
        + " allow_quoted_nulls = false, columns = " + columns + ")", schema, Rendering.BASE64);
  }

  /** Column aliases {@code (c0, c1, ...)}: DuckDB renames columns whose names differ in case. */
  private static String positions(Schema schema) {
    StringJoiner names = new StringJoiner(", ", "(", ")");
    for (int c = 0; c < schema.getFields().size(); c++) {
      names.add("c" + c);
    }
    return names.toString();
  }

  /**
   * Each column {@code c0, c1, ...} as DuckDB's JSON text, decimals (at any depth) cast to text
   * first: DuckDB's JSON of a decimal is not exact ({@code DECIMAL(1,0)} -9 becomes -9.0, a
   * {@code DECIMAL(24,24)} is written without its leading zero, which is not JSON).
   */
  private static String rendered(Schema schema, boolean binaryAsText) {
    StringJoiner select = new StringJoiner(", ");
    for (int c = 0; c < schema.getFields().size(); c++) {
      Field f = schema.getFields().get(c);
      select.add(hasDecimal(f) ? "to_json(CAST(c" + c + " AS " + textType(f, binaryAsText) + "))"
          : "to_json(c" + c + ")");
    }
    return select.toString();
  }

  private static boolean hasDecimal(Field f) {
    return f.getType() instanceof ArrowType.Decimal
        || f.getChildren().stream().anyMatch(DuckDb::hasDecimal);
  }

  /** {@link #type}, with every decimal as VARCHAR and fixed-size lists as lists. */
  private static String textType(Field field, boolean binaryAsText) {
    ArrowType t = field.getType();
    if (t instanceof ArrowType.Decimal) {
      return "VARCHAR";
    } else if (t instanceof ArrowType.List || t instanceof ArrowType.FixedSizeList) {
      return textType(field.getChildren().get(0), binaryAsText) + "[]";
    } else if (t instanceof ArrowType.Struct) {
      StringJoiner members = new StringJoiner(", ", "STRUCT(", ")");
      field.getChildren().forEach(c -> members.add(identifier(c.getName()) + " "
          + textType(c, binaryAsText)));
      return members.toString();
    }
    return type(field, binaryAsText);
  }

  /** The header line of each CSV file under {@code dir}, as DuckDB splits it. */
  List<List<String>> csvHeaders(Path dir, int columns) throws SQLException {
    StringJoiner names = new StringJoiner(", ", "{", "}");
    for (int c = 0; c < columns; c++) {
      names.add(literal("c" + c) + ": 'VARCHAR'");
    }
    List<List<String>> headers = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet files = s.executeQuery("SELECT file FROM glob(" + literal(dir + "/*.csv")
            + ") ORDER BY file")) {
      while (files.next()) {
        try (Statement h = connection.createStatement();
            ResultSet r = h.executeQuery("SELECT * FROM read_csv(" + literal(files.getString(1))
                + ", header = false, auto_detect = false, delim = ',', quote = '\"',"
                + " escape = '\"', columns = " + names + ") LIMIT 1")) {
          List<String> header = new ArrayList<>();
          if (r.next()) {
            for (int c = 1; c <= columns; c++) {
              header.add(r.getString(c));
            }
          }
          headers.add(header);
        }
      }
    }
    return headers;
  }

  /**
   * The rows of the JSON-lines files under {@code dir}: each object's member of each field's
   * name (a missing member is null), transformed to the field's DuckDB type. DuckDB reads JSON
   * numbers as doubles, so decimal values come back as {@code Double}; binary as base64 text,
   * decoded.
   */
  List<Map<String, Object>> readJson(Path dir, Schema schema) throws SQLException {
    StringJoiner select = new StringJoiner(", ");
    for (Field f : schema.getFields()) {
      select.add("to_json(json_transform(json_extract(json, " + literal(jsonPath(f.getName()))
          + "), " + literal(structure(f)) + "))");
    }
    return rows("SELECT " + select + " FROM read_json_objects(" + literal(dir + "/*.json")
        + ", format = 'newline_delimited')", schema, Rendering.BASE64_DECIMALS_AS_DOUBLES);
  }

  private List<Map<String, Object>> rows(String sql, Schema schema, Rendering rendering)
      throws SQLException {
    List<Field> fields = schema.getFields();
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery(sql)) {
      if (r.getMetaData().getColumnCount() != fields.size()) {
        throw new IllegalStateException("DuckDB sees " + r.getMetaData().getColumnCount()
            + " columns, the schema has " + fields.size() + ": " + sql);
      }
      while (r.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int c = 0; c < fields.size(); c++) {
          String json = r.getString(c + 1);
          row.put(fields.get(c).getName(),
              json == null ? null : javaValue(parse(json), fields.get(c), rendering));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  // ------------------------------------------------------------------------ writing

  /**
   * Writes {@code rows} of {@code schema} with DuckDB's defaults into {@code file}: {@code
   * (FORMAT parquet)} or {@code (FORMAT csv, HEADER)}. Names must differ ignoring case.
   */
  void write(RandomTables.Table table, Path file, String format) throws SQLException {
    List<Field> fields = table.schema().getFields();
    StringJoiner names = new StringJoiner(", ");
    fields.forEach(f -> names.add(identifier(f.getName())));
    StringJoiner values = new StringJoiner(",\n");
    for (Map<String, Object> row : table.rows()) {
      StringJoiner tuple = new StringJoiner(", ", "(", ")");
      for (Field f : fields) {
        tuple.add(sqlValue(row.get(f.getName()), f));
      }
      values.add(tuple.toString());
    }
    String options = format.equals("csv") ? "FORMAT csv, HEADER" : "FORMAT parquet";
    execute("COPY (SELECT * FROM (VALUES " + values + ") t(" + names + ")) TO "
        + literal(file.toString()) + " (" + options + ")");
  }

  /** {@code value} of {@code field} as a DuckDB literal of the field's type. */
  private static String sqlValue(Object value, Field field) {
    String type = type(field, false);
    if (value == null) {
      return "CAST(NULL AS " + type + ")";
    }
    ArrowType t = field.getType();
    String text;
    if (t instanceof ArrowType.Int || t instanceof ArrowType.Decimal) {
      text = literal(value instanceof BigDecimal d ? d.toPlainString() : value.toString());
    } else if (t instanceof ArrowType.FloatingPoint || t instanceof ArrowType.Bool
        || t instanceof ArrowType.Utf8 || t instanceof ArrowType.Date) {
      text = literal(value.toString());
    } else if (t instanceof ArrowType.Binary) {
      return "unhex(" + literal(HexFormat.of().formatHex((byte[]) value)) + ")";
    } else if (t instanceof ArrowType.Timestamp ts) {
      LocalDateTime local = value instanceof Instant i ? LocalDateTime.ofInstant(i, ZoneOffset.UTC)
          : (LocalDateTime) value;
      text = literal(SQL_TIME.format(local) + (ts.getTimezone() == null ? "" : "+00"));
    } else if (t instanceof ArrowType.List) {
      StringJoiner items = new StringJoiner(", ", "[", "]");
      ((List<?>) value).forEach(v -> items.add(sqlValue(v, field.getChildren().get(0))));
      text = items.toString();
    } else if (t instanceof ArrowType.Struct) {
      StringJoiner members = new StringJoiner(", ", "struct_pack(", ")");
      for (Field child : field.getChildren()) {
        members.add(identifier(child.getName()) + " := "
            + sqlValue(((Map<?, ?>) value).get(child.getName()), child));
      }
      text = members.toString();
    } else {
      throw new IllegalArgumentException("DuckDB cannot write " + t);
    }
    return "CAST(" + text + " AS " + type + ")";
  }

  // ------------------------------------------------------------------------ types

  /** The DuckDB type of {@code field}; binary as VARCHAR when {@code binaryAsText}. */
  private static String type(Field field, boolean binaryAsText) {
    ArrowType t = field.getType();
    if (t instanceof ArrowType.Int i) {
      return switch (i.getBitWidth()) {
        case 8 -> "TINYINT";
        case 16 -> "SMALLINT";
        case 32 -> "INTEGER";
        default -> "BIGINT";
      };
    } else if (t instanceof ArrowType.FloatingPoint f) {
      return f.getPrecision() == FloatingPointPrecision.SINGLE ? "FLOAT" : "DOUBLE";
    } else if (t instanceof ArrowType.Bool) {
      return "BOOLEAN";
    } else if (t instanceof ArrowType.Utf8) {
      return "VARCHAR";
    } else if (t instanceof ArrowType.Binary || t instanceof ArrowType.FixedSizeBinary) {
      return binaryAsText ? "VARCHAR" : "BLOB";
    } else if (t instanceof ArrowType.Date) {
      return "DATE";
    } else if (t instanceof ArrowType.Timestamp ts) {
      if (ts.getTimezone() != null) {
        return "TIMESTAMPTZ";
      }
      return switch (ts.getUnit()) {
        case SECOND -> "TIMESTAMP_S";
        case MILLISECOND -> "TIMESTAMP_MS";
        case MICROSECOND -> "TIMESTAMP";
        case NANOSECOND -> "TIMESTAMP_NS";
      };
    } else if (t instanceof ArrowType.Decimal d) {
      return "DECIMAL(" + d.getPrecision() + ", " + d.getScale() + ")";
    } else if (t instanceof ArrowType.List || t instanceof ArrowType.FixedSizeList) {
      return type(field.getChildren().get(0), binaryAsText) + "[]";
    } else if (t instanceof ArrowType.Struct) {
      StringJoiner members = new StringJoiner(", ", "STRUCT(", ")");
      field.getChildren().forEach(c -> members.add(identifier(c.getName()) + " "
          + type(c, binaryAsText)));
      return members.toString();
    }
    throw new IllegalArgumentException("no DuckDB type for " + t);
  }

  /** The {@code json_transform} structure of {@code field}: decimals as DOUBLE (see above). */
  private static String structure(Field field) {
    ArrowType t = field.getType();
    if (t instanceof ArrowType.List || t instanceof ArrowType.FixedSizeList) {
      return "[" + structure(field.getChildren().get(0)) + "]";
    } else if (t instanceof ArrowType.Struct) {
      StringJoiner members = new StringJoiner(", ", "{", "}");
      field.getChildren().forEach(c -> members.add(jsonString(c.getName()) + ": "
          + structure(c)));
      return members.toString();
    }
    return jsonString(t instanceof ArrowType.Decimal ? "DOUBLE" : type(field, true));
  }

  // ------------------------------------------------------------------------ values

  /** A number as its text, so no parsing step rounds it before the field's type is known. */
  private record Number(String text) {}

  /** DuckDB's JSON text as null, Boolean, String, Number, List or Map. */
  private static Object parse(String json) {
    try (JsonParser p = JSON.createParser(json)) {
      p.nextToken();
      return tree(p);
    } catch (IOException e) {
      throw new UncheckedIOException("DuckDB gave JSON Jackson cannot read: " + json, e);
    }
  }

  private static Object tree(JsonParser p) throws IOException {
    JsonToken token = p.currentToken();
    switch (token) {
      case START_ARRAY -> {
        List<Object> items = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(tree(p));
        }
        return items;
      }
      case START_OBJECT -> {
        Map<String, Object> members = new LinkedHashMap<>();
        while (p.nextToken() != JsonToken.END_OBJECT) {
          String name = p.currentName();
          p.nextToken();
          members.put(name, tree(p));
        }
        return members;
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return new Number(p.getText());
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return token == JsonToken.VALUE_TRUE;
      }
      case VALUE_NULL -> {
        return null;
      }
      default -> throw new IllegalStateException("unexpected JSON token " + token);
    }
  }

  /** The Java value of DuckDB's rendering {@code v} of a value of {@code field}. */
  private static Object javaValue(Object v, Field field, Rendering rendering) {
    if (v == null) {
      return null;
    }
    ArrowType t = field.getType();
    if (t instanceof ArrowType.Int i) {
      long n = Long.parseLong(((Number) v).text());
      return switch (i.getBitWidth()) {
        case 8 -> (byte) n;
        case 16 -> (short) n;
        case 32 -> (int) n;
        default -> n;
      };
    } else if (t instanceof ArrowType.FloatingPoint f) {
      String text = ((Number) v).text();
      return f.getPrecision() == FloatingPointPrecision.SINGLE ? (Object) Float.parseFloat(text)
          : (Object) Double.parseDouble(text);
    } else if (t instanceof ArrowType.Bool || t instanceof ArrowType.Utf8) {
      return v;
    } else if (t instanceof ArrowType.Binary || t instanceof ArrowType.FixedSizeBinary) {
      String text = (String) v;
      return rendering == Rendering.ESCAPED ? unescape(text) : Base64.getDecoder().decode(text);
    } else if (t instanceof ArrowType.Date) {
      return LocalDate.parse((String) v);
    } else if (t instanceof ArrowType.Timestamp ts) {
      String text = ((String) v).replace(' ', 'T');
      return ts.getTimezone() == null ? LocalDateTime.parse(text)
          : OffsetDateTime.parse(text.endsWith("+00") ? text + ":00" : text).toInstant();
    } else if (t instanceof ArrowType.Decimal) {
      String text = v instanceof Number n ? n.text() : (String) v;
      return rendering == Rendering.BASE64_DECIMALS_AS_DOUBLES ? (Object) Double.parseDouble(text)
          : new BigDecimal(text);
    } else if (t instanceof ArrowType.List || t instanceof ArrowType.FixedSizeList) {
      Field item = field.getChildren().get(0);
      List<?> items = (List<?>) v;
      if (t instanceof ArrowType.FixedSizeList && item.getType()
          instanceof ArrowType.FloatingPoint fp && fp.getPrecision()
          == FloatingPointPrecision.SINGLE) {
        float[] tensor = new float[items.size()];
        for (int k = 0; k < tensor.length; k++) {
          tensor[k] = (Float) javaValue(items.get(k), item, rendering);
        }
        return tensor;
      }
      List<Object> out = new ArrayList<>(items.size());
      items.forEach(x -> out.add(javaValue(x, item, rendering)));
      return out;
    } else if (t instanceof ArrowType.Struct) {
      Map<?, ?> members = (Map<?, ?>) v;
      Map<String, Object> out = new LinkedHashMap<>();
      for (Field child : field.getChildren()) {
        out.put(child.getName(), javaValue(members.get(child.getName()), child, rendering));
      }
      return out;
    }
    throw new IllegalArgumentException("no Java value for " + t);
  }

  /** DuckDB's blob text: printable ASCII as itself, every other byte as {@code \xHH}. */
  private static byte[] unescape(String text) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < text.length(); ) {
      if (text.startsWith("\\x", i)) {
        out.write(Integer.parseInt(text.substring(i + 2, i + 4), 16));
        i += 4;
      } else {
        out.write(text.charAt(i));
        i++;
      }
    }
    return out.toByteArray();
  }

  // ------------------------------------------------------------------------ SQL text

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static String identifier(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }

  private static String jsonString(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** A JSON path selecting the member {@code name} exactly (dots and spaces included). */
  private static String jsonPath(String name) {
    return "$." + jsonString(name);
  }

  /** Runs one statement (e.g. a {@code COPY ... TO} a file of DuckDB's own making). */
  void execute(String sql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
