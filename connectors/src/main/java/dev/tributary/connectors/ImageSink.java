package dev.tributary.connectors;

import dev.tributary.memory.Block;
import dev.tributary.memory.ColumnException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.ImageIO;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Writes an image column as one PNG or JPEG file per row, with {@code javax.imageio}, atomically
 * like {@link ParquetSink}: staged, published all or nothing when the whole stream is written,
 * discarded on error or cancel. The column must be an image tensor as {@link FileSource#images}
 * reads it: float32 in nested fixed-size lists of height, width and 1 (gray) or 3 (RGB) channels,
 * values 0-255 (rounded to the nearest integer; a value outside that range fails the write rather
 * than being clipped). Files are named {@code image-<row>.<ext>} by the row's index in the stream,
 * or, with {@link #namesFrom(String)}, by a string column. Blocks are closed once written.
 */
public final class ImageSink {
  /** An image file format. */
  public enum Format {
    /** PNG: lossless. */
    PNG("png", "png"),
    /** JPEG: lossy, at {@code javax.imageio}'s default quality. */
    JPEG("jpeg", "jpg");

    private final String imageIoName;
    private final String extension;

    Format(String imageIoName, String extension) {
      this.imageIoName = imageIoName;
      this.extension = extension;
    }

    /**
     * The format a name means: {@code png}, {@code jpeg} or {@code jpg}, any case.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Format of(String name) {
      return switch (Objects.requireNonNull(name, "format").toLowerCase(Locale.ROOT)) {
        case "png" -> PNG;
        case "jpeg", "jpg" -> JPEG;
        default -> throw new IllegalArgumentException("image format must be png or jpeg, was '"
            + name + "'");
      };
    }
  }

  private final Path directory;
  private final String column;
  private final Format format;
  private final String nameColumn;

  private ImageSink(Path directory, String column, Format format, String nameColumn) {
    this.directory = directory;
    this.column = column;
    this.format = format;
    this.nameColumn = nameColumn;
  }

  /**
   * A sink writing {@code column}'s images into {@code directory} as {@code format}.
   *
   * @throws WriteException if {@code directory} is an existing file
   */
  public static ImageSink to(Path directory, String column, Format format) {
    AtomicFiles.checkTarget(Objects.requireNonNull(directory, "directory"));
    return new ImageSink(directory, Objects.requireNonNull(column, "column"),
        Objects.requireNonNull(format, "format"), null);
  }

  /**
   * Names each file from the string column {@code names}: its value's last path segment (so a
   * {@code path} column of {@code readImages} works), without its extension, plus the format's.
   * Two rows naming the same file, or a file that exists in the directory, fail the write.
   */
  public ImageSink namesFrom(String names) {
    return new ImageSink(directory, column, format, Objects.requireNonNull(names, "names"));
  }

  /**
   * Checks the image column (and the name column) against a schema known before running, so a
   * plan fails when it is built rather than after a first block.
   *
   * @throws ColumnException if a column is missing or of the wrong type
   */
  public ImageSink check(Schema known) {
    imageShape(field(known, column));
    if (nameColumn != null && !(field(known, nameColumn).getType() instanceof ArrowType.Utf8)) {
      throw new ColumnException(nameColumn, "is " + field(known, nameColumn).getType()
          + ", not utf8: it cannot name image files");
    }
    return this;
  }

  private static Field field(Schema schema, String name) {
    return schema.getFields().stream().filter(f -> f.getName().equals(name)).findFirst()
        .orElseThrow(() -> new ColumnException(name, "is missing; the columns are "
            + schema.getFields().stream().map(Field::getName).toList()));
  }

  /** Writes every block on an I/O thread of Reactor's bounded-elastic scheduler. */
  public Mono<WriteSummary> write(Flux<Block> blocks) {
    return write(blocks, Schedulers.boundedElastic());
  }

  /** Writes every block on an I/O thread of {@code io} and completes with what was written. */
  public Mono<WriteSummary> write(Flux<Block> blocks, Scheduler io) {
    return SinkRun.run(blocks, Job::new, io);
  }

  /**
   * The shape (height, width, channels) of an image column, checked.
   *
   * @throws ColumnException naming the column if it is not an image tensor
   */
  static int[] imageShape(Field field) {
    int[] shape = new int[3];
    Field f = field;
    for (int d = 0; d < 3; d++) {
      if (!(f.getType() instanceof ArrowType.FixedSizeList list)) {
        throw notAnImage(field);
      }
      shape[d] = list.getListSize();
      f = f.getChildren().get(0);
    }
    if (!f.getType().equals(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))
        || (shape[2] != 1 && shape[2] != 3)) {
      throw notAnImage(field);
    }
    return shape;
  }

  private static ColumnException notAnImage(Field field) {
    return new ColumnException(field.getName(), "is " + field.getType() + " "
        + field.getChildren() + ", not an image tensor (float32 height x width x 1 or 3"
        + " channels, as readImages makes)");
  }

  /** One write: each row's file written whole as it comes, no writer kept open. */
  private final class Job implements SinkRun.Job {
    private final AtomicFiles files = new AtomicFiles(directory, "." + format.extension);
    private long rows;
    /** Set by a discard from any thread; the writing thread stops at the next row. */
    private volatile boolean discarded;

    @Override
    public void write(Block block) {
      FieldVector vector = block.vector(column);
      int[] shape = imageShape(vector.getField());
      VarCharVector names = nameColumn == null ? null : names(block);
      int height = shape[0];
      int width = shape[1];
      int channels = shape[2];
      int values = height * width * channels;
      Float4Vector data = (Float4Vector) ((FixedSizeListVector) ((FixedSizeListVector)
          ((FixedSizeListVector) vector).getDataVector()).getDataVector()).getDataVector();
      int[] pixels = new int[values];
      for (int i = 0; i < block.rowCount() && !discarded; i++, rows++) {
        if (vector.isNull(i)) {
          throw new ColumnException(column, "row " + rows + " is null: no image to write");
        }
        for (int j = 0; j < values; j++) {
          pixels[j] = pixel(data.get(i * values + j), j, width, channels);
        }
        BufferedImage image = new BufferedImage(width, height,
            channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        image.getRaster().setPixels(0, 0, width, height, pixels);
        Path file = files.named(name(names, i));
        try {
          if (!ImageIO.write(image, format.imageIoName, file.toFile())) {
            throw new WriteException(file, "javax.imageio has no " + format + " writer");
          }
        } catch (IOException e) {
          throw new WriteException(file, "writing " + format, e);
        }
      }
    }

    /** The 8-bit value at {@code index} (row-major y, x, channel) of the current row. */
    private int pixel(float value, int index, int width, int channels) {
      long rounded = Math.round(value);
      if (!(rounded >= 0 && rounded <= 255)) {
        int[] at = {index / (width * channels), index / channels % width, index % channels};
        throw new ColumnException(column, "row " + rows + " has " + value + " at [y, x, c] = "
            + Arrays.toString(at) + "; an image needs values 0-255 (scale it back before"
            + " writing)");
      }
      return (int) rounded;
    }

    private VarCharVector names(Block block) {
      FieldVector v = block.vector(nameColumn);
      if (!(v instanceof VarCharVector names)) {
        throw new ColumnException(nameColumn, "is " + v.getField().getType()
            + ", not utf8: it cannot name image files");
      }
      return names;
    }

    private String name(VarCharVector names, int row) {
      if (names == null) {
        return String.format("image-%06d.%s", rows, format.extension);
      }
      if (names.isNull(row)) {
        throw new ColumnException(nameColumn, "row " + rows + " is null: it cannot name a file");
      }
      String value = new String(names.get(row), StandardCharsets.UTF_8);
      String base = value.substring(Math.max(value.lastIndexOf('/'), value.lastIndexOf('\\'))
          + 1);
      int dot = base.lastIndexOf('.');
      return (dot > 0 ? base.substring(0, dot) : base) + "." + format.extension;
    }

    @Override
    public void finish() {
      // Every file was written whole in write().
    }

    @Override
    public WriteSummary publish() {
      return files.publish(rows);
    }

    @Override
    public void discard() {
      discarded = true;
      files.discard();
    }

    @Override
    public void close() {
      // No writer stays open between rows.
    }
  }
}
