package dev.tributary.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.connectors.CsvOptions;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV and JSON lines through the Dataset API: empty values apart from nulls, CSV options. */
class TextFormatsTest {
  private final TributaryRuntime runtime = TributaryRuntime.builder().name("text-it")
      .memoryLimit(64 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();

  @TempDir Path dir;

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  private static List<Map<String, Object>> rows() {
    List<Map<String, Object>> rows = new java.util.ArrayList<>();
    List<String> names = Arrays.asList(null, "", "NULL", "a,\"b\"\nc", "\\", "ü😀");
    for (int i = 0; i < 60; i++) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("id", (long) i);
      r.put("name", names.get(i % names.size()));
      List<Double> special = Arrays.asList(-0.0, Double.NaN, null);
      r.put("x", i % 7 < special.size() ? special.get(i % 7) : (Double) (i / 4.0));
      rows.add(r);
    }
    return rows;
  }

  @Test
  void emptyStringsStayApartFromNullsInEveryCsvDialectAndInJson() {
    Dataset source = Tributary.fromItems(rows()).withRuntime(runtime);
    org.apache.arrow.vector.types.pojo.Schema schema = source.schema();
    List<Map<String, Object>> expected = source.takeAll();
    List<CsvOptions> dialects = List.of(CsvOptions.defaults(),
        CsvOptions.defaults().nullValue("NULL").header(false),
        CsvOptions.defaults().escape('\\').delimiter(';'));
    for (int d = 0; d < dialects.size(); d++) {
      String out = dir.resolve("csv" + d).toString();
      source.writeCsv(out, dialects.get(d));
      assertThat(Tributary.readCsv(schema, dialects.get(d), out).withRuntime(runtime).takeAll())
          .as("%s", dialects.get(d)).isEqualTo(expected);
    }
    assertThat(Tributary.readCsv(dir.resolve("csv0").toString()).withRuntime(runtime).takeAll())
        .isEqualTo(expected);
    source.writeJson(dir.resolve("json").toString());
    assertThat(Tributary.readJson(dir.resolve("json").toString()).withRuntime(runtime)
        .takeAll()).isEqualTo(expected);
  }

  @Test
  void readJsonOfADirectoryTakesJsonlFiles() throws IOException {
    Files.writeString(dir.resolve("a.jsonl"), "{\"n\": 1}\n{\"n\": 2, \"s\": \"x\"}\n");
    Files.writeString(dir.resolve("b.jsonl"), "{\"s\": \"y\", \"n\": 3}\n");
    assertThat(Tributary.readJson(dir.toString()).withRuntime(runtime).takeAll())
        .extracting(r -> r.get("n")).containsExactly(1L, 2L, 3L);
  }
}
