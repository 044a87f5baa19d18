package dev.tributary.connectors;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * DuckDB (JDBC, in memory) as the independent reader and writer of the text formats: files it
 * writes for Tributary to read, and Tributary's files read back with explicit column types, as
 * the Java values Tributary uses for them.
 */
final class DuckDbText {
  private DuckDbText() {}

  /** Runs statements (e.g. {@code COPY ... TO ...}). */
  static void execute(String... sql) {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      for (String q : sql) {
        s.execute(q);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The rows of a query, each value as JDBC's {@code getObject} returns it. */
  static List<List<Object>> query(String sql) {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      List<List<Object>> rows = new ArrayList<>();
      int n = r.getMetaData().getColumnCount();
      while (r.next()) {
        List<Object> row = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
          row.add(r.getObject(i));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /**
   * The rows DuckDB reads with {@code function} ({@code read_csv} or {@code read_json}) from
   * {@code file} with the columns of {@code schema} and {@code options} (DuckDB's named
   * arguments, e.g. {@code header=true}), as Tributary's Java values: binary columns are base64
   * text decoded with {@code from_base64}.
   */
  static List<Map<String, Object>> read(String function, Path file, Schema schema,
      String options) {
    String columns = schema.getFields().stream()
        .map(f -> literal(f.getName()) + ": " + literal(sqlType(f.getType())))
        .collect(Collectors.joining(", ", "{", "}"));
    String select = schema.getFields().stream()
        .map(f -> binary(f.getType()) ? "from_base64(" + identifier(f.getName()) + ")"
            : identifier(f.getName()))
        .collect(Collectors.joining(", "));
    String sql = "SELECT " + select + " FROM " + function + "(" + literal(file.toString())
        + ", columns=" + columns + (options.isEmpty() ? "" : ", " + options) + ")";
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      List<Map<String, Object>> rows = new ArrayList<>();
      List<Field> fields = schema.getFields();
      while (r.next()) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < fields.size(); i++) {
          row.put(fields.get(i).getName(), value(r, i + 1, fields.get(i).getType()));
        }
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  private static Object value(ResultSet r, int i, ArrowType type) throws SQLException {
    if (r.getObject(i) == null) {
      return null;
    } else if (binary(type)) {
      return r.getBytes(i);
    } else if (type instanceof ArrowType.Date) {
      return r.getObject(i, LocalDate.class);
    } else if (type instanceof ArrowType.Timestamp ts) {
      if (ts.getTimezone() == null) {
        return r.getObject(i, LocalDateTime.class);
      }
      // TIMESTAMPTZ holds µs: zoned ns columns are read as TIMESTAMP_NS of their UTC text.
      return ts.getUnit() == TimeUnit.NANOSECOND
          ? r.getObject(i, LocalDateTime.class).toInstant(ZoneOffset.UTC)
          : r.getObject(i, OffsetDateTime.class).toInstant();
    }
    return r.getObject(i);
  }

  private static boolean binary(ArrowType type) {
    return type instanceof ArrowType.Binary || type instanceof ArrowType.FixedSizeBinary;
  }

  /** DuckDB's type for an Arrow type (binary is read as its base64 text). */
  static String sqlType(ArrowType type) {
    if (type instanceof ArrowType.Int i) {
      return switch (i.getBitWidth()) {
        case 8 -> "TINYINT";
        case 16 -> "SMALLINT";
        case 32 -> "INTEGER";
        default -> "BIGINT";
      };
    } else if (type instanceof ArrowType.FloatingPoint f) {
      return f.getPrecision() == FloatingPointPrecision.SINGLE ? "FLOAT" : "DOUBLE";
    } else if (type instanceof ArrowType.Bool) {
      return "BOOLEAN";
    } else if (type instanceof ArrowType.Utf8 || binary(type)) {
      return "VARCHAR";
    } else if (type instanceof ArrowType.Date) {
      return "DATE";
    } else if (type instanceof ArrowType.Timestamp ts) {
      if (ts.getTimezone() != null && ts.getUnit() != TimeUnit.NANOSECOND) {
        return "TIMESTAMPTZ";
      }
      return switch (ts.getUnit()) {
        case SECOND -> "TIMESTAMP_S";
        case MILLISECOND -> "TIMESTAMP_MS";
        case MICROSECOND -> "TIMESTAMP";
        case NANOSECOND -> "TIMESTAMP_NS";
      };
    } else if (type instanceof ArrowType.Decimal d) {
      return "DECIMAL(" + d.getPrecision() + ", " + d.getScale() + ")";
    }
    throw new IllegalArgumentException("no DuckDB type for " + type + " here");
  }

  /** A SQL string literal. */
  static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static String identifier(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }
}
