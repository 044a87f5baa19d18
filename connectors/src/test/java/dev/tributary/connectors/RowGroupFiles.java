package dev.tributary.connectors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * Test files with exact row groups: {@code id} int64 (required, ascending, so every row group
 * holds a disjoint id range), {@code x} double (required, id / 2), {@code s} utf8 (optional,
 * null on every fifth row, else "s" + id).
 */
final class RowGroupFiles {
  static final MessageType SCHEMA = MessageTypeParser.parseMessageType(
      "message t { required int64 id; required double x; optional binary s (STRING); }");

  private RowGroupFiles() {}

  /** Writes {@code groups} row groups of {@code rows} rows each, ids from {@code firstId}. */
  static Path write(Path file, long firstId, int groups, int rows) {
    SimpleGroupFactory factory = new SimpleGroupFactory(SCHEMA);
    try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withConf(new PlainParquetConfiguration())
        .withType(SCHEMA)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withRowGroupRowCountLimit(rows)
        .build()) {
      for (long id = firstId; id < firstId + (long) groups * rows; id++) {
        Group g = factory.newGroup().append("id", id).append("x", id / 2.0);
        if (id % 5 != 4) {
          g.append("s", "s" + id);
        }
        writer.write(g);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }
}
