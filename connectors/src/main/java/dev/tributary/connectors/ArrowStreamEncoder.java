package dev.tributary.connectors;

import dev.tributary.columnar.Schemas;
import dev.tributary.error.SchemaMismatchException;
import dev.tributary.memory.Block;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.List;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Encodes one stream of blocks as the Arrow IPC stream format ({@code
 * application/vnd.apache.arrow.stream}): the schema message before the first batch, one record
 * batch message per block, the end-of-stream marker last, each cut into pieces of at most 64
 * KiB. One encoder per response: it remembers the schema. Blocks of one stream may differ only
 * where a column is null in every row of a block ({@link Schemas#unify}); such blocks are
 * converted to the first block's schema, or refused.
 */
public final class ArrowStreamEncoder {
  /** The media type of the Arrow IPC stream format. */
  public static final String MEDIA_TYPE = "application/vnd.apache.arrow.stream";

  private final Chunks out = new Chunks();
  private final WriteChannel channel = new WriteChannel(Channels.newChannel(out));
  private Schema schema;

  /** The bytes of {@code block} (after the schema, for the first block); reads, never closes. */
  public List<byte[]> encode(Block block) {
    try {
      if (schema == null) {
        schema = block.schema();
        MessageSerializer.serialize(channel, schema, IpcOption.DEFAULT);
      }
      try (Block same = conformed(block);
          ArrowRecordBatch batch = new VectorUnloader(same.root()).getRecordBatch()) {
        MessageSerializer.serialize(channel, batch, IpcOption.DEFAULT);
      }
      return out.take();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writes into memory: not expected
    }
  }

  /**
   * The stream's last bytes: the end-of-stream marker, after the schema {@code ifEmpty} when no
   * block was encoded (a reader needs a schema even for no rows).
   */
  public List<byte[]> end(Schema ifEmpty) {
    try {
      if (schema == null) {
        schema = ifEmpty;
        MessageSerializer.serialize(channel, schema, IpcOption.DEFAULT);
      }
      ArrowStreamWriter.writeEndOfStream(channel, IpcOption.DEFAULT);
      return out.take();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the schema was written (a block came, or the end). */
  public boolean started() {
    return schema != null;
  }

  /** {@code block} in the stream's schema: a handle of its own, the caller closes it. */
  private Block conformed(Block block) {
    if (!block.schema().getFields().equals(schema.getFields())
        && !Schemas.unify(schema, block.schema(), "Arrow stream").getFields()
            .equals(schema.getFields())) {
      throw new SchemaMismatchException("Arrow stream (an Arrow stream has one schema; cast"
          + " the column in the dataset first)", schema, block.schema());
    }
    return Schemas.conform(block, schema, block.owner());
  }
}
