package dev.tributary.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Readers given {@code http://} URLs (a Reactor Netty file server on 127.0.0.1): the same rows
 * as the local files, checked against DuckDB for Parquet; a 404 is missing input, not corrupt; a
 * server error is retried.
 */
class HttpInputTest extends ArenaTestSupport {
  private DisposableServer server;
  private final AtomicInteger flaky = new AtomicInteger();

  @BeforeEach
  void serve() {
    server = HttpServer.create().host("127.0.0.1").port(0)
        .route(routes -> routes
            .get("/flaky/{name}", (req, res) -> flaky.incrementAndGet() < 3
                ? res.status(503).send()
                : res.sendFile(dir.resolve(req.param("name"))))
            .directory("/files", dir))
        .bindNow();
  }

  @AfterEach
  void stop() {
    server.disposeNow();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  @Test
  void parquetOverHttpHasTheRowsDuckDbWrote() {
    Path file = dir.resolve("t.parquet");
    DuckDbParquet.execute("COPY (SELECT i AS id, 'v' || i AS s FROM range(5000) t(i)) TO '"
        + file + "' (FORMAT parquet, ROW_GROUP_SIZE 1000)");
    List<List<Object>> expected = DuckDbParquet.rows("SELECT id, s FROM read_parquet('" + file
        + "') ORDER BY id");
    ParquetSource source = ParquetSource.of(List.of(url("/files/t.parquet")));
    assertThat(source.rowCount()).isEqualTo(5000);
    List<Map<String, Object>> rows = rowsOf(source.blocks(account, 1 << 20));
    assertThat(rows).hasSize(5000);
    for (int i = 0; i < rows.size(); i++) {
      assertThat(rows.get(i).get("id")).isEqualTo(expected.get(i).get(0));
      assertThat(rows.get(i).get("s")).isEqualTo(expected.get(i).get(1));
    }
  }

  @Test
  void csvAndJsonLinesOverHttpReadAsTheLocalFiles() throws Exception {
    Files.writeString(dir.resolve("a.csv"), "x,name\n1,a\n2,b\n");
    Files.writeString(dir.resolve("a.jsonl"), "{\"x\":1,\"name\":\"a\"}\n{\"x\":2,\"name\":\"b\"}\n");
    assertThat(rowsOf(TextSource.csv(List.of(url("/files/a.csv"))).blocks(account)))
        .isEqualTo(rowsOf(TextSource.csv(List.of(dir.resolve("a.csv").toString()))
            .blocks(account)));
    assertThat(rowsOf(TextSource.jsonLines(List.of(url("/files/a.jsonl"))).blocks(account)))
        .containsExactly(Map.of("x", 1L, "name", "a"), Map.of("x", 2L, "name", "b"));
  }

  @Test
  void binaryFilesAndImagesOverHttpNameTheirUrl() throws Exception {
    Files.write(dir.resolve("b.bin"), new byte[] {1, 2, 3});
    BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    image.setRGB(0, 0, 0xff0000);
    ImageIO.write(image, "png", dir.resolve("i.png").toFile());
    List<Map<String, Object>> files = rowsOf(FileSource.binaryFiles(
        List.of(url("/files/b.bin"))).blocks(account));
    assertThat(files).hasSize(1);
    assertThat(files.get(0).get("path")).isEqualTo(url("/files/b.bin"));
    assertThat((byte[]) files.get(0).get("bytes")).containsExactly(1, 2, 3);
    List<Map<String, Object>> images = rowsOf(FileSource.images(
        List.of(url("/files/i.png")), 4, 4).blocks(account));
    assertThat(images).hasSize(1);
    assertThat(images.get(0).get("path")).isEqualTo(url("/files/i.png"));
  }

  @Test
  void aMissingUrlIsMissingInputNamingItWhenTheSourceIsMade() {
    String missing = url("/files/none.parquet");
    assertThatThrownBy(() -> ParquetSource.of(List.of(missing)))
        .isInstanceOf(MissingInputException.class)
        .hasMessageContaining(missing).hasMessageContaining("404");
    assertThatThrownBy(() -> TextSource.csv(List.of(missing)))
        .isInstanceOf(MissingInputException.class);
  }

  @Test
  void aServerErrorIsRetriedWithBackoffThenTheFileIsRead() throws Exception {
    Files.writeString(dir.resolve("f.csv"), "x\n7\n");
    assertThat(rowsOf(TextSource.csv(List.of(url("/flaky/f.csv"))).blocks(account)))
        .containsExactly(Map.of("x", 7L));
    assertThat(flaky).hasValue(3);
  }

  @Test
  void aServerThatKeepsFailingIsReportedAfterTheRetries() throws Exception {
    flaky.set(-100);
    assertThatThrownBy(() -> TextSource.csv(List.of(url("/flaky/f.csv"))))
        .isInstanceOf(MissingInputException.class)
        .hasMessageContaining("503");
    assertThat(flaky).hasValue(-100 + HttpInput.DEFAULT_RETRY.maxAttempts());
  }
}
