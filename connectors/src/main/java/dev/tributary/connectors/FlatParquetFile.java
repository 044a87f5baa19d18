package dev.tributary.connectors;

import dev.tributary.columnar.ColumnType;
import dev.tributary.memory.Block;
import dev.tributary.memory.HeapCharge;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.column.values.bitpacking.BytePacker;
import org.apache.parquet.column.values.bitpacking.Packer;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * A Parquet file of flat columns (integers, floating point, dates, timestamps, strings) written
 * page by page straight from Arrow buffers: PLAIN values (fixed-width ones copied in bulk from
 * the data buffer), definition levels as one RLE or bit-packed run (Arrow's validity bitmap is
 * the bit-packed encoding of width 1), compressed ({@link PageCodecs}: SNAPPY by snappy-java
 * between heap arrays, other codecs by parquet-mr's codec) and handed to parquet-mr's {@link
 * ParquetFileWriter} with parquet-mr's statistics; parquet-mr's value-at-a-time column writers
 * are bypassed. Pages are buffered (compressed, on the heap) until a row group's worth of
 * uncompressed bytes, then written column by column. The heap this file holds (buffered pages,
 * the page being encoded, dictionaries) is charged to a {@link HeapCharge}: when its account has
 * no room for more, the row group is written early, smaller (not below {@link
 * FileJob#MIN_FILE_BUFFER}), rather than growing past the budget. A string column's statistics
 * come from the dictionary values its pages use, each once.
 *
 * <p>String columns are dictionary-encoded per row group while the dictionary stays under
 * {@link #MAX_DICTIONARY_BYTES} (as parquet-mr does), or a quarter of the row group when that is
 * less (a small budget's files hold small tables): once it would grow past, the chunk's later
 * pages are PLAIN, as a chunk may mix both.
 */
final class FlatParquetFile implements FileJob.FileOut {
  /** Rows per page at most: a multiple of 8, so a page's validity starts on a byte. */
  static final int PAGE_ROWS = 16_384;

  /** The Arrow column types written here; other schemas take parquet-mr's record writer. */
  private static final Set<ColumnType> TYPES = EnumSet.of(ColumnType.INT64, ColumnType.INT32,
      ColumnType.FLOAT64, ColumnType.FLOAT32, ColumnType.DATE_DAY, ColumnType.TIMESTAMP_ZONED,
      ColumnType.TIMESTAMP_LOCAL, ColumnType.UTF8);

  /** The most PLAIN bytes of a string column's dictionary: parquet-mr's default page size. */
  static final int MAX_DICTIONARY_BYTES = 1 << 20;

  /** The least a dictionary may take, however small the row group. */
  private static final int MIN_DICTIONARY_BYTES = 64 << 10;

  /** One compressed page waiting for its row group to be written. */
  private record Page(int rows, int uncompressedBytes, BytesInput bytes, Statistics<?> stats,
      Encoding encoding) {}

  /**
   * A string column's dictionary in the current row group: values PLAIN (length, bytes) in one
   * array, found by an open-addressing table over their bytes (no object per value looked up).
   */
  private static final class Dictionary {
    /** Id + 1 of the value hashed to each slot, 0 when empty; a power of two long. */
    private int[] slots = new int[1 << 8];
    /** Where each value's bytes start in {@link #plain}, by id. */
    private int[] starts = new int[1 << 7];
    private int[] lengths = new int[1 << 7];
    private int[] hashes = new int[1 << 7];
    private int size;
    private ByteBuffer plain = ByteBuffer.allocate(1 << 12).order(ByteOrder.LITTLE_ENDIAN);
    /** The most PLAIN bytes it may hold. */
    private final int maxBytes;
    /** The ids a page refers to, as bits: its statistics come from these values once each. */
    private long[] inPage = new long[2];
    /** Grew too large: the chunk's later pages are PLAIN. */
    private boolean abandoned;
    /** A page of the chunk refers to it: it is written before the chunk's pages. */
    private boolean used;

    Dictionary(int maxBytes) {
      this.maxBytes = maxBytes;
    }

    /**
     * The id of the {@code length} bytes at {@code address} (off-heap, an Arrow data buffer's),
     * marked as used by the page, or -1 once the dictionary would grow too large. The bytes are
     * hashed and compared where they are, eight at a time, and copied only when new.
     */
    int id(long address, int length) {
      int hash = hash(address, length);
      int mask = slots.length - 1;
      byte[] bytes = plain.array();
      for (int slot = hash & mask; ; slot = (slot + 1) & mask) {
        int id = slots[slot] - 1;
        if (id < 0) {
          break;
        }
        if (hashes[id] == hash && lengths[id] == length
            && same(address, bytes, starts[id], length)) {
          inPage[id >>> 6] |= 1L << id;
          return id;
        }
      }
      return add(address, length, hash);
    }

    private int add(long address, int length, int hash) {
      if (plain.position() + Integer.BYTES + length > maxBytes) {
        abandoned = true;
        return -1;
      }
      if (plain.remaining() < Integer.BYTES + length) {
        ByteBuffer bigger = ByteBuffer.allocate(Math.min(maxBytes,
            Math.max(plain.capacity() * 2, plain.position() + Integer.BYTES + length)))
            .order(ByteOrder.LITTLE_ENDIAN);
        plain.flip();
        bigger.put(plain);
        plain = bigger;
      }
      int id = size++;
      if (id == starts.length) {
        starts = Arrays.copyOf(starts, id * 2);
        lengths = Arrays.copyOf(lengths, id * 2);
        hashes = Arrays.copyOf(hashes, id * 2);
      }
      if (id >>> 6 >= inPage.length) {
        inPage = Arrays.copyOf(inPage, inPage.length * 2);
      }
      plain.putInt(length);
      starts[id] = plain.position();
      lengths[id] = length;
      hashes[id] = hash;
      MemoryUtil.copyFromMemory(address, plain.array(), plain.position(), length);
      plain.position(plain.position() + length);
      inPage[id >>> 6] |= 1L << id;
      if (size * 2 > slots.length) {
        rehash(slots.length * 2);
      } else {
        place(id);
      }
      return id;
    }

    /**
     * Whether the {@code length} bytes at {@code address} equal those of {@code bytes} from
     * {@code start}.
     */
    private static boolean same(long address, byte[] bytes, int start, int length) {
      int i = 0;
      for (; i + Long.BYTES <= length; i += Long.BYTES) {
        if (MemoryUtil.getLong(address + i) != MemoryUtil.getLong(bytes, start + i)) {
          return false;
        }
      }
      if (i + Integer.BYTES <= length) {
        if (MemoryUtil.getInt(address + i) != MemoryUtil.getInt(bytes, start + i)) {
          return false;
        }
        i += Integer.BYTES;
      }
      for (; i < length; i++) {
        if (MemoryUtil.getByte(address + i) != bytes[start + i]) {
          return false;
        }
      }
      return true;
    }

    private void place(int id) {
      int mask = slots.length - 1;
      int slot = hashes[id] & mask;
      while (slots[slot] != 0) {
        slot = (slot + 1) & mask;
      }
      slots[slot] = id + 1;
    }

    private void rehash(int capacity) {
      slots = new int[capacity];
      for (int id = 0; id < size; id++) {
        place(id);
      }
    }

    /** A hash of the {@code length} bytes at {@code address}, eight (then four) at a time. */
    private static int hash(long address, int length) {
      long h = length;
      int i = 0;
      for (; i + Long.BYTES <= length; i += Long.BYTES) {
        h = (h ^ MemoryUtil.getLong(address + i)) * 0x9E3779B97F4A7C15L;
      }
      if (i + Integer.BYTES <= length) {
        h = (h ^ (MemoryUtil.getInt(address + i) & 0xFFFFFFFFL)) * 0x9E3779B97F4A7C15L;
        i += Integer.BYTES;
      }
      for (; i < length; i++) {
        h = (h ^ (MemoryUtil.getByte(address + i) & 0xFF)) * 0x9E3779B97F4A7C15L;
      }
      return (int) (h ^ (h >>> 32));
    }

    /** Adds the values the page used to {@code stats}, once each, and forgets them. */
    void pageStatistics(Statistics<?> stats) {
      byte[] bytes = plain.array();
      for (int w = 0; w < inPage.length; w++) {
        long bits = inPage[w];
        while (bits != 0) {
          int id = (w << 6) + Long.numberOfTrailingZeros(bits);
          bits &= bits - 1;
          // Reused: statistics copy a new minimum or maximum, as the array changes later.
          stats.updateStats(Binary.fromReusedByteArray(bytes, starts[id], lengths[id]));
        }
        inPage[w] = 0;
      }
    }

    /** Forgets which values the page used (it is written PLAIN instead). */
    void forgetPage() {
      Arrays.fill(inPage, 0);
    }

    int size() {
      return size;
    }

    /** The heap bytes this dictionary holds. */
    long footprint() {
      return plain.capacity() + (long) Integer.BYTES * (slots.length + 3L * starts.length)
          + (long) Long.BYTES * inPage.length;
    }

    void reset() {
      Arrays.fill(slots, 0);
      Arrays.fill(inPage, 0);
      size = 0;
      plain.clear();
      abandoned = false;
      used = false;
    }
  }

  private final ParquetFileWriter writer;
  /** The heap held here, charged to the writing job's account. */
  private final HeapCharge charge;
  private final PageCodecs codecs;
  private final BytesInputCompressor compressor;
  private final CompressionCodecName codec;
  private final String arrowSchema;
  /** The row group's uncompressed bytes: asked at each write, as the job's open files vary. */
  private final LongSupplier rowGroupBytes;
  private final List<ColumnDescriptor> columns;
  private final ColumnType[] types;
  private final List<List<Page>> pages = new ArrayList<>();
  /** Each string column's dictionary (null for other columns). */
  private final Dictionary[] dictionaries;
  /** A page's dictionary ids (empty without string columns). */
  private final int[] ids;
  private long bufferedBytes;
  /** The compressed bytes of the buffered pages. */
  private long bufferedCompressed;
  private long bufferedRows;
  /** The page being encoded, reused; little-endian as Parquet's PLAIN encoding. */
  private ByteBuffer page = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

  /**
   * Whether every column of {@code schema} is written by this class: top-level, of a type it
   * writes (nested columns, booleans, decimals, binary and the null type are not).
   */
  static boolean writes(Schema schema) {
    for (Field f : schema.getFields()) {
      if (!f.getChildren().isEmpty() || !TYPES.contains(ColumnType.of(f))) {
        return false;
      }
    }
    return true;
  }

  /**
   * A file at {@code path} for rows of {@code schema}, its row groups of about {@code
   * rowGroupBytes} uncompressed (asked at each write; fewer when {@code charge} is refused);
   * takes {@code charge} and closes it with the file.
   */
  FlatParquetFile(Path path, Schema schema, CompressionCodecName codec,
      LongSupplier rowGroupBytes, HeapCharge charge) throws IOException {
    this.charge = charge;
    MessageType parquet = ParquetSchemas.toParquet(schema);
    long rowGroup = rowGroupBytes.getAsLong();
    this.writer = new ParquetFileWriter(new LocalOutputFile(path), parquet,
        ParquetFileWriter.Mode.OVERWRITE, rowGroup, 0);
    this.codecs = new PageCodecs(new PlainParquetConfiguration());
    this.compressor = codecs.getCompressor(codec);
    this.codec = codec;
    this.arrowSchema = schema.toJson();
    this.rowGroupBytes = rowGroupBytes;
    this.columns = parquet.getColumns();
    this.types = schema.getFields().stream().map(ColumnType::of).toArray(ColumnType[]::new);
    this.dictionaries = new Dictionary[types.length];
    int dictionaryBytes = (int) Math.min(MAX_DICTIONARY_BYTES,
        Math.max(MIN_DICTIONARY_BYTES, rowGroup / 4));
    boolean strings = false;
    for (int c = 0; c < types.length; c++) {
      pages.add(new ArrayList<>());
      if (types[c] == ColumnType.UTF8) {
        dictionaries[c] = new Dictionary(dictionaryBytes);
        strings = true;
      }
    }
    this.ids = new int[strings ? PAGE_ROWS : 0];
    writer.start();
  }

  @Override
  public void write(Block rows) throws IOException {
    List<FieldVector> vectors = rows.root().getFieldVectors();
    int n = rows.rowCount();
    for (int from = 0; from < n; from += PAGE_ROWS) {
      int count = Math.min(PAGE_ROWS, n - from);
      for (int c = 0; c < types.length; c++) {
        encode(c, vectors.get(c), from, count);
      }
      bufferedRows += count;
    }
    boolean charged = charge.trySet(heldBytes());
    if (bufferedBytes >= rowGroupBytes.getAsLong()
        || !charged && bufferedBytes >= FileJob.MIN_FILE_BUFFER) {
      // At its size, or its account has no room for more: the row group is written now, which
      // frees its pages (never below the least row group, which may then go uncharged).
      flush();
      charge.trySet(heldBytes());
    }
  }

  /** The heap bytes this file holds: buffered pages, the page buffer, ids and dictionaries. */
  private long heldBytes() {
    long bytes = bufferedCompressed + page.capacity() + (long) Integer.BYTES * ids.length;
    for (Dictionary d : dictionaries) {
      if (d != null) {
        bytes += d.footprint();
      }
    }
    return bytes;
  }

  /** Encodes rows {@code [from, from + count)} of column {@code c} as one compressed page. */
  private void encode(int c, FieldVector v, int from, int count) throws IOException {
    ColumnDescriptor column = columns.get(c);
    boolean optional = column.getMaxDefinitionLevel() > 0;
    int nulls = optional ? nullsIn(v, from, count) : 0;
    page.clear();
    if (optional) {
      definitionLevels(v, from, count, nulls);
    }
    int levels = page.position();
    Statistics<?> stats = Statistics.createStats(column.getPrimitiveType());
    if (nulls > 0) {
      stats.incrementNumNulls(nulls);
    }
    Encoding encoding = Encoding.PLAIN;
    Dictionary dictionary = dictionaries[c];
    if (dictionary != null && !dictionary.abandoned) {
      if (dictionaryIds((BaseVariableWidthVector) v, from, count, nulls, dictionary, stats)) {
        encoding = Encoding.PLAIN_DICTIONARY;
        dictionary.used = true;
      } else {
        // Too many distinct values: this page and the chunk's later ones are PLAIN.
        page.position(levels);
        stats = Statistics.createStats(column.getPrimitiveType());
        if (nulls > 0) {
          stats.incrementNumNulls(nulls);
        }
      }
    }
    ArrowBuf data = v.getDataBuffer();
    int to = from + count;
    boolean all = nulls == 0;
    // One tight loop per type: parquet-mr's statistics of each non-null value.
    switch (types[c]) {
      case INT64, TIMESTAMP_ZONED, TIMESTAMP_LOCAL -> {
        fixed(v, from, count, nulls, Long.BYTES);
        // Integers have no NaN: their bounds are the statistics, given once.
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int r = from; r < to; r++) {
          if (all || !v.isNull(r)) {
            long x = data.getLong((long) r * Long.BYTES);
            min = Math.min(min, x);
            max = Math.max(max, x);
          }
        }
        if (count > nulls) {
          stats.updateStats(min);
          stats.updateStats(max);
        }
      }
      case FLOAT64 -> {
        int at = page.position();
        fixed(v, from, count, nulls, Double.BYTES);
        // The bounds of the non-NaN values the page holds, then each NaN counted: what
        // parquet-mr's statistics make of the values one by one (they normalize signed zeros).
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int nans = 0;
        byte[] values = page.array();
        for (int i = at; i < page.position(); i += Double.BYTES) {
          double x = Double.longBitsToDouble(MemoryUtil.getLong(values, i));
          if (x != x) {
            nans++;
          } else {
            min = Math.min(min, x);
            max = Math.max(max, x);
          }
        }
        if (count - nulls > nans) {
          stats.updateStats(min);
          stats.updateStats(max);
        }
        for (int i = 0; i < nans; i++) {
          stats.updateStats(Double.NaN);
        }
      }
      case INT32, DATE_DAY -> {
        fixed(v, from, count, nulls, Integer.BYTES);
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int r = from; r < to; r++) {
          if (all || !v.isNull(r)) {
            int x = data.getInt((long) r * Integer.BYTES);
            min = Math.min(min, x);
            max = Math.max(max, x);
          }
        }
        if (count > nulls) {
          stats.updateStats(min);
          stats.updateStats(max);
        }
      }
      case FLOAT32 -> {
        fixed(v, from, count, nulls, Float.BYTES);
        for (int r = from; r < to; r++) {
          if (all || !v.isNull(r)) {
            stats.updateStats(data.getFloat((long) r * Float.BYTES));
          }
        }
      }
      case UTF8 -> {
        if (encoding == Encoding.PLAIN) {
          strings((BaseVariableWidthVector) v, from, count, nulls, stats);
        }
      }
      default -> throw new IllegalStateException("not a flat column: " + types[c]);
    }
    int size = page.position();
    byte[] compressed = compress(page.array(), size);
    pages.get(c).add(new Page(count, size, BytesInput.from(compressed), stats, encoding));
    bufferedBytes += size;
    bufferedCompressed += compressed.length;
  }

  /** The first {@code size} bytes of {@code bytes} compressed ({@link PageCodecs}). */
  private byte[] compress(byte[] bytes, int size) throws IOException {
    return compressor.compress(BytesInput.from(bytes, 0, size)).toByteArray();
  }

  private static int nullsIn(FieldVector v, int from, int count) {
    if (v.getNullCount() == 0) {
      return 0;
    }
    int nulls = 0;
    for (int r = from; r < from + count; r++) {
      nulls += v.isNull(r) ? 1 : 0;
    }
    return nulls;
  }

  /**
   * The page's definition levels, length-prefixed: one RLE run of 1s when no row is null, else
   * one bit-packed run of width 1, which is the validity bitmap's bytes as they are.
   */
  private void definitionLevels(FieldVector v, int from, int count, int nulls) {
    int start = page.position();
    page.putInt(0);
    if (nulls == 0) {
      unsignedVarInt(count << 1);
      page.put((byte) 1);
    } else {
      int groups = (count + 7) / 8;
      unsignedVarInt(groups << 1 | 1);
      room(groups);
      v.getValidityBuffer().getBytes(from / 8, page.array(), page.position(), groups);
      page.position(page.position() + groups);
    }
    page.putInt(start, page.position() - start - Integer.BYTES);
  }

  private void unsignedVarInt(int value) {
    room(5);
    while ((value & ~0x7F) != 0) {
      page.put((byte) (value & 0x7F | 0x80));
      value >>>= 7;
    }
    page.put((byte) value);
  }

  /**
   * PLAIN fixed-width values: the data buffer's bytes in bulk when no row is null, the non-null
   * values one by one otherwise.
   */
  private void fixed(FieldVector v, int from, int count, int nulls, int width) {
    ArrowBuf data = v.getDataBuffer();
    room(count * width);
    int at = page.position();
    if (nulls == 0) {
      data.getBytes((long) from * width, page.array(), at, count * width);
      page.position(at + count * width);
      return;
    }
    for (int r = from; r < from + count; r++) {
      if (!v.isNull(r)) {
        data.getBytes((long) r * width, page.array(), page.position(), width);
        page.position(page.position() + width);
      }
    }
  }

  /**
   * Dictionary ids of the page's non-null strings, as the bit width (one byte) and one
   * bit-packed run of the RLE/bit-packed hybrid encoding; false (the page left as it was) once
   * the dictionary would grow too large.
   */
  private boolean dictionaryIds(BaseVariableWidthVector v, int from, int count, int nulls,
      Dictionary dictionary, Statistics<?> stats) {
    long offsets = v.getOffsetBuffer().memoryAddress();
    long data = v.getDataBuffer().memoryAddress();
    int n = 0;
    int end = MemoryUtil.getInt(offsets + (long) from * 4);
    for (int r = from; r < from + count; r++) {
      int start = end;
      end = MemoryUtil.getInt(offsets + (long) (r + 1) * 4);
      if (nulls > 0 && v.isNull(r)) {
        continue;
      }
      int id = dictionary.id(data + start, end - start);
      if (id < 0) {
        dictionary.forgetPage();
        return false;
      }
      ids[n++] = id;
    }
    dictionary.pageStatistics(stats);
    int width = Math.max(1, 32 - Integer.numberOfLeadingZeros(dictionary.size() - 1));
    // One bit-packed run of the hybrid encoding, as the definition levels are: groups of eight
    // ids packed by parquet-mr's packer, the last group padded with zeros.
    int groups = (n + 7) >>> 3;
    Arrays.fill(ids, n, groups << 3, 0);
    room(1 + 5 + groups * width);
    page.put((byte) width);
    if (groups > 0) {
      unsignedVarInt(groups << 1 | 1);
      BytePacker packer = Packer.LITTLE_ENDIAN.newBytePacker(width);
      byte[] out = page.array();
      int at = page.position();
      for (int g = 0; g < groups; g++, at += width) {
        packer.pack8Values(ids, g << 3, out, at);
      }
      page.position(at);
    }
    return true;
  }

  /** PLAIN strings: each non-null value as its length (4 bytes) and bytes. */
  private void strings(BaseVariableWidthVector v, int from, int count, int nulls,
      Statistics<?> stats) {
    ArrowBuf offsets = v.getOffsetBuffer();
    ArrowBuf data = v.getDataBuffer();
    int first = offsets.getInt((long) from * 4);
    int last = offsets.getInt((long) (from + count) * 4);
    room((last - first) + count * Integer.BYTES);
    byte[] out = page.array();
    for (int r = from; r < from + count; r++) {
      if (nulls > 0 && v.isNull(r)) {
        continue;
      }
      int start = offsets.getInt((long) r * 4);
      int length = offsets.getInt((long) (r + 1) * 4) - start;
      page.putInt(length);
      int at = page.position();
      data.getBytes(start, out, at, length);
      page.position(at + length);
      // Reused: the page buffer is overwritten by the next page, statistics copy what they keep.
      stats.updateStats(Binary.fromReusedByteArray(out, at, length));
    }
  }

  /** Makes room for {@code bytes} more in the page buffer. */
  private void room(int bytes) {
    if (page.remaining() >= bytes) {
      return;
    }
    int needed = page.position() + bytes;
    ByteBuffer bigger = ByteBuffer.allocate(Math.max(needed, page.capacity() * 2))
        .order(ByteOrder.LITTLE_ENDIAN);
    page.flip();
    bigger.put(page);
    page = bigger;
  }

  /** Writes the buffered pages as one row group, column by column. */
  private void flush() throws IOException {
    if (bufferedRows == 0) {
      return;
    }
    writer.startBlock(bufferedRows);
    for (int c = 0; c < columns.size(); c++) {
      ColumnDescriptor column = columns.get(c);
      Encoding levels = column.getMaxDefinitionLevel() > 0 ? Encoding.RLE : Encoding.BIT_PACKED;
      writer.startColumn(column, bufferedRows, codec);
      Dictionary dictionary = dictionaries[c];
      if (dictionary != null) {
        if (dictionary.used) {
          int size = dictionary.plain.position();
          byte[] compressed = compress(dictionary.plain.array(), size);
          writer.writeDictionaryPage(new DictionaryPage(BytesInput.from(compressed), size,
              dictionary.size(), Encoding.PLAIN_DICTIONARY));
        }
        dictionary.reset();
      }
      for (Page p : pages.get(c)) {
        writer.writeDataPage(p.rows(), p.uncompressedBytes(), p.bytes(), p.stats(), p.rows(),
            Encoding.BIT_PACKED, levels, p.encoding());
      }
      writer.endColumn();
      pages.get(c).clear();
    }
    writer.endBlock();
    bufferedBytes = 0;
    bufferedCompressed = 0;
    bufferedRows = 0;
  }

  @Override
  public void close() throws IOException {
    try {
      flush();
      writer.end(Map.of(ParquetSchemas.ARROW_SCHEMA_KEY, arrowSchema));
    } finally {
      codecs.release();
      charge.close();
    }
  }
}
