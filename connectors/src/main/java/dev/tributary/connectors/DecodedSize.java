package dev.tributary.connectors;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BufferLayout;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.column.statistics.SizeStatistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * How large a row group's rows are once decoded into Arrow vectors, estimated from its footer:
 * what blocks are cut by, since Parquet's own sizes say little about it (a dictionary-encoded
 * string column takes a byte or two a value in Parquet and its full length in Arrow).
 *
 * <p>Flat columns are sized by their Arrow buffer layout ({@link TypeLayout}: validity bits,
 * offsets, fixed-width values); variable-width values by the writer's size statistics (the
 * unencoded bytes of the chunk's values) where the file has them, else by the chunk's
 * uncompressed size. Nested columns, whose layout depends on the data, count their chunks'
 * uncompressed size plus an offset and a validity bit a row; readers correct every estimate
 * with the blocks they measure.
 */
final class DecodedSize {
  /**
   * Variable-width buffers are allocated this much above the mean value bytes, so a chunk of
   * longer values rarely doubles its buffer; estimates count the margin, as the memory does.
   */
  static final double VALUE_BYTES_MARGIN = 1.1;

  private final double[] bytesPerRow;
  private final double[] bytesPerValue;

  /** The estimate for the fields of {@code arrow}, read as {@code requested}, in {@code group}. */
  DecodedSize(Schema arrow, MessageType requested, BlockMetaData group) {
    List<Field> fields = arrow.getFields();
    bytesPerRow = new double[fields.size()];
    bytesPerValue = new double[fields.size()];
    Map<ColumnPath, ColumnChunkMetaData> chunks = new HashMap<>();
    for (ColumnChunkMetaData c : group.getColumns()) {
      chunks.put(c.getPath(), c);
    }
    double rows = Math.max(1, group.getRowCount());
    for (int i = 0; i < fields.size(); i++) {
      Type type = requested.getType(i);
      ArrowType arrowType = fields.get(i).getType();
      if (type.isPrimitive() && !type.isRepetition(Type.Repetition.REPEATED)) {
        ColumnChunkMetaData chunk = chunks.get(ColumnPath.get(type.getName()));
        double fixed = layoutBytes(arrowType);
        if (variableWidth(arrowType) && chunk != null) {
          bytesPerValue[i] =
              VALUE_BYTES_MARGIN * dataBytes(chunk) / Math.max(1, chunk.getValueCount());
        }
        bytesPerRow[i] = fixed + bytesPerValue[i];
      } else {
        long uncompressed = chunks.values().stream()
            .filter(c -> c.getPath().toArray()[0].equals(type.getName()))
            .mapToLong(ColumnChunkMetaData::getTotalUncompressedSize).sum();
        bytesPerRow[i] = uncompressed / rows + Integer.BYTES + 1.0 / 8;
      }
    }
  }

  /** Estimated Arrow bytes of one row. */
  double bytesPerRow() {
    double sum = 0;
    for (double b : bytesPerRow) {
      sum += b;
    }
    return Math.max(1, sum);
  }

  /**
   * The value bytes to allocate per value of variable-width field {@code i} (the mean, plus a
   * margin), else 0.
   */
  double bytesPerValue(int i) {
    return bytesPerValue[i];
  }

  private static boolean variableWidth(ArrowType type) {
    return type instanceof ArrowType.Utf8 || type instanceof ArrowType.Binary
        || type instanceof ArrowType.LargeUtf8 || type instanceof ArrowType.LargeBinary;
  }

  /** Bytes a row takes in the buffers whose width the type fixes (not variable-width data). */
  private static double layoutBytes(ArrowType type) {
    double bits = 0;
    for (BufferLayout buffer : TypeLayout.getTypeLayout(type).getBufferLayouts()) {
      if (buffer.getType() != BufferLayout.BufferType.DATA || !variableWidth(type)) {
        bits += buffer.getTypeBitWidth();
      }
    }
    return bits / 8;
  }

  /** The bytes of a variable-width chunk's values, unencoded where the writer recorded them. */
  private static double dataBytes(ColumnChunkMetaData chunk) {
    SizeStatistics stats = chunk.getSizeStatistics();
    if (stats != null && stats.isValid() && stats.getUnencodedByteArrayDataBytes().isPresent()) {
      return stats.getUnencodedByteArrayDataBytes().get();
    }
    return chunk.getTotalUncompressedSize();
  }
}
