package dev.tributary.connectors;

import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.util.List;
import java.util.Objects;

/**
 * How CSV is read and written: the dialect (delimiter, quote, escape), the null token and
 * whether there is a header row. Immutable; each method returns a copy. The same options read
 * back what they wrote.
 *
 * <p>Defaults ({@link #defaults()}), as RFC 4180, DuckDB and Python's {@code csv} write:
 * <ul>
 *   <li>delimiter {@code ,}; quote {@code "}; no escape character: a quote inside a quoted value
 *       is doubled ({@code "a ""b"""}).
 *   <li>null token: none. A null is an empty unquoted field, an empty string a quoted one
 *       ({@code ""}); reading, an unquoted empty field is a null and {@code ""} an empty string
 *       (also for binary columns). In columns of other types (numbers, dates, ...) an empty field,
 *       quoted or not, is a null.
 *   <li>header row: on. Without one ({@link #header(boolean) header(false)}) columns are named
 *       {@code column0}, {@code column1}, ... or, given a schema, take its names by position.
 * </ul>
 * Values holding the delimiter, the quote, the escape, a line break or leading or trailing
 * spaces are quoted when written and read back exactly.
 *
 * <p>Spark's CSV output (escape {@code \}) reads with {@code escape('\\')}. With an escape
 * character, reading follows Jackson's rule: the escape followed by {@code n}, {@code r},
 * {@code t} or {@code 0} is a line feed, carriage return, tab or NUL, followed by anything else
 * that character; writing, a quote inside a value is written as escape + quote, the escape
 * itself doubled, and every string value is quoted. With a null token ({@link
 * #nullValue(String)}) a null is written as the token unquoted and every string value is quoted,
 * so a string equal to the token stays a string; reading, the token unquoted (and an unquoted
 * empty field) is a null, quoted it is a string.
 */
public final class CsvOptions {
  /** The default field delimiter. */
  public static final char DEFAULT_DELIMITER = ',';
  /** The default quote character. */
  public static final char DEFAULT_QUOTE = '"';

  private static final CsvOptions DEFAULTS =
      new CsvOptions(DEFAULT_DELIMITER, DEFAULT_QUOTE, null, "", true);

  /** Jackson mappers are thread-safe once configured; readers and writers are derived per use. */
  private static final CsvMapper CSV = new CsvMapper();

  private final char delimiter;
  private final char quote;
  private final Character escape;
  private final String nullValue;
  private final boolean header;

  private CsvOptions(char delimiter, char quote, Character escape, String nullValue,
      boolean header) {
    this.delimiter = delimiter;
    this.quote = quote;
    this.escape = escape;
    this.nullValue = nullValue;
    this.header = header;
  }

  /** Comma-delimited, double quotes doubled inside quotes, no null token, a header row. */
  public static CsvOptions defaults() {
    return DEFAULTS;
  }

  /** Uses {@code delimiter} between fields (e.g. {@code ';'} or {@code '\t'}). */
  public CsvOptions delimiter(char delimiter) {
    return checked(new CsvOptions(delimiter, quote, escape, nullValue, header));
  }

  /** Quotes values with {@code quote}. */
  public CsvOptions quote(char quote) {
    return checked(new CsvOptions(delimiter, quote, escape, nullValue, header));
  }

  /** Escapes quotes inside quoted values with {@code escape} (Spark writes {@code '\\'}). */
  public CsvOptions escape(char escape) {
    return checked(new CsvOptions(delimiter, quote, escape, nullValue, header));
  }

  /**
   * Writes nulls as {@code token} and reads the unquoted token as a null (e.g. {@code "NULL"} or
   * {@code "\\N"}); the empty token is the default.
   */
  public CsvOptions nullValue(String token) {
    Objects.requireNonNull(token, "token");
    return checked(new CsvOptions(delimiter, quote, escape, token, header));
  }

  /** Whether the first line names the columns (read) and is written (write). */
  public CsvOptions header(boolean header) {
    return new CsvOptions(delimiter, quote, escape, nullValue, header);
  }

  /** The field delimiter. */
  public char delimiter() {
    return delimiter;
  }

  /** The quote character. */
  public char quote() {
    return quote;
  }

  /** The escape character, or null when quotes are doubled instead. */
  public Character escape() {
    return escape;
  }

  /** The null token; empty when a null is an empty unquoted field. */
  public String nullValue() {
    return nullValue;
  }

  /** Whether there is a header row. */
  public boolean header() {
    return header;
  }

  private static CsvOptions checked(CsvOptions o) {
    String special = "" + o.delimiter + o.quote + (o.escape == null ? "" : o.escape);
    if (special.chars().distinct().count() != special.length()) {
      throw new IllegalArgumentException("the delimiter, quote and escape must differ, were "
          + o);
    }
    if (special.indexOf('\n') >= 0 || special.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("a line break cannot be a delimiter, quote or escape,"
          + " was " + o);
    }
    for (char c : special.toCharArray()) {
      if (o.nullValue.indexOf(c) >= 0) {
        throw new IllegalArgumentException("the null token '" + o.nullValue
            + "' holds a delimiter, quote or escape character, was " + o);
      }
    }
    if (o.nullValue.indexOf('\n') >= 0 || o.nullValue.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("the null token holds a line break, was " + o);
    }
    return o;
  }

  /** A reader of rows as {@code String[]} (null for a null field) in this dialect. */
  ObjectReader rowReader() {
    CsvSchema schema = dialect(CsvSchema.emptySchema());
    ObjectReader reader = CSV.readerFor(String[].class).with(schema)
        .with(CsvParser.Feature.WRAP_AS_ARRAY)
        .with(CsvParser.Feature.EMPTY_UNQUOTED_STRING_AS_NULL);
    return nullValue.isEmpty() ? reader
        : reader.with(CsvParser.Feature.ONLY_UNQUOTED_NULL_VALUES_AS_NULL);
  }

  /** A writer of rows as {@code Object[]} in this dialect, with a header of {@code names}. */
  ObjectWriter rowWriter(List<String> names) {
    CsvSchema.Builder columns = CsvSchema.builder().setUseHeader(header);
    names.forEach(columns::addColumn);
    ObjectWriter writer = CSV.writer(dialect(columns.build()))
        .with(CsvGenerator.Feature.ALWAYS_QUOTE_EMPTY_STRINGS);
    if (escape != null) {
      writer = writer.with(CsvGenerator.Feature.ESCAPE_QUOTE_CHAR_WITH_ESCAPE_CHAR);
    }
    // Jackson skips ALWAYS_QUOTE_EMPTY_STRINGS once an escape character is set, and cannot quote
    // only the strings equal to a null token: quoting every string keeps "" and the token apart.
    return escape == null && nullValue.isEmpty() ? writer
        : writer.with(CsvGenerator.Feature.ALWAYS_QUOTE_STRINGS);
  }

  private CsvSchema dialect(CsvSchema schema) {
    CsvSchema s = schema.withColumnSeparator(delimiter).withQuoteChar(quote);
    s = escape == null ? s.withoutEscapeChar() : s.withEscapeChar(escape);
    return nullValue.isEmpty() ? s : s.withNullValue(nullValue);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CsvOptions c && c.delimiter == delimiter && c.quote == quote
        && Objects.equals(c.escape, escape) && c.nullValue.equals(nullValue)
        && c.header == header;
  }

  @Override
  public int hashCode() {
    return Objects.hash(delimiter, quote, escape, nullValue, header);
  }

  @Override
  public String toString() {
    return "CsvOptions[delimiter=" + printable(delimiter) + ", quote=" + printable(quote)
        + ", escape=" + (escape == null ? "none" : printable(escape)) + ", nullValue='"
        + nullValue + "', header=" + header + "]";
  }

  private static String printable(char c) {
    return c == '\t' ? "'\\t'" : "'" + c + "'";
  }
}
