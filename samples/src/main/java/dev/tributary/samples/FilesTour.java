package dev.tributary.samples;

import dev.tributary.Dataset;
import dev.tributary.Tributary;
import dev.tributary.connectors.ParquetSink;
import dev.tributary.connectors.WriteSummary;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.parquet.filter2.predicate.FilterApi;

/**
 * A tour of the file connectors: rows with dates, timestamps, decimals, lists and structs written
 * as Parquet (atomically, several files), read back with a filter and a projection the optimizer
 * pushes into the read (row groups skipped by their statistics, unused columns not decoded:
 * explain and the stats show it), then fed to a training loop through a
 * seeded local shuffle. Everything lives in a temporary directory removed at the end.
 */
public final class FilesTour {
  private FilesTour() {}

  /** Runs the tour on embedded defaults. */
  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("tributary-tour");
    try {
      Dataset orders = Tributary.range(200_000, 8).map(r -> {
        long id = (Long) r.get("id");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("day", LocalDate.of(2026, 1, 1).plusDays(id % 365));
        row.put("at", Instant.parse("2026-01-01T00:00:00Z").plusSeconds(id * 60));
        row.put("amount", BigDecimal.valueOf(id % 10_000, 2));
        row.put("tags", id % 3 == 0 ? List.of("gift") : List.of());
        row.put("shipping", Map.of("country", id % 2 == 0 ? "FR" : "DE"));
        return row;
      });
      WriteSummary written = orders.writeParquet(
          ParquetSink.to(dir.resolve("orders")).rowsPerFile(25_000));
      System.out.println("wrote " + written.rows() + " rows in " + written.files().size()
          + " files, " + written.bytes() + " bytes");

      // The plan's where and select reach the read: only these columns of the row groups whose
      // statistics allow id < 30000 are read (explain shows what was pushed).
      Dataset early = Tributary.readParquet(dir.resolve("orders").toString())
          .where(FilterApi.lt(FilterApi.longColumn("id"), 30_000L))
          .select("id", "day", "amount", "tags");
      System.out.print(early.explain());
      System.out.println(early.schema());
      early.show(3);
      System.out.println("orders with id < 30000: " + early.count() + " (expected 30000)");
      System.out.println("what the filtered read touched: "
          + early.stats().operator("ReadParquet").reads());

      System.out.println("first ids of two shuffled training batches:");
      Tributary.readParquet(dir.resolve("orders").toString())
          .select("id", "amount")
          .iterBatches(1000, 20_000, 7)
          .take(2)
          .doOnNext(batch -> {
            Long[] ids = (Long[]) batch.get("id"); // boxed: columns made from rows are nullable
            System.out.println("  " + ids.length + " rows: " + ids[0] + ", " + ids[1] + ", "
                + ids[2] + ", ...");
          })
          .blockLast();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
