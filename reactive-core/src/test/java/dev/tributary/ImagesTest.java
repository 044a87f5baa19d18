package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.connectors.WriteSummary;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/** Images through the Dataset API: their shape in training batches, and writeImages. */
class ImagesTest {
  private static final int HEIGHT = 4;
  private static final int WIDTH = 3;

  private final TributaryRuntime runtime = TributaryRuntime.builder().name("images-test")
      .memoryLimit(256 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();

  @TempDir Path dir;

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  /** Five seeded RGB images; their pixels (row-major y, x, channel) in file-name order. */
  private int[][] generate(Path in) throws IOException {
    Files.createDirectories(in);
    Random random = new Random(7);
    int[][] pixels = new int[5][];
    for (int n = 0; n < 5; n++) {
      BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
      pixels[n] = random.ints(HEIGHT * WIDTH * 3, 0, 256).toArray();
      image.getRaster().setPixels(0, 0, WIDTH, HEIGHT, pixels[n]);
      ImageIO.write(image, "png", in.resolve("img" + n + ".png").toFile());
    }
    return pixels;
  }

  @Test
  void aTrainingBatchGivesImagesAsRowsByHeightByWidthByChannels() throws IOException {
    int[][] pixels = generate(dir.resolve("in"));
    Dataset images = Tributary.readImages(HEIGHT, WIDTH, dir.resolve("in").toString())
        .withRuntime(runtime);
    try (BatchIterator it = images.iterBatches(IterBatchesOptions.defaults().withBatchSize(2))) {
      int row = 0;
      while (it.hasNext()) {
        Batch b = it.next();
        Tensor t = b.tensor("image");
        assertThat(t.shape()).containsExactly(b.rowCount(), HEIGHT, WIDTH, 3);
        float[] values = new float[b.rowCount() * HEIGHT * WIDTH * 3];
        t.floats().get(values);
        for (int r = 0; r < b.rowCount(); r++, row++) {
          for (int i = 0; i < HEIGHT * WIDTH * 3; i++) {
            assertThat(values[r * HEIGHT * WIDTH * 3 + i]).isEqualTo(pixels[row][i]);
          }
        }
      }
      assertThat(row).isEqualTo(5);
    }
  }

  @Test
  void writeImagesThenReadImagesGivesTheSamePixels() throws IOException {
    int[][] pixels = generate(dir.resolve("in"));
    Path out = dir.resolve("out");
    WriteSummary summary = Tributary.readImages(HEIGHT, WIDTH, dir.resolve("in").toString())
        .withRuntime(runtime).writeImages(out.toString(), "image", "png");
    assertThat(summary.rows()).isEqualTo(5);
    assertThat(summary.files()).extracting(p -> p.getFileName().toString())
        .containsExactly("image-000000.png", "image-000001.png", "image-000002.png",
            "image-000003.png", "image-000004.png");
    try (BatchIterator it = Tributary.readImages(HEIGHT, WIDTH, out.toString())
        .withRuntime(runtime).iterBatches(IterBatchesOptions.defaults().withBatchSize(5))) {
      Batch b = it.next();
      float[][] back = (float[][]) b.column("image");
      for (int n = 0; n < 5; n++) {
        for (int i = 0; i < pixels[n].length; i++) {
          assertThat(back[n][i]).isEqualTo(pixels[n][i]);
        }
      }
    }
  }

  @Test
  void writingAColumnThatIsNotAnImageFailsAndLeavesNothing() {
    Dataset numbers = Tributary.fromColumns(Map.of("x", new float[][] {{1, 2}}))
        .withRuntime(runtime);
    // A flat tensor has no height and width: the write fails with the column named.
    StepVerifier.create(numbers.writeImagesMono(dir.resolve("out").toString(), "x", "png"))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ColumnException.class)
            .hasMessageContaining("'x'").hasMessageContaining("not an image tensor"))
        .verify(Duration.ofSeconds(30));
    assertThatThrownBy(() -> numbers.writeImages(dir.resolve("out").toString(), "x", "gif"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("png or jpeg");
    assertThat(dir.resolve("out")).doesNotExist();
  }
}
