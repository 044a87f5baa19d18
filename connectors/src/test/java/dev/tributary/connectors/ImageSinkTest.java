package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * Image tensors keep their shape (height x width x channels) through readImages, Parquet and
 * Arrow IPC, and {@link ImageSink} writes them back as files, atomically.
 */
class ImageSinkTest extends ArenaTestSupport {
  private static final int HEIGHT = 6;
  private static final int WIDTH = 5;

  /** Seeded random RGB images written with javax.imageio: their pixels by file name. */
  private Map<String, int[]> generate(Path in, int count, boolean gray) throws IOException {
    Files.createDirectories(in);
    Random random = new Random(14);
    Map<String, int[]> pixels = new LinkedHashMap<>();
    for (int n = 0; n < count; n++) {
      BufferedImage image = new BufferedImage(WIDTH, HEIGHT,
          gray ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
      int[] values = new int[HEIGHT * WIDTH * (gray ? 1 : 3)];
      for (int i = 0; i < values.length; i++) {
        values[i] = random.nextInt(256);
      }
      image.getRaster().setPixels(0, 0, WIDTH, HEIGHT, values);
      String name = "img" + n;
      ImageIO.write(image, "png", in.resolve(name + ".png").toFile());
      pixels.put(name, values);
    }
    return pixels;
  }

  /** Pixels of every png in {@code dir} by name without extension, read by javax.imageio. */
  private static Map<String, int[]> decode(Path dir) throws IOException {
    Map<String, int[]> out = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        BufferedImage image = ImageIO.read(f.toFile());
        String name = f.getFileName().toString();
        out.put(name.substring(0, name.lastIndexOf('.')), image.getRaster().getPixels(0, 0,
            image.getWidth(), image.getHeight(), (int[]) null));
      }
    }
    return out;
  }

  /** Every row's image (flattened) by its file name, and each block's image field. */
  private Map<String, float[]> images(Flux<Block> blocks, List<Field> fields) {
    Map<String, float[]> out = new LinkedHashMap<>();
    blocks.doOnNext(b -> {
      try (b) {
        fields.add(b.vector("image").getField());
        String[] paths = ColumnReader.strings(b, "path");
        float[][] images = ColumnReader.tensors(b, "image");
        for (int i = 0; i < paths.length; i++) {
          String name = Path.of(paths[i]).getFileName().toString();
          out.put(name.substring(0, name.lastIndexOf('.')), images[i]);
        }
      }
    }).blockLast();
    return out;
  }

  private static FileSource source(Path in, boolean gray) {
    FileSource source = FileSource.images(List.of(in.toString()), HEIGHT, WIDTH).perBlock(2);
    return gray ? source.grayscale() : source;
  }

  private static int[] ints(float[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (int) values[i];
    }
    return out;
  }

  @Test
  void readWriteReadAsPngKeepsEveryPixelAndTheShape() throws IOException {
    for (boolean gray : new boolean[] {false, true}) {
      Path in = dir.resolve(gray ? "gray" : "rgb");
      Map<String, int[]> original = generate(in, 5, gray);
      FileSource source = source(in, gray);
      Path out = dir.resolve(gray ? "gray-out" : "rgb-out");

      WriteSummary summary = ImageSink.to(out, "image", ImageSink.Format.PNG).namesFrom("path")
          .write(source.blocks(account)).block();

      assertThat(summary.rows()).isEqualTo(5);
      assertThat(summary.files()).hasSize(5).allMatch(Files::isRegularFile);
      // javax.imageio, reading the written files on its own, sees the generated pixels.
      Map<String, int[]> written = decode(out);
      assertThat(written.keySet()).containsExactlyElementsOf(original.keySet());
      original.forEach((name, px) -> assertThat(written.get(name)).as(name).containsExactly(px));
      // And readImages reads them back with the same values and shape.
      List<Field> fields = new ArrayList<>();
      Map<String, float[]> reread = images(source(out, gray).blocks(account), fields);
      original.forEach((name, px) -> assertThat(ints(reread.get(name))).containsExactly(px));
      assertThat(fields).allMatch(f -> f.equals(BlockBuilder.tensorField("image", HEIGHT, WIDTH,
          gray ? 1 : 3)));
    }
  }

  @Test
  void filesAreNamedByRowIndexWithoutANameColumnAndJpegIsReadable() throws IOException {
    Path in = dir.resolve("in");
    generate(in, 3, false);
    Path out = dir.resolve("out");
    ImageSink.to(out, "image", ImageSink.Format.of("JPG"))
        .write(FileSource.images(List.of(in.toString()), HEIGHT, WIDTH).blocks(account)).block();
    try (Stream<Path> files = Files.list(out)) {
      List<Path> written = files.sorted().toList();
      assertThat(written).extracting(p -> p.getFileName().toString())
          .containsExactly("image-000000.jpg", "image-000001.jpg", "image-000002.jpg");
      BufferedImage first = ImageIO.read(written.get(0).toFile());
      assertThat(first.getWidth()).isEqualTo(WIDTH);
      assertThat(first.getHeight()).isEqualTo(HEIGHT);
    }
  }

  @Test
  void parquetAndArrowIpcRoundTripsKeepTheShape() throws IOException {
    Path in = dir.resolve("in");
    generate(in, 4, false);
    List<Field> read = new ArrayList<>();
    Map<String, float[]> original = images(FileSource.images(List.of(in.toString()), HEIGHT,
        WIDTH).blocks(account), read);
    Path parquet = dir.resolve("pq");
    ParquetSink.to(parquet).write(FileSource.images(List.of(in.toString()), HEIGHT, WIDTH)
        .blocks(account)).block();
    Path arrow = dir.resolve("arrow");
    ArrowIpcSink.to(arrow).write(FileSource.images(List.of(in.toString()), HEIGHT, WIDTH)
        .blocks(account)).block();

    Field image = BlockBuilder.tensorField("image", HEIGHT, WIDTH, 3);
    for (Flux<Block> back : List.of(
        ParquetSource.of(List.of(parquet.toString())).blocks(account, 8 * Bytes.MiB),
        ArrowIpcSource.of(List.of(arrow.toString())).blocks(account))) {
      List<Field> fields = new ArrayList<>();
      Map<String, float[]> got = images(back, fields);
      assertThat(fields).isNotEmpty().allMatch(image::equals);
      assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(original.keySet());
      original.forEach((name, px) -> assertThat(got.get(name)).containsExactly(px));
    }
    // DuckDB, an independent reader, sees height x width x channels nested lists.
    List<List<Object>> dims = DuckDbParquet.rows("SELECT len(image), len(image[1]),"
        + " len(image[1][1]), image[2][3][1] FROM read_parquet('" + parquet + "/*.parquet')"
        + " ORDER BY path");
    float[] firstImage = original.values().iterator().next();
    assertThat(dims).hasSize(4).allMatch(r -> ((Number) r.get(0)).intValue() == HEIGHT
        && ((Number) r.get(1)).intValue() == WIDTH && ((Number) r.get(2)).intValue() == 3);
    // Row 2, column 3, channel 1 (DuckDB counts from 1) of the first image, row-major.
    assertThat(((Number) dims.get(0).get(3)).floatValue())
        .isEqualTo(firstImage[(1 * WIDTH + 2) * 3]);
  }

  @Test
  void aColumnThatIsNotAnImageIsAColumnExceptionAndLeavesNothing() {
    Path out = dir.resolve("out");
    Flux<Block> flat = Flux.defer(() -> Flux.just(BlockBuilder.in(account)
        .tensors("image", new float[][] {{1, 2, 3}}, 3).build()));
    assertThatThrownBy(() -> ImageSink.to(out, "image", ImageSink.Format.PNG).write(flat).block())
        .isInstanceOf(ColumnException.class).hasMessageContaining("'image'")
        .hasMessageContaining("not an image tensor");
    assertThat(out).doesNotExist();
    try (Block text = BlockBuilder.in(account).column("image", new String[] {"x"}).build()) {
      assertThatThrownBy(() -> ImageSink.to(out, "image", ImageSink.Format.PNG)
          .check(text.schema()))
          .isInstanceOf(ColumnException.class).hasMessageContaining("not an image tensor");
    }
  }

  @Test
  void aValueOutsideTheByteRangeOrTwoRowsOfOneNameFailTheWholeWrite() {
    Path out = dir.resolve("out");
    float[] ok = new float[2 * 2 * 3];
    float[] scaled = new float[2 * 2 * 3];
    scaled[5] = 1.5e3f;
    Flux<Block> outOfRange = Flux.defer(() -> Flux.just(BlockBuilder.in(account)
        .tensors("image", new float[][] {ok, scaled}, 2, 2, 3).build()));
    assertThatThrownBy(() -> ImageSink.to(out, "image", ImageSink.Format.PNG)
        .write(outOfRange).block())
        .isInstanceOf(ColumnException.class).hasMessageContaining("row 1")
        .hasMessageContaining("[y, x, c] = [0, 1, 2]");
    assertThat(out).doesNotExist();

    Flux<Block> sameName = Flux.defer(() -> Flux.just(BlockBuilder.in(account)
        .tensors("image", new float[][] {ok, ok}, 2, 2, 3)
        .column("name", new String[] {"a/x.png", "b/x.jpg"}).build()));
    assertThatThrownBy(() -> ImageSink.to(out, "image", ImageSink.Format.PNG).namesFrom("name")
        .write(sameName).block())
        .isInstanceOf(WriteException.class).hasMessageContaining("x.png")
        .hasMessageContaining("same file");
    assertThat(out).doesNotExist();
  }

  @Test
  void aDisposedWriteHasLeftNothingAndHoldsNoMemory() throws IOException {
    Path in = dir.resolve("in");
    generate(in, 3, false);
    Path out = dir.resolve("out");
    Sinks.Many<Block> upstream = Sinks.many().unicast().onBackpressureBuffer();
    Disposable write = ImageSink.to(out, "image", ImageSink.Format.PNG)
        .write(upstream.asFlux()).subscribe();
    FileSource.images(List.of(in.toString()), HEIGHT, WIDTH).blocks(account)
        .doOnNext(upstream::tryEmitNext).blockLast();
    // The block written (and closed) and its files staged: the write now waits for more.
    while (account.heldBytes() > 0 || staged().isEmpty()) {
      Thread.onSpinWait();
    }
    assertThat(staged()).allMatch(n -> n.startsWith(".out.tributary-"));
    upstream.tryEmitNext(FileSource.images(List.of(in.toString()), HEIGHT, WIDTH)
        .blocks(account).blockFirst());
    write.dispose();
    assertThat(staged()).isEmpty();
    assertThat(out).doesNotExist();
  }

  private List<String> staged() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("in")).toList();
    }
  }
}
