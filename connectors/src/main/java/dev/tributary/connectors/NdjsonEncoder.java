package dev.tributary.connectors;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Encodes blocks as newline-delimited JSON ({@code application/x-ndjson}), one object per row,
 * values written as {@code writeJson} writes them (dates and times as ISO strings, binary as
 * base64, nesting kept), cut into pieces of at most 64 KiB. Stateless: one instance may serve
 * any number of responses.
 */
public final class NdjsonEncoder {
  /** The media type of newline-delimited JSON. */
  public static final String MEDIA_TYPE = "application/x-ndjson";

  /**
   * One JSON object per row, objects separated by {@code \n}; shared with {@code writeJson}'s
   * files ({@link TextSink}), so a response and a file hold the same text. Jackson writers are
   * thread-safe once configured.
   */
  static final ObjectWriter ROWS = JsonMapper.builder()
      .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
      .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
      .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
      .build().writer().withRootValueSeparator("\n");

  /** The rows of {@code block}, each line ending in {@code \n}; reads, never closes. */
  public List<byte[]> encode(Block block) {
    Chunks out = new Chunks();
    try (SequenceWriter rows = ROWS.writeValues(out)) {
      writeRows(block, rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writes into memory: not expected
    }
    if (block.rowCount() > 0) {
      out.write('\n');
    }
    return out.take();
  }

  /** Writes each row of {@code block} as one JSON object (values as {@code writeJson} writes). */
  static void writeRows(Block block, SequenceWriter rows) throws IOException {
    List<Field> fields = block.schema().getFields();
    Object[][] columns = new Object[fields.size()][];
    for (int c = 0; c < columns.length; c++) {
      columns[c] = ColumnReader.values(block, fields.get(c).getName());
    }
    for (int r = 0, n = block.rowCount(); r < n; r++) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (int c = 0; c < columns.length; c++) {
        row.put(fields.get(c).getName(), TextTypes.toJson(columns[c][r]));
      }
      rows.write(row);
    }
  }
}
