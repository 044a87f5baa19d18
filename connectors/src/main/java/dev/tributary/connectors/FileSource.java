package dev.tributary.connectors;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import java.awt.Graphics2D;
import java.awt.Image;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

/**
 * Whole-file and line-oriented sources: text lines ({@code text} column), binary files ({@code
 * path}, {@code bytes}) and images decoded with {@code javax.imageio} into a fixed-shape float32
 * tensor ({@code image}, values 0-255) plus {@code path}. An image column is nested fixed-size
 * lists, height of width of channels of float32 ({@link
 * dev.tributary.columnar.BlockBuilder#tensors(String, float[][], int...)}): the shape is in the
 * Arrow type, so operators, Arrow IPC and Parquet keep it without metadata to carry along.
 * Reads block on file I/O: subscribe on an I/O scheduler.
 */
public final class FileSource {
  /** Default rows per block for text lines. */
  public static final int DEFAULT_LINES_PER_BLOCK = 65_536;
  /** Default files per block for binary files and images. */
  public static final int DEFAULT_FILES_PER_BLOCK = 16;

  private enum Kind { LINES, BINARY, IMAGES }

  private final Kind kind;
  private final InputFiles files;
  private final int perBlock;
  private final int height;
  private final int width;
  private final boolean gray;

  private FileSource(Kind kind, InputFiles files, int perBlock, int height, int width,
      boolean gray) {
    this.kind = kind;
    this.files = files;
    this.perBlock = perBlock;
    this.height = height;
    this.width = width;
    this.gray = gray;
  }

  /**
   * One row per line of the given text files, directories ({@code .txt}) or globs; Hive
   * partition directories become columns ({@link Partitioning#hive()}).
   */
  public static FileSource textLines(List<String> paths) {
    return textLines(paths, Partitioning.hive());
  }

  /** One row per line of text files, partition directories read as {@code partitioning} says. */
  public static FileSource textLines(List<String> paths, Partitioning partitioning) {
    return new FileSource(Kind.LINES, InputFiles.expand(paths, partitioning, ".txt"),
        DEFAULT_LINES_PER_BLOCK, 0, 0, false);
  }

  /**
   * One row per file ({@code path}, {@code bytes}) of the given files, directories or globs;
   * Hive partition directories become columns ({@link Partitioning#hive()}).
   */
  public static FileSource binaryFiles(List<String> paths) {
    return binaryFiles(paths, Partitioning.hive());
  }

  /** One row per file, partition directories read as {@code partitioning} says. */
  public static FileSource binaryFiles(List<String> paths, Partitioning partitioning) {
    return new FileSource(Kind.BINARY, InputFiles.expand(paths, partitioning, ""),
        DEFAULT_FILES_PER_BLOCK, 0, 0, false);
  }

  /**
   * One row per PNG or JPEG image, resized to {@code height} x {@code width}, as RGB (3 channels)
   * or, with {@link #grayscale()}, one channel; Hive partition directories become columns.
   */
  public static FileSource images(List<String> paths, int height, int width) {
    return images(paths, height, width, Partitioning.hive());
  }

  /** One row per image, partition directories read as {@code partitioning} says. */
  public static FileSource images(List<String> paths, int height, int width,
      Partitioning partitioning) {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("image size must be positive, was " + height + "x"
          + width);
    }
    return new FileSource(Kind.IMAGES, InputFiles.expand(paths, partitioning, ""),
        DEFAULT_FILES_PER_BLOCK, height, width, false);
  }

  /** Images decoded to one gray channel instead of RGB. */
  public FileSource grayscale() {
    return new FileSource(kind, files, perBlock, height, width, true);
  }

  /** Rows (lines or files) per block. */
  public FileSource perBlock(int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("rows per block must be >= 1, was " + rows);
    }
    return new FileSource(kind, files, rows, height, width, gray);
  }

  /** The files this source reads, in order. */
  public List<Path> files() {
    return files.paths();
  }

  /** The number of values per image row of the tensor column. */
  public int imageValues() {
    return height * width * (gray ? 1 : 3);
  }

  /** The shape of each image: height, width, channels (3 for RGB, 1 for grayscale). */
  public int[] imageShape() {
    return new int[] {height, width, gray ? 1 : 3};
  }

  /** The rows as blocks charged to {@code account}, read on subscription. */
  public Flux<Block> blocks(Account account) {
    return blocks(account, ReadSettings.defaults(Long.MAX_VALUE), new ReadStats());
  }

  /**
   * The rows as blocks charged to {@code account}, read as {@code settings} say: opening or
   * reading a file is retried on the retried error types; an unreadable text file ends there,
   * an unreadable or undecodable whole file fails its block, each one errored block while the
   * allowance lasts. Files read and their sizes are counted in {@code stats}.
   */
  public Flux<Block> blocks(Account account, ReadSettings settings, ReadStats stats) {
    if (kind == Kind.LINES) {
      return FileReads.eachFile(files, settings, stats,
          file -> Files.newBufferedReader(file, StandardCharsets.UTF_8),
          (file, reader) -> lines(file, reader, account));
    }
    return FileReads.groups(files, perBlock, settings, stats, this::readWhole,
        contents -> wholeFiles(contents, account));
  }

  private Flux<Block> lines(Path file, BufferedReader reader, Account account) {
    long[] lineNumber = {0};
    return Flux.generate((SynchronousSink<Block> sink) -> {
      List<String> lines = new ArrayList<>();
      try {
        String line;
        while (lines.size() < perBlock && (line = reader.readLine()) != null) {
          lines.add(line);
          lineNumber[0]++;
        }
      } catch (IOException e) {
        // The decoder reads ahead of the lines handed out: find a UTF-8 error's line by scanning.
        String after = "after line " + lineNumber[0];
        sink.error(new CorruptInputException(file, e instanceof CharacterCodingException
            ? InvalidUtf8.locate(file, after) : after, e));
        return;
      }
      if (lines.isEmpty()) {
        sink.complete();
      } else {
        sink.next(BlockBuilder.in(account).column("text", lines.toArray(String[]::new)).build());
      }
    });
  }


  /** One file's path and its bytes or decoded image. */
  private record Whole(Path file, byte[] bytes, float[] image) {}

  private Whole readWhole(Path file) throws IOException {
    return kind == Kind.BINARY ? new Whole(file, Files.readAllBytes(file), null)
        : new Whole(file, null, decode(file));
  }

  private Block wholeFiles(List<Whole> group, Account account) {
    BlockBuilder builder = BlockBuilder.in(account)
        .column("path", group.stream().map(w -> files.name(w.file())).toArray(String[]::new));
    if (kind == Kind.BINARY) {
      return builder.column("bytes", group.stream().map(Whole::bytes).toArray(byte[][]::new))
          .build();
    }
    return builder.tensors("image", group.stream().map(Whole::image).toArray(float[][]::new),
        imageShape()).build();
  }

  /** An 8-bit single-channel gray image. */
  private static boolean isGray8(BufferedImage image) {
    return image.getRaster().getNumBands() == 1
        && image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
        && image.getSampleModel().getSampleSize(0) == 8;
  }

  private float[] decode(Path file) throws IOException {
    BufferedImage image = ImageIO.read(file.toFile());
    if (image == null) {
      throw new CorruptInputException(file, "whole file",
          new IOException("not a decodable image (PNG or JPEG expected)"));
    }
    if (gray && isGray8(image) && image.getWidth() == width && image.getHeight() == height) {
      // As stored: drawing gray onto gray goes through sRGB and brightens it (gamma).
      int[] values = image.getRaster().getPixels(0, 0, width, height, (int[]) null);
      float[] out = new float[values.length];
      for (int i = 0; i < values.length; i++) {
        out[i] = values[i];
      }
      return out;
    }
    BufferedImage sized = new BufferedImage(width, height,
        gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sized.createGraphics();
    try {
      g.drawImage(image.getScaledInstance(width, height, Image.SCALE_SMOOTH), 0, 0, null);
    } finally {
      g.dispose();
    }
    int channels = gray ? 1 : 3;
    float[] out = new float[height * width * channels];
    var raster = sized.getRaster();
    int[] pixel = new int[raster.getNumBands()];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        raster.getPixel(x, y, pixel);
        for (int c = 0; c < channels; c++) {
          out[(y * width + x) * channels + c] = pixel[c];
        }
      }
    }
    return out;
  }
}
