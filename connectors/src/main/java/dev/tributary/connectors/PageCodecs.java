package dev.tributary.connectors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopCodecs;
import org.xerial.snappy.Snappy;

/**
 * The codecs Parquet pages are read and written with: SNAPPY pages (the default of parquet-mr,
 * DuckDB and Spark; Parquet's SNAPPY is the raw block format) straight between heap arrays, one
 * snappy-java call each way, instead of parquet-mr's Hadoop codec path (a stream per page through
 * direct buffers, then a copy out of it). Every decompressed page gets a new array, never reused,
 * so readers that keep pointers into a page's bytes (the nested assembler, parquet-mr's column
 * readers) stay valid. Other codecs go through parquet-mr's own factory, made on first use; one
 * instance per file reader or writer, which releases it when closed.
 */
final class PageCodecs implements CompressionCodecFactory {
  private final ParquetConfiguration conf;
  private CompressionCodecFactory others;
  private final SnappyPages snappy = new SnappyPages();
  private final SnappyCompressor snappyOut = new SnappyCompressor();

  PageCodecs(ParquetConfiguration conf) {
    this.conf = conf;
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    return codec == CompressionCodecName.SNAPPY ? snappy : others().getDecompressor(codec);
  }

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    return codec == CompressionCodecName.SNAPPY ? snappyOut : others().getCompressor(codec);
  }

  @Override
  public void release() {
    if (others != null) {
      others.release();
      others = null;
    }
  }

  private CompressionCodecFactory others() {
    if (others == null) {
      others = HadoopCodecs.newFactory(conf, 0);
    }
    return others;
  }

  /** SNAPPY pages, decompressed by snappy-java in one call. */
  private final class SnappyPages implements BytesInputDecompressor {
    @Override
    public BytesInput decompress(BytesInput bytes, int decompressedSize) throws IOException {
      ByteBuffer in = bytes.toByteBuffer();
      byte[] out = new byte[decompressedSize];
      int n;
      if (in.hasArray()) {
        n = Snappy.uncompress(in.array(), in.arrayOffset() + in.position(), in.remaining(), out,
            0);
      } else {
        byte[] copy = new byte[in.remaining()];
        in.duplicate().get(copy);
        n = Snappy.uncompress(copy, 0, copy.length, out, 0);
      }
      if (n != decompressedSize) {
        throw new IOException("a SNAPPY page decompressed to " + n + " bytes, its header says "
            + decompressedSize);
      }
      return BytesInput.from(out);
    }

    /** Buffer to buffer (direct reads): parquet-mr's own SNAPPY decompressor. */
    @Override
    public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output,
        int decompressedSize) throws IOException {
      others().getDecompressor(CompressionCodecName.SNAPPY).decompress(input, compressedSize,
          output, decompressedSize);
    }

    @Override
    public void release() {}
  }

  /** SNAPPY pages compressed by snappy-java through one reused array of the largest size. */
  private static final class SnappyCompressor implements BytesInputCompressor {
    private byte[] compressed = new byte[0];

    @Override
    public BytesInput compress(BytesInput bytes) throws IOException {
      ByteBuffer in = bytes.toByteBuffer();
      int size = in.remaining();
      int most = Snappy.maxCompressedLength(size);
      if (compressed.length < most) {
        compressed = new byte[Math.max(most, compressed.length * 2)];
      }
      int n = in.hasArray()
          ? Snappy.compress(in.array(), in.arrayOffset() + in.position(), size, compressed, 0)
          : Snappy.compress(bytes.toByteArray(), 0, size, compressed, 0);
      return BytesInput.from(Arrays.copyOf(compressed, n));
    }

    @Override
    public CompressionCodecName getCodecName() {
      return CompressionCodecName.SNAPPY;
    }

    @Override
    public void release() {}
  }
}
