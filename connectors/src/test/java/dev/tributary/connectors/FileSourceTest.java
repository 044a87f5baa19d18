package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.columnar.ColumnReader;
import dev.tributary.memory.Block;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class FileSourceTest extends ArenaTestSupport {
  @Test
  void textLinesBecomeRowsAcrossBlocks() throws IOException {
    List<String> lines = IntStream.range(0, 250).mapToObj(i -> "line " + i + " \u00e9")
        .collect(Collectors.toList());
    lines.add("");
    Files.write(dir.resolve("a.txt"), lines);
    List<String> got = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    FileSource.textLines(List.of(dir.toString())).perBlock(100).blocks(account)
        .doOnNext(b -> {
          try (b) {
            sizes.add(b.rowCount());
            got.addAll(List.of(ColumnReader.strings(b, "text")));
          }
        }).blockLast();
    assertThat(got).isEqualTo(lines);
    assertThat(sizes).containsExactly(100, 100, 51);
  }

  @Test
  void binaryFilesCarryPathAndBytes() throws IOException {
    for (int i = 0; i < 5; i++) {
      Files.write(dir.resolve("f" + i + ".bin"), new byte[] {(byte) i, 42});
    }
    List<String> paths = new ArrayList<>();
    FileSource.binaryFiles(List.of(dir.toString())).perBlock(2).blocks(account)
        .doOnNext(b -> {
          try (b) {
            String[] p = ColumnReader.strings(b, "path");
            byte[][] bytes = ColumnReader.binaries(b, "bytes");
            for (int i = 0; i < p.length; i++) {
              assertThat(bytes[i]).containsExactly(
                  (byte) (p[i].charAt(p[i].length() - 5) - '0'), (byte) 42);
              paths.add(p[i]);
            }
          }
        }).blockLast();
    assertThat(paths).hasSize(5).allMatch(p -> p.endsWith(".bin"));
  }

  @Test
  void imagesDecodeToFixedShapeTensors() throws IOException {
    BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
    image.setRGB(0, 0, 0xFF0000);
    image.setRGB(1, 0, 0x00FF00);
    image.setRGB(0, 1, 0x0000FF);
    image.setRGB(1, 1, 0xFFFFFF);
    ImageIO.write(image, "png", dir.resolve("rgb.png").toFile());
    ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png",
        dir.resolve("big.png").toFile());
    FileSource source = FileSource.images(List.of(dir + "/*.png"), 2, 2);
    assertThat(source.imageValues()).isEqualTo(12);
    List<float[]> tensors = new ArrayList<>();
    source.blocks(account).doOnNext(b -> {
      try (b) {
        tensors.addAll(List.of(ColumnReader.tensors(b, "image")));
      }
    }).blockLast();
    assertThat(tensors).hasSize(2);
    assertThat(tensors.get(1)).containsExactly(255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255);
    assertThat(tensors.get(0)).hasSize(12);
  }

  @Test
  void anUndecodableImageNamesTheFile() throws IOException {
    Files.writeString(dir.resolve("broken.png"), "not an image");
    assertThatThrownBy(() -> FileSource.images(List.of(dir.toString()), 4, 4).blocks(account)
        .doOnNext(Block::close).blockLast())
        .isInstanceOf(CorruptInputException.class)
        .hasMessageContaining("broken.png");
  }
}
