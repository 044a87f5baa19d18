package dev.tributary.connectors;

import dev.tributary.columnar.ColumnType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.parquet.bytes.ByteBufferInputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Dictionary;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.ValuesType;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.column.values.ValuesReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Decodes one flat column chunk page by page straight into Arrow vectors, bypassing parquet-mr's
 * value-at-a-time {@code ColumnReader}. Pages come from parquet-mr's {@link PageReader}
 * (decompressed by its codec factory); a page's definition levels and dictionary ids are decoded
 * whole into {@code int} arrays, then values are copied by tight loops over the page bytes and
 * the vector's memory: PLAIN fixed-width runs of non-null values with one memory copy each,
 * dictionary ids through the chunk's dictionary decoded once into a primitive array. Pages in any
 * other value encoding (DELTA_BINARY_PACKED, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT, RLE booleans)
 * go through parquet-mr's own {@link ValuesReader} for that encoding, chosen once per page. A
 * chunk read filtered by column index holds only some pages; the decoder then decodes only the
 * rows of the ranges kept and passes over the other values of each page. A filtered read may
 * also decode only the rows a filter keeps ({@link #read(FieldVector, int, long[], int)}), and
 * test a filter of this column through its dictionary, once per entry, without decoding any
 * value ({@link #mask}).
 *
 * <p>{@link #supports} says which columns this decoder reads (the rest keep the {@code
 * ColumnReader} path): top-level, non-repeated INT32 (int32, date), INT64 (int64, timestamps),
 * FLOAT, DOUBLE, BOOLEAN and BINARY (utf8, binary) columns; not INT96, decimals, fixed-length
 * binary, narrowed or unsigned integers.
 */
final class PageDecoder {
  private static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** How values are laid out in the vector: the loops are chosen by this, once per page. */
  private enum Kind { FIXED4, FIXED8, BOOLEAN, BINARY }

  /** Where a page's non-null values come from. */
  private enum Source { PLAIN, DICTIONARY, READER }

  private final ColumnDescriptor column;
  private final PageReader pages;
  private final Kind kind;
  private final PrimitiveTypeName physical;
  private final boolean optional;
  private final Dictionary dictionary;
  /** The dictionary decoded once, as the vector stores it (floats and doubles as raw bits). */
  private int[] dict4;
  private long[] dict8;
  private byte[] dictBytes;
  private int[] dictOffsets;

  /**
   * The rows to decode as {@code [from, to]} pairs (inclusive, ascending) when the chunk was read
   * filtered by its column index (only the pages overlapping them are there), else null.
   */
  private final long[] keep;
  /** The pair of {@link #keep} the next row falls in or before. */
  private int keepAt;

  // The page being read.
  /** The row index of the page's first value within the row group (filtered reads only). */
  private long pageFirstRow;
  private int pageValues;
  private int pageIndex;
  /** Definition levels of the page (1 = value, 0 = null) where it has nulls. */
  private int[] defs = new int[0];
  /** Whether the page holds nulls: without, every slot is valid and levels are not looked at. */
  private boolean pageNulls;
  private Source source;
  private byte[] data;
  private int pos;
  private int[] ids = new int[0];
  /**
   * Set by {@link #maskThrough}: per dictionary entry (then a null), 1 where a filter keeps it;
   * dictionary-encoded pages are then decoded into {@link #pageKeeps}, not ids.
   */
  private byte[] maskEntries;
  /** Bit {@code i}: whether the filter keeps the page's {@code i}th non-null value. */
  private long[] pageKeeps = new long[0];
  /** The next non-null value of the page: an index into {@link #ids} or {@link #pageKeeps}. */
  private int idPos;
  private ValuesReader reader;
  /** Bytes of variable-width values written into the vector being filled. */
  private int binaryEnd;
  /** Kept values of a {@link #summarize} step, as longs or the bits of doubles. */
  private long[] raw = new long[0];

  private PageDecoder(ColumnDescriptor column, PageReader pages, Kind kind, long[] keep) {
    this.column = column;
    this.pages = pages;
    this.kind = kind;
    this.keep = keep;
    this.physical = column.getPrimitiveType().getPrimitiveTypeName();
    this.optional = column.getMaxDefinitionLevel() > 0;
    DictionaryPage page = pages.readDictionaryPage();
    try {
      this.dictionary = page == null ? null : page.getEncoding().initDictionary(column, page);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (dictionary != null) {
      decodeDictionary();
    }
  }

  /**
   * Whether a column chunk of {@code column} read as {@code field} decodes here; decided once per
   * column chunk.
   */
  static boolean supports(ColumnDescriptor column, Field field) {
    if (column.getMaxRepetitionLevel() != 0 || column.getMaxDefinitionLevel() > 1) {
      return false;
    }
    return kind(column.getPrimitiveType().getPrimitiveTypeName(), ColumnType.of(field)) != null;
  }

  /**
   * A decoder of the chunk {@code pages} holds for {@code column}, read as {@code field}. {@code
   * keep} is null when the chunk's pages are all there; else the row ranges ({@code [from, to]}
   * pairs, inclusive, ascending) of a read filtered by column index, whose pages carry their
   * first row index: only those rows are decoded, the others of each page skipped.
   */
  static PageDecoder of(ColumnDescriptor column, Field field, PageReader pages, long[] keep) {
    return new PageDecoder(column, pages,
        kind(column.getPrimitiveType().getPrimitiveTypeName(), ColumnType.of(field)), keep);
  }

  private static Kind kind(PrimitiveTypeName physical, ColumnType type) {
    return switch (physical) {
      case INT32 -> type == ColumnType.INT32 || type == ColumnType.DATE_DAY ? Kind.FIXED4 : null;
      case FLOAT -> type == ColumnType.FLOAT32 ? Kind.FIXED4 : null;
      case INT64 -> type == ColumnType.INT64 || type == ColumnType.TIMESTAMP_ZONED
          || type == ColumnType.TIMESTAMP_LOCAL ? Kind.FIXED8 : null;
      case DOUBLE -> type == ColumnType.FLOAT64 ? Kind.FIXED8 : null;
      case BOOLEAN -> type == ColumnType.BOOL ? Kind.BOOLEAN : null;
      case BINARY -> type == ColumnType.UTF8 || type == ColumnType.BINARY ? Kind.BINARY : null;
      default -> null;
    };
  }

  private void decodeDictionary() {
    int size = dictionary.getMaxId() + 1;
    switch (kind) {
      case FIXED4 -> {
        dict4 = new int[size];
        for (int i = 0; i < size; i++) {
          dict4[i] = physical == PrimitiveTypeName.FLOAT
              ? Float.floatToRawIntBits(dictionary.decodeToFloat(i))
              : dictionary.decodeToInt(i);
        }
      }
      case FIXED8 -> {
        dict8 = new long[size];
        for (int i = 0; i < size; i++) {
          dict8[i] = physical == PrimitiveTypeName.DOUBLE
              ? Double.doubleToRawLongBits(dictionary.decodeToDouble(i))
              : dictionary.decodeToLong(i);
        }
      }
      case BINARY -> {
        dictOffsets = new int[size + 1];
        long total = 0;
        for (int i = 0; i < size; i++) {
          total += dictionary.decodeToBinary(i).length();
        }
        dictBytes = new byte[Math.toIntExact(total)];
        int end = 0;
        for (int i = 0; i < size; i++) {
          Binary b = dictionary.decodeToBinary(i);
          int len = b.length();
          System.arraycopy(b.getBytesUnsafe(), 0, dictBytes, end, len);
          end += len;
          dictOffsets[i + 1] = end;
        }
      }
      case BOOLEAN -> {
        // Booleans are never dictionary-encoded by the spec; a page that is goes through
        // parquet-mr's dictionary-based reader.
      }
    }
  }

  /**
   * Decodes the chunk's next {@code rows} values into slots {@code [0, rows)} of {@code vector}, a
   * vector newly allocated for at least {@code rows} values (validity zeroed), and sets its value
   * count.
   *
   * @throws IllegalStateException if the chunk holds fewer values
   */
  void read(FieldVector vector, int rows) {
    read(vector, rows, null, rows);
  }

  /**
   * Decodes those of the chunk's next {@code rows} values whose bit is set in {@code mask} (bit
   * {@code r % 64} of word {@code r / 64}; null: all), {@code kept} of them, into slots {@code [0,
   * kept)} of {@code vector}, a vector newly allocated for at least {@code kept} values (validity
   * zeroed), and sets its value count; the other values are passed over undecoded. With no bit
   * set, {@code vector} may be null.
   *
   * @throws IllegalStateException if the chunk holds fewer values
   */
  void read(FieldVector vector, int rows, long[] mask, int kept) {
    if (vector != null && vector.getValueCapacity() < kept) {
      throw new IllegalStateException("vector " + vector.getName() + " holds "
          + vector.getValueCapacity() + " values, not " + kept);
    }
    binaryEnd = 0;
    int[] out = {0};
    walk(rows, (row, n) -> {
      if (mask == null) {
        decode(vector, row, n);
        out[0] += n;
      } else {
        out[0] = decodeKept(vector, out[0], mask, row, n);
      }
    });
    if (vector != null) {
      if (vector instanceof BaseVariableWidthVector v) {
        v.setLastSet(out[0] - 1);
      }
      vector.setValueCount(out[0]);
    }
  }

  /** Values a {@link #summarize} step gathers at most before it adds them up. */
  private static final int SUMMARY_STEP = 4096;

  /**
   * Whether {@link #summarize} reads this chunk: an int32, int64, float or double column read as
   * the same type (not as a date or a timestamp).
   */
  boolean summarizes(Field field) {
    ColumnType type = ColumnType.of(field);
    return type == ColumnType.INT32 || type == ColumnType.INT64 || type == ColumnType.FLOAT32
        || type == ColumnType.FLOAT64;
  }

  /**
   * Adds those of the chunk's next {@code rows} values whose bit is set in {@code mask} (bit
   * {@code r % 64} of word {@code r / 64}; null: all) to {@code into}, building no vector: a step
   * of at most {@link #SUMMARY_STEP} values of one page at a time, its kept values gathered into
   * a scratch array (a page without nulls by the same branch-free word loop as {@link
   * #gatherFixed}), then added up there in one tight loop; a kept null counts as a null. Only
   * where {@link #summarizes}.
   *
   * @throws IllegalStateException if the chunk holds fewer values
   */
  void summarize(int rows, long[] mask, ColumnSummary into) {
    if (raw.length < SUMMARY_STEP + 64) {
      raw = new long[SUMMARY_STEP + 64];
    }
    walk(rows, (row, n) -> {
      checkValuesKept();
      for (int done = 0; done < n; ) {
        int step = Math.min(SUMMARY_STEP, n - done);
        summarizeStep(row + done, step, mask, into);
        done += step;
      }
    });
  }

  /** {@link #summarize} of the page's next {@code n} values, the block's rows {@code [row, row + n)}. */
  private void summarizeStep(int row, int n, long[] mask, ColumnSummary into) {
    if (!pageNulls && source != Source.READER && physical == PrimitiveTypeName.DOUBLE
        && !into.range()) {
      sumDoubles(row, n, mask, into);
      return;
    }
    int count;
    if (!pageNulls && source != Source.READER) {
      count = gatherRaw(mask, row, n);
    } else {
      count = 0;
      long nulls = 0;
      for (int i = 0; i < n; i++) {
        boolean kept = mask == null || (mask[(row + i) >>> 6] & (1L << (row + i))) != 0;
        if (!valid(i)) {
          nulls += kept ? 1 : 0;
          continue;
        }
        long v = nextRaw();
        if (kept) {
          raw[count++] = v;
        }
      }
      pageIndex += n;
      into.addNulls(nulls);
    }
    if (physical == PrimitiveTypeName.FLOAT) {
      for (int i = 0; i < count; i++) {
        raw[i] = Double.doubleToRawLongBits(Float.intBitsToFloat((int) raw[i]));
      }
    }
    if (physical == PrimitiveTypeName.FLOAT || physical == PrimitiveTypeName.DOUBLE) {
      into.addDoubleBits(raw, count);
    } else {
      into.addLongs(raw, count);
    }
  }

  /** The bits of -0.0: adding it leaves every double as it is. */
  private static final long NEGATIVE_ZERO = Double.doubleToRawLongBits(-0.0);

  /**
   * {@link #summarizeStep} of a sum of doubles alone, over a page of PLAIN or dictionary values
   * without nulls, gathering nothing: kept values are added straight from the page, into four
   * running sums (value {@code b} of a word into sum {@code b % 4}, so that each add need not
   * wait for the one before), which then add up in order. A word of the mask with many kept adds
   * all 64, a dropped one as -0.0 (which changes no sum), so no branch depends on the data. A NaN
   * makes a sum NaN from there on: a word after which one is NaN is added again one kept value
   * at a time, NaN skipped (counted as nulls). The same values give the same sum; it may differ
   * in the last digits from one added in row order.
   */
  private void sumDoubles(int row, int n, long[] mask, ColumnSummary into) {
    boolean plain = source == Source.PLAIN;
    if (plain) {
      checkData(8 * n);
    }
    int mode = plain ? 0 : 2;
    byte[] bytes = data;
    int base = pos;
    int[] at = ids;
    int from = idPos;
    long[] d8 = dict8;
    double s0 = into.doubleSum();
    double s1 = -0.0;
    double s2 = -0.0;
    double s3 = -0.0;
    long kept = 0;
    long nan = 0;
    int end = row + n;
    for (int w = row >>> 6; w <= (end - 1) >>> 6; w++) {
      int first = w << 6;
      int off = first - row; // the page's value at bit 0 of this word
      long bits = mask == null ? -1L : mask[w];
      if (first < row) {
        bits &= -1L << (row - first);
      }
      if (end - first < 64) {
        bits &= (1L << (end - first)) - 1;
      }
      int count = Long.bitCount(bits);
      if (count == 0) {
        continue;
      }
      double t0 = s0;
      double t1 = s1;
      double t2 = s2;
      double t3 = s3;
      if (first >= row && end - first >= 64 && count >= 16 && plain) {
        int p = base + 8 * off;
        for (int b = 0; b < 64; b += 4, p += 32) {
          t0 += keptOrNegativeZero(MemoryUtil.getLong(bytes, p), bits, b);
          t1 += keptOrNegativeZero(MemoryUtil.getLong(bytes, p + 8), bits, b + 1);
          t2 += keptOrNegativeZero(MemoryUtil.getLong(bytes, p + 16), bits, b + 2);
          t3 += keptOrNegativeZero(MemoryUtil.getLong(bytes, p + 24), bits, b + 3);
        }
      } else if (first >= row && end - first >= 64 && count >= 16) {
        int i = from + off;
        for (int b = 0; b < 64; b += 4, i += 4) {
          t0 += keptOrNegativeZero(d8[at[i]], bits, b);
          t1 += keptOrNegativeZero(d8[at[i + 1]], bits, b + 1);
          t2 += keptOrNegativeZero(d8[at[i + 2]], bits, b + 2);
          t3 += keptOrNegativeZero(d8[at[i + 3]], bits, b + 3);
        }
      } else {
        for (long left = bits; left != 0; left &= left - 1) {
          t0 += Double.longBitsToDouble(rawAt(mode, bytes, base, at, from, d8, null,
              off + Long.numberOfTrailingZeros(left)));
        }
      }
      double all = t0 + t1 + t2 + t3;
      if (all != all) {
        t0 = s0;
        t1 = s1;
        t2 = s2;
        t3 = s3;
        for (long left = bits; left != 0; left &= left - 1) {
          double x = Double.longBitsToDouble(rawAt(mode, bytes, base, at, from, d8, null,
              off + Long.numberOfTrailingZeros(left)));
          if (x != x) {
            nan++;
          } else {
            t0 += x;
          }
        }
      }
      s0 = t0;
      s1 = t1;
      s2 = t2;
      s3 = t3;
      kept += count;
    }
    into.addDoubleSum(((s0 + s1) + s2) + s3, kept - nan, nan);
    if (plain) {
      pos += 8 * n;
    } else {
      idPos += n;
    }
    pageIndex += n;
  }

  /** The double of bits {@code v} if bit {@code b} of {@code bits} is set, else -0.0. */
  private static double keptOrNegativeZero(long v, long bits, int b) {
    long keep = -((bits >>> b) & 1L);
    return Double.longBitsToDouble(v & keep | NEGATIVE_ZERO & ~keep);
  }

  /** The page's next non-null value, as {@link #raw} holds it; moves past it. */
  private long nextRaw() {
    boolean wide = kind == Kind.FIXED8;
    switch (source) {
      case PLAIN -> {
        checkData(wide ? 8 : 4);
        long v = wide ? (long) LONG_LE.get(data, pos) : (int) INT_LE.get(data, pos);
        pos += wide ? 8 : 4;
        return v;
      }
      case DICTIONARY -> {
        int id = ids[idPos++];
        return wide ? dict8[id] : dict4[id];
      }
      default -> {
        return switch (physical) {
          case INT32 -> reader.readInteger();
          case INT64 -> reader.readLong();
          case FLOAT -> Float.floatToRawIntBits(reader.readFloat());
          default -> Double.doubleToRawLongBits(reader.readDouble());
        };
      }
    }
  }

  /**
   * Gathers those of the page's next {@code n} values (the block's rows {@code [row, row + n)})
   * that {@code mask} keeps (null: all) into {@link #raw} (int32 and float bits sign-extended),
   * a page of PLAIN or dictionary values without nulls; returns how many.
   */
  private int gatherRaw(long[] mask, int row, int n) {
    boolean plain = source == Source.PLAIN;
    boolean wide = kind == Kind.FIXED8;
    if (plain) {
      checkData((wide ? 8 : 4) * n);
    }
    // Resolved once: the loops below are unswitched on it.
    int mode = (plain ? 0 : 2) + (wide ? 0 : 1);
    byte[] bytes = data;
    int base = pos;
    int[] at = ids;
    int from = idPos;
    long[] d8 = dict8;
    int[] d4 = dict4;
    long[] out = raw;
    int count = 0;
    if (mask == null) {
      for (int j = 0; j < n; j++) {
        out[j] = rawAt(mode, bytes, base, at, from, d8, d4, j);
      }
      count = n;
    } else {
      int end = row + n;
      for (int w = row >>> 6; w <= (end - 1) >>> 6; w++) {
        long bits = mask[w];
        int first = w << 6;
        int off = first - row; // the page's value at bit 0 of this word
        if (first < row) {
          bits &= -1L << (row - first);
        }
        if (end - first < 64) {
          bits &= (1L << (end - first)) - 1;
        }
        if (first >= row && end - first >= 64 && Long.bitCount(bits) >= 16) {
          // Many kept: every value copied, the slot moving on past kept ones only.
          for (int b = 0; b < 64; b++) {
            out[count] = rawAt(mode, bytes, base, at, from, d8, d4, off + b);
            count += (int) (bits >>> b) & 1;
          }
          continue;
        }
        while (bits != 0) {
          int j = off + Long.numberOfTrailingZeros(bits);
          bits &= bits - 1;
          out[count++] = rawAt(mode, bytes, base, at, from, d8, d4, j);
        }
      }
    }
    if (plain) {
      pos += (wide ? 8 : 4) * n;
    } else {
      idPos += n;
    }
    pageIndex += n;
    return count;
  }

  /** Value {@code j} of a page read as {@code mode} says: PLAIN or dictionary, 8 or 4 bytes. */
  private static long rawAt(int mode, byte[] bytes, int base, int[] ids, int from, long[] d8,
      int[] d4, int j) {
    // PLAIN values unchecked: the caller checked the page holds them (little-endian, as the
    // machine reads them; see the dense loops).
    return switch (mode) {
      case 0 -> MemoryUtil.getLong(bytes, base + 8 * j);
      case 1 -> MemoryUtil.getInt(bytes, base + 4 * j);
      case 2 -> d8[ids[from + j]];
      default -> d4[ids[from + j]];
    };
  }

  /** Whether this chunk has a dictionary {@link #mask} can test values through. */
  boolean hasDictionary() {
    return dictionary != null && kind != Kind.BOOLEAN;
  }

  /**
   * The chunk's dictionary entries, then one null, as a vector of {@code field} allocated by
   * {@code allocator}: what a filter of this column is tested on, once per entry.
   */
  FieldVector dictionaryEntries(Field field, BufferAllocator allocator) {
    int size = dictionary.getMaxId() + 1;
    FieldVector v = field.createVector(allocator);
    try {
      if (v instanceof BaseVariableWidthVector w) {
        w.allocateNew(dictBytes.length, size + 1);
        long offsets = w.getOffsetBuffer().memoryAddress();
        for (int i = 0; i <= size; i++) {
          MemoryUtil.putInt(offsets + 4L * i, dictOffsets[Math.min(i, size)]);
        }
        MemoryUtil.copyToMemory(dictBytes, 0, w.getDataBuffer().memoryAddress(),
            dictBytes.length);
        w.setLastSet(size);
        MemoryUtil.putInt(offsets + 4L * (size + 1), dictOffsets[size]);
      } else {
        v.setInitialCapacity(size + 1);
        v.allocateNew();
        long values = v.getDataBuffer().memoryAddress();
        for (int i = 0; i < size; i++) {
          if (kind == Kind.FIXED4) {
            MemoryUtil.putInt(values + 4L * i, dict4[i]);
          } else {
            MemoryUtil.putLong(values + 8L * i, dict8[i]);
          }
        }
      }
      setValid(v.getValidityBuffer().memoryAddress(), 0, size);
      v.setValueCount(size + 1);
      return v;
    } catch (RuntimeException e) {
      v.close();
      throw e;
    }
  }

  /**
   * Which of the chunk's next {@code rows} values a filter keeps, as a bitmap (bit {@code r % 64}
   * of word {@code r / 64}), decoding no dictionary-encoded value: {@code entries[id]} is 1 where
   * the filter keeps dictionary entry {@code id}, and {@code entries[size]} says whether it keeps
   * a null. Values of pages in another encoding are decoded into slot {@code row} of the vector
   * {@code scratch} gives (made once, for at least {@code rows} values, validity zeroed; its
   * value count then set to {@code rows}), their rows' bits left clear and their {@code [from,
   * to)} row ranges added to {@code decoded}, for the caller to test.
   */
  long[] mask(int rows, byte[] entries, Supplier<FieldVector> scratch, List<int[]> decoded) {
    long[] bits = new long[(rows + 63) >>> 6];
    int nullKeeps = entries[entries.length - 1];
    FieldVector[] into = {null};
    int[] filled = {0}; // variable width: offsets written up to this slot
    binaryEnd = 0;
    walk(rows, (row, n) -> {
      if (source != Source.DICTIONARY) {
        if (into[0] == null) {
          into[0] = scratch.get();
        }
        if (into[0] instanceof BaseVariableWidthVector v) {
          fillOffsets(v, filled[0], row);
          filled[0] = row + n;
        }
        decode(into[0], row, n);
        decoded.add(new int[] {row, row + n});
        return;
      }
      if (maskEntries == entries) {
        // The page was decoded into keep bits (see maskThrough).
        if (!pageNulls) {
          copyBits(pageKeeps, idPos, bits, row, n);
          idPos += n;
        } else {
          long[] keeps = pageKeeps;
          int from = idPos;
          for (int i = 0; i < n; i++) {
            long keep = defs[pageIndex + i] == 0 ? nullKeeps
                : (keeps[from >>> 6] >>> from++) & 1;
            bits[(row + i) >>> 6] |= keep << (row + i);
          }
          idPos = from;
        }
        pageIndex += n;
        return;
      }
      int[] at = ids;
      int from = idPos;
      int r = row;
      int end = row + n;
      while (r < end) {
        int w = r >>> 6;
        int stop = Math.min(end, (w + 1) << 6);
        long word = 0;
        if (!pageNulls) {
          for (; r < stop; r++) {
            word |= (long) entries[at[from++]] << r; // a long shift counts r % 64
          }
        } else {
          for (; r < stop; r++) {
            long keep = defs[pageIndex + r - row] == 0 ? nullKeeps : entries[at[from++]];
            word |= keep << r;
          }
        }
        bits[w] |= word;
      }
      idPos = from;
      pageIndex += n;
    });
    if (into[0] != null) {
      if (into[0] instanceof BaseVariableWidthVector v) {
        fillOffsets(v, filled[0], rows);
        v.setLastSet(rows - 1);
      }
      into[0].setValueCount(rows);
    }
    return bits;
  }

  /**
   * From here on, dictionary-encoded pages are decoded straight into whether the filter keeps
   * each value ({@code entries}, as {@link #mask} takes it), for {@link #mask} only: their values
   * can no longer be read. Called before the chunk's first page is read.
   */
  void maskThrough(byte[] entries) {
    if (pageValues != 0) {
      throw new IllegalStateException("column chunk " + column + " is read already");
    }
    maskEntries = entries;
  }

  /** Fails where {@link #maskThrough} dropped the values of the page being read. */
  private void checkValuesKept() {
    if (maskEntries != null && source == Source.DICTIONARY) {
      throw new IllegalStateException("column chunk " + column + " is only tested, not read");
    }
  }

  /** ORs bits {@code [from, from + n)} of {@code src} into {@code dst} from bit {@code at}. */
  private static void copyBits(long[] src, int from, long[] dst, int at, int n) {
    for (int i = 0; i < n; i += 64) {
      int k = Math.min(64, n - i);
      int p = from + i;
      int w = p >>> 6;
      int s = p & 63;
      long v = src[w] >>> s;
      if (s != 0 && w + 1 < src.length) {
        v |= src[w + 1] << (64 - s);
      }
      if (k < 64) {
        v &= (1L << k) - 1;
      }
      int d = at + i;
      int dw = d >>> 6;
      int ds = d & 63;
      dst[dw] |= v << ds;
      if (ds != 0 && (v >>> (64 - ds)) != 0) {
        dst[dw + 1] |= v >>> (64 - ds);
      }
    }
  }

  /** Offsets of slots {@code (from, to]} set to the end of the values written so far (empty slots). */
  private void fillOffsets(BaseVariableWidthVector vector, int from, int to) {
    long offsets = vector.getOffsetBuffer().memoryAddress();
    for (int i = from; i <= to; i++) {
      MemoryUtil.putInt(offsets + 4L * i, binaryEnd);
    }
  }

  /** What {@link #walk} does with each run of values of one page. */
  private interface Segment {
    /** Takes the page's next {@code n} values, the block's rows {@code [row, row + n)}. */
    void take(int row, int n);
  }

  /**
   * Goes through the chunk's next {@code rows} values page by page, handing each page's run of
   * them to {@code segment} (which moves {@link #pageIndex} past them); values a read filtered by
   * column index does not keep are skipped here.
   */
  private void walk(int rows, Segment segment) {
    int row = 0;
    while (row < rows) {
      if (pageIndex == pageValues) {
        nextPage(row);
        continue;
      }
      int n = Math.min(rows - row, pageValues - pageIndex);
      if (keep != null) {
        long at = pageFirstRow + pageIndex;
        while (keepAt < keep.length && keep[keepAt + 1] < at) {
          keepAt += 2;
        }
        if (keepAt == keep.length) {
          throw new IllegalStateException("column chunk " + column + " has no rows left to"
              + " keep " + row + " values into a block");
        }
        if (at < keep[keepAt]) {
          skip((int) Math.min(keep[keepAt] - at, pageValues - pageIndex));
          continue;
        }
        n = (int) Math.min(n, keep[keepAt + 1] - at + 1);
      }
      segment.take(row, n);
      row += n;
    }
  }

  /** Decodes the page's next {@code n} values into slots {@code [at, at + n)}. */
  private void decode(FieldVector vector, int at, int n) {
    checkValuesKept();
    switch (kind) {
      case FIXED4 -> readFixed(vector, at, n, 4);
      case FIXED8 -> readFixed(vector, at, n, 8);
      case BOOLEAN -> readBooleans(vector, at, n);
      case BINARY -> readBinary((BaseVariableWidthVector) vector, at, n);
    }
    pageIndex += n;
  }

  /**
   * Decodes those of the page's next {@code n} values (the block's rows {@code [row, row + n)})
   * that {@code mask} keeps into slots from {@code out} on, passing over the others; returns the
   * next free slot. Fixed-width values of a page without nulls are gathered by one loop over
   * the mask's set bits; the rest go run by run, a run of kept values decoded as {@link #read}
   * decodes, a run of dropped ones skipped.
   */
  private int decodeKept(FieldVector vector, int out, long[] mask, int row, int n) {
    checkValuesKept();
    if (!pageNulls && (kind == Kind.FIXED4 || kind == Kind.FIXED8)
        && (source == Source.PLAIN || source == Source.DICTIONARY)) {
      return gatherFixed(vector, out, mask, row, n);
    }
    int i = 0;
    while (i < n) {
      int k = run(mask, row + i, n - i, true);
      if (k > 0) {
        decode(vector, out, k);
        out += k;
        i += k;
      }
      if (i < n) {
        int d = run(mask, row + i, n - i, false);
        skip(d);
        i += d;
      }
    }
    return out;
  }

  /** How many bits from {@code from} on (at most {@code max}) are all set ({@code set}) or all clear. */
  private static int run(long[] mask, int from, int max, boolean set) {
    int n = 0;
    while (n < max) {
      int at = from + n;
      long word = mask[at >>> 6] >>> (at & 63);
      if (set) {
        word = ~word;
      }
      // Bits past the word's end shift in as 0: for a run of set bits they read as "not set".
      int len = Math.min(Long.numberOfTrailingZeros(word), 64 - (at & 63));
      n += len;
      if (len < 64 - (at & 63)) {
        break;
      }
    }
    return Math.min(n, max);
  }

  /**
   * {@link #decodeKept} for fixed-width PLAIN or dictionary values of a page without nulls. A
   * word of the mask with many rows kept copies all 64 values, each to the next free slot, the
   * slot advancing only past a kept one (no branch a filter's data makes unpredictable); a
   * sparse word visits its set bits.
   */
  private int gatherFixed(FieldVector vector, int out, long[] mask, int row, int n) {
    int start = out;
    int width = kind == Kind.FIXED4 ? 4 : 8;
    boolean plain = source == Source.PLAIN;
    if (plain) {
      checkData(width * n);
    }
    long to = vector == null ? 0 : vector.getDataBuffer().memoryAddress();
    int capacity = vector == null ? 0 : vector.getValueCapacity();
    int end = row + n;
    for (int w = row >>> 6; w <= (end - 1) >>> 6; w++) {
      long bits = mask[w];
      int first = w << 6;
      int at = first - row; // the page's value at bit 0 of this word
      if (first < row) {
        bits &= -1L << (row - first);
      }
      if (end - first < 64) {
        bits &= (1L << (end - first)) - 1;
      }
      if (bits == 0) {
        continue;
      }
      boolean dense = first >= row && end - first >= 64 && out + 64 <= capacity
          && Long.bitCount(bits) >= 16;
      if (dense) {
        out = width == 8 ? (plain ? densePlain8(to, out, bits, pos + 8 * at)
            : denseDict8(to, out, bits, idPos + at))
            : (plain ? densePlain4(to, out, bits, pos + 4 * at)
            : denseDict4(to, out, bits, idPos + at));
        continue;
      }
      while (bits != 0) {
        int j = at + Long.numberOfTrailingZeros(bits);
        bits &= bits - 1;
        if (width == 8) {
          MemoryUtil.putLong(to + 8L * out,
              plain ? (long) LONG_LE.get(data, pos + 8 * j) : dict8[ids[idPos + j]]);
        } else {
          MemoryUtil.putInt(to + 4L * out,
              plain ? (int) INT_LE.get(data, pos + 4 * j) : dict4[ids[idPos + j]]);
        }
        out++;
      }
    }
    if (out > start) {
      setValid(vector.getValidityBuffer().memoryAddress(), start, out - start);
    }
    if (plain) {
      pos += width * n;
    } else {
      idPos += n;
    }
    pageIndex += n;
    return out;
  }

  /*
   * The dense loops read the page's bytes unchecked (the caller checked the page holds every
   * value of the run) in the machine's order: Arrow's buffers, written by the same copies, are
   * little-endian as Parquet's values are.
   */

  private int densePlain8(long to, int out, long bits, int from) {
    byte[] bytes = data;
    for (int b = 0; b < 64; b++) {
      MemoryUtil.putLong(to + 8L * out, MemoryUtil.getLong(bytes, from + 8 * b));
      out += (int) (bits >>> b) & 1;
    }
    return out;
  }

  private int densePlain4(long to, int out, long bits, int from) {
    byte[] bytes = data;
    for (int b = 0; b < 64; b++) {
      MemoryUtil.putInt(to + 4L * out, MemoryUtil.getInt(bytes, from + 4 * b));
      out += (int) (bits >>> b) & 1;
    }
    return out;
  }

  private int denseDict8(long to, int out, long bits, int from) {
    int[] at = ids;
    long[] dict = dict8;
    for (int b = 0; b < 64; b++) {
      MemoryUtil.putLong(to + 8L * out, dict[at[from + b]]);
      out += (int) (bits >>> b) & 1;
    }
    return out;
  }

  private int denseDict4(long to, int out, long bits, int from) {
    int[] at = ids;
    int[] dict = dict4;
    for (int b = 0; b < 64; b++) {
      MemoryUtil.putInt(to + 4L * out, dict[at[from + b]]);
      out += (int) (bits >>> b) & 1;
    }
    return out;
  }

  private boolean valid(int i) {
    return !pageNulls || defs[pageIndex + i] == 1;
  }

  private void readFixed(FieldVector vector, int row, int n, int width) {
    long values = vector.getDataBuffer().memoryAddress();
    long validity = vector.getValidityBuffer().memoryAddress();
    switch (source) {
      case PLAIN -> {
        int i = 0;
        while (i < n) {
          if (!valid(i)) {
            i++;
            continue;
          }
          int j = i + 1;
          while (j < n && valid(j)) {
            j++;
          }
          int bytes = (j - i) * width;
          checkData(bytes);
          MemoryUtil.copyToMemory(data, pos, values + (long) (row + i) * width, bytes);
          pos += bytes;
          setValid(validity, row + i, j - i);
          i = j;
        }
      }
      case DICTIONARY -> {
        if (!pageNulls) {
          setValid(validity, row, n);
          // Fields read into locals once: the loop is then one gather per value.
          int[] at = ids;
          int from = idPos;
          long to = values + (long) row * width;
          if (width == 4) {
            int[] dict = dict4;
            for (int i = 0; i < n; i++) {
              MemoryUtil.putInt(to + i * 4L, dict[at[from + i]]);
            }
          } else {
            long[] dict = dict8;
            for (int i = 0; i < n; i++) {
              MemoryUtil.putLong(to + i * 8L, dict[at[from + i]]);
            }
          }
          idPos = from + n;
        } else if (width == 4) {
          for (int i = 0; i < n; i++) {
            if (valid(i)) {
              MemoryUtil.putInt(values + (row + i) * 4L, dict4[ids[idPos++]]);
              setValid(validity, row + i);
            }
          }
        } else {
          for (int i = 0; i < n; i++) {
            if (valid(i)) {
              MemoryUtil.putLong(values + (row + i) * 8L, dict8[ids[idPos++]]);
              setValid(validity, row + i);
            }
          }
        }
      }
      case READER -> readFixedFromReader(values, validity, row, n);
    }
  }

  /** Values of pages in other encodings, through parquet-mr's reader: a loop per type. */
  private void readFixedFromReader(long values, long validity, int row, int n) {
    switch (physical) {
      case INT32 -> {
        for (int i = 0; i < n; i++) {
          if (valid(i)) {
            MemoryUtil.putInt(values + (row + i) * 4L, reader.readInteger());
            setValid(validity, row + i);
          }
        }
      }
      case FLOAT -> {
        for (int i = 0; i < n; i++) {
          if (valid(i)) {
            MemoryUtil.putInt(values + (row + i) * 4L,
                Float.floatToRawIntBits(reader.readFloat()));
            setValid(validity, row + i);
          }
        }
      }
      case INT64 -> {
        for (int i = 0; i < n; i++) {
          if (valid(i)) {
            MemoryUtil.putLong(values + (row + i) * 8L, reader.readLong());
            setValid(validity, row + i);
          }
        }
      }
      default -> {
        for (int i = 0; i < n; i++) {
          if (valid(i)) {
            MemoryUtil.putLong(values + (row + i) * 8L,
                Double.doubleToRawLongBits(reader.readDouble()));
            setValid(validity, row + i);
          }
        }
      }
    }
  }

  private void readBooleans(FieldVector vector, int row, int n) {
    long values = vector.getDataBuffer().memoryAddress();
    long validity = vector.getValidityBuffer().memoryAddress();
    if (source == Source.PLAIN) {
      // PLAIN booleans are bit-packed least significant bit first, as Arrow's bitmaps are;
      // pos counts bits here.
      for (int i = 0; i < n; i++) {
        if (valid(i)) {
          if ((pos >>> 3) >= data.length) {
            throw new IllegalStateException("a page of column " + column + " ends early");
          }
          if ((data[pos >>> 3] & (1 << (pos & 7))) != 0) {
            setValid(values, row + i);
          }
          pos++;
          setValid(validity, row + i);
        }
      }
    } else {
      for (int i = 0; i < n; i++) {
        if (valid(i)) {
          if (reader.readBoolean()) {
            setValid(values, row + i);
          }
          setValid(validity, row + i);
        }
      }
    }
  }

  private void readBinary(BaseVariableWidthVector vector, int row, int n) {
    long offsets = vector.getOffsetBuffer().memoryAddress();
    long validity = vector.getValidityBuffer().memoryAddress();
    ArrowBuf buffer = vector.getDataBuffer();
    long values = buffer.memoryAddress();
    long capacity = buffer.capacity();
    int end = binaryEnd;
    if (row == 0) {
      MemoryUtil.putInt(offsets, 0);
    }
    for (int i = 0; i < n; i++) {
      if (valid(i)) {
        byte[] from;
        int start;
        int len;
        switch (source) {
          case PLAIN -> {
            checkData(4);
            len = (int) INT_LE.get(data, pos);
            checkData(4 + len);
            from = data;
            start = pos + 4;
            pos += 4 + len;
          }
          case DICTIONARY -> {
            int id = ids[idPos++];
            from = dictBytes;
            start = dictOffsets[id];
            len = dictOffsets[id + 1] - start;
          }
          default -> {
            Binary b = reader.readBytes();
            from = b.getBytesUnsafe();
            start = 0;
            len = b.length();
          }
        }
        long needed = (long) end + len;
        if (needed > Integer.MAX_VALUE) {
          throw new IllegalStateException("more than 2 GiB of values in one block of column "
              + vector.getName());
        }
        if (needed > capacity) {
          vector.reallocDataBuffer(Math.max(needed, capacity * 2));
          buffer = vector.getDataBuffer();
          values = buffer.memoryAddress();
          capacity = buffer.capacity();
        }
        MemoryUtil.copyToMemory(from, start, values + end, len);
        end += len;
        setValid(validity, row + i);
      }
      MemoryUtil.putInt(offsets + (row + i + 1) * 4L, end);
    }
    binaryEnd = end;
  }

  /** Passes over the page's next {@code n} values, which a filtered read does not keep. */
  private void skip(int n) {
    int present = n;
    if (pageNulls) {
      present = 0;
      for (int i = 0; i < n; i++) {
        present += defs[pageIndex + i];
      }
    }
    switch (source) {
      case PLAIN -> {
        switch (kind) {
          case FIXED4 -> pos += 4 * present;
          case FIXED8 -> pos += 8 * present;
          case BOOLEAN -> pos += present; // a bit position
          case BINARY -> {
            for (int i = 0; i < present; i++) {
              checkData(4);
              int len = (int) INT_LE.get(data, pos);
              checkData(4 + len);
              pos += 4 + len;
            }
          }
        }
      }
      case DICTIONARY -> idPos += present;
      case READER -> reader.skip(present);
    }
    pageIndex += n;
  }

  /** Fails unless the page holds {@code bytes} more bytes from {@link #pos}. */
  private void checkData(int bytes) {
    if (bytes < 0 || pos + (long) bytes > data.length) {
      throw new IllegalStateException("a page of column " + column + " ends inside a value");
    }
  }

  private static void setValid(long bitmap, int index) {
    long at = bitmap + (index >>> 3);
    MemoryUtil.putByte(at, (byte) (MemoryUtil.getByte(at) | (1 << (index & 7))));
  }

  private static void setValid(long bitmap, int from, int count) {
    int i = from;
    int to = from + count;
    for (; i < to && (i & 7) != 0; i++) {
      setValid(bitmap, i);
    }
    for (; i + 8 <= to; i += 8) {
      MemoryUtil.putByte(bitmap + (i >>> 3), (byte) -1);
    }
    for (; i < to; i++) {
      setValid(bitmap, i);
    }
  }

  /** Reads the chunk's next data page; {@code row} is only for the error message. */
  private void nextPage(int row) {
    DataPage page = pages.readPage();
    if (page == null) {
      throw new IllegalStateException("column chunk " + column + " ended " + row
          + " values into a block");
    }
    pageValues = page.getValueCount();
    pageIndex = 0;
    if (keep != null) {
      pageFirstRow = page.getFirstRowIndex().orElseThrow(() -> new IllegalStateException(
          "a page of column " + column + " read filtered by its column index has no row index"));
    }
    try {
      if (page instanceof DataPageV1 v1) {
        startV1(v1);
      } else {
        startV2((DataPageV2) page);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void startV1(DataPageV1 page) throws IOException {
    byte[] bytes = array(page.getBytes());
    int at = 0;
    if (optional) {
      growDefs();
      if (page.getDlEncoding() == Encoding.RLE) {
        int len = (int) INT_LE.get(bytes, 0);
        RleBitPackedHybrid.decode(bytes, 4, 4 + len, 1, defs, pageValues);
        at = 4 + len;
      } else {
        // The deprecated BIT_PACKED levels: parquet-mr's reader, one page at a time.
        ByteBufferInputStream in = ByteBufferInputStream.wrap(ByteBuffer.wrap(bytes));
        ValuesReader levels = page.getDlEncoding().getValuesReader(column,
            ValuesType.DEFINITION_LEVEL);
        levels.initFromPage(pageValues, in);
        for (int i = 0; i < pageValues; i++) {
          defs[i] = levels.readInteger();
        }
        at = (int) in.position();
      }
    }
    startValues(page.getValueEncoding(), bytes, at);
  }

  private void startV2(DataPageV2 page) throws IOException {
    if (optional) {
      growDefs();
      byte[] levels = page.getDefinitionLevels().toByteArray();
      RleBitPackedHybrid.decode(levels, 0, levels.length, 1, defs, pageValues);
    }
    startValues(page.getDataEncoding(), array(page.getData()), 0);
  }

  /**
   * A page's bytes as one array: the page's own when it is exactly that (a decompressed page,
   * see {@link PageCodecs}), else a copy.
   */
  private static byte[] array(BytesInput bytes) throws IOException {
    ByteBuffer b = bytes.toByteBuffer();
    if (b.hasArray() && b.arrayOffset() + b.position() == 0
        && b.remaining() == b.array().length) {
      return b.array();
    }
    byte[] copy = new byte[b.remaining()];
    b.duplicate().get(copy);
    return copy;
  }

  private void growDefs() {
    if (defs.length < pageValues + 8) {
      defs = new int[pageValues + 8];
    }
  }

  /** Positions the page's value source at {@code bytes[at]}: chosen once per page. */
  private void startValues(Encoding encoding, byte[] bytes, int at) throws IOException {
    data = bytes;
    pos = at;
    reader = null;
    int present = present();
    pageNulls = present < pageValues;
    if (encoding == Encoding.PLAIN || present == 0) {
      source = Source.PLAIN;
      if (kind == Kind.BOOLEAN) {
        pos = at * 8; // a bit position
      }
      return;
    }
    if (encoding.usesDictionary()) {
      if (dictionary == null) {
        throw new IllegalStateException("column chunk " + column
            + " has dictionary-encoded pages but no dictionary page");
      }
      if (kind != Kind.BOOLEAN && maskEntries != null) {
        int words = (present + 8) / 64 + 2;
        if (pageKeeps.length < words) {
          pageKeeps = new long[words];
        } else {
          Arrays.fill(pageKeeps, 0, words, 0L);
        }
        RleBitPackedHybrid.decodeKeeps(bytes, at + 1, bytes.length, bytes[at] & 0xff,
            maskEntries, pageKeeps, present);
        idPos = 0;
        source = Source.DICTIONARY;
        return;
      }
      if (kind != Kind.BOOLEAN) {
        if (ids.length < present + 8) {
          ids = new int[present + 8];
        }
        RleBitPackedHybrid.decode(bytes, at + 1, bytes.length, bytes[at] & 0xff, ids, present);
        idPos = 0;
        source = Source.DICTIONARY;
        return;
      }
      reader = encoding.getDictionaryBasedValuesReader(column, ValuesType.VALUES, dictionary);
    } else {
      reader = encoding.getValuesReader(column, ValuesType.VALUES);
    }
    reader.initFromPage(pageValues,
        ByteBufferInputStream.wrap(ByteBuffer.wrap(bytes, at, bytes.length - at)));
    source = Source.READER;
  }

  /** How many of the page's values are not null. */
  private int present() {
    if (!optional) {
      return pageValues;
    }
    int present = 0;
    for (int i = 0; i < pageValues; i++) {
      present += defs[i];
    }
    return present;
  }

}
