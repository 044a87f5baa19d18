package dev.tributary.operators.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tributary.columnar.BlockBuilder;
import dev.tributary.columnar.JavaValues;
import dev.tributary.memory.Account;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Block;
import dev.tributary.memory.Bytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Which aggregations a distributed engine may compute per partition and combine: the combiner
 * reads the parts' column (named like the aggregation: a result, or the part's state) and
 * answers under the same name, as one aggregation over all the rows would.
 */
class AggregateCombinerTest {
  private final Arena arena = Arena.create("combiner", 64 * Bytes.MiB);
  private final Account source = arena.openAccount("source");
  private final Account work = arena.openAccount("aggregate");
  private final Scheduler io = Schedulers.newBoundedElastic(2, 1000, "combiner-io");

  @AfterEach
  void noLeaks() throws Exception {
    io.disposeGracefully().block(Duration.ofSeconds(30));
    arena.awaitEmpty(Duration.ofSeconds(30));
    source.close();
    work.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
    arena.close();
  }

  @Test
  void countsSumsAndExtremesCombineUnderTheirOwnName() {
    assertThat(Aggregate.count().combiner()).hasValueSatisfying(c -> {
      assertThat(c.kind()).isEqualTo(Aggregate.Kind.SUM);
      assertThat(c.column()).isEqualTo("count()");
      assertThat(c.name()).isEqualTo("count()");
    });
    assertThat(Aggregate.sum("x").as("total").combiner()).hasValueSatisfying(c -> {
      assertThat(c.kind()).isEqualTo(Aggregate.Kind.SUM);
      assertThat(c.column()).isEqualTo("total");
      assertThat(c.name()).isEqualTo("total");
    });
    assertThat(Aggregate.min("x").combiner().orElseThrow().kind()).isEqualTo(Aggregate.Kind.MIN);
    assertThat(Aggregate.max("x").combiner().orElseThrow().kind()).isEqualTo(Aggregate.Kind.MAX);
    assertThat(Aggregate.absMax("x").combiner().orElseThrow().kind())
        .isEqualTo(Aggregate.Kind.MAX);
    assertThat(Aggregate.count("x").combiner()).isPresent();
    assertThat(Aggregate.count("x").ignoreNulls(false).combiner()).isPresent();
    Aggregate sum = Aggregate.sum("x");
    assertThat(sum.partial()).as("a result combines as it is").isSameAs(sum);
  }

  @Test
  void meansMomentsAndAggregationsKeepingNullsCombineThePartsStates() {
    List<Aggregate> stateful = List.of(Aggregate.mean("x"), Aggregate.std("x"),
        Aggregate.var("x", 0).as("v0"), Aggregate.sum("x").ignoreNulls(false),
        Aggregate.absMax("x").ignoreNulls(false), Aggregate.min("x").ignoreNulls(false),
        Aggregate.max("x").ignoreNulls(false));
    assertThat(stateful).allSatisfy(a -> {
      assertThat(a.partial().kind()).isEqualTo(Aggregate.Kind.PARTIAL);
      assertThat(a.partial().name()).isEqualTo(a.name());
      assertThat(a.partial().column()).isEqualTo("x");
      assertThat(a.combiner()).hasValueSatisfying(c -> {
        assertThat(c.kind()).isEqualTo(Aggregate.Kind.COMBINE);
        assertThat(c.column()).isEqualTo(a.name());
        assertThat(c.name()).isEqualTo(a.name());
      });
    });
  }

  @Test
  void aggregationsNeedingEveryRowHaveNone() {
    List<Aggregate> none = List.of(Aggregate.unique("x"), Aggregate.quantile("x", 0.5));
    assertThat(none).allSatisfy(a -> assertThat(a.combiner()).as(a.name()).isEmpty());
  }

  /**
   * The parts' states, an empty part's among them (first and last), combine by key and globally
   * to one aggregation's results: exactly for counts, integer sums and means and extremes (of
   * numbers and strings keeping nulls);
   * within a relative 1e-12 for floating means (the parts' sums added, not one sum in row order)
   * and the moments (Chan's merge of the parts' against one Welford pass): both round at about
   * the rows' count times the double epsilon.
   */
  @Test
  void thePartsStatesCombineToTheResultsOverAllRows() {
    List<Aggregate> aggregates = List.of(Aggregate.mean("i"), Aggregate.mean("d"),
        Aggregate.std("d"), Aggregate.var("i", 0), Aggregate.std("i").ignoreNulls(false),
        Aggregate.sum("i").ignoreNulls(false), Aggregate.absMax("d").ignoreNulls(false),
        Aggregate.min("i").ignoreNulls(false), Aggregate.max("d").ignoreNulls(false),
        Aggregate.max("s").ignoreNulls(false), Aggregate.min("s").ignoreNulls(false),
        Aggregate.count());
    for (List<String> keys : List.of(List.<String>of(), List.of("k"))) {
      Map<Object, List<Object>> whole = rows(keys, aggregates, parts(0, 3));
      Map<Object, List<Object>> combined = combinedFromParts(keys, aggregates);

      assertThat(whole.get(keys.isEmpty() ? "all" : "c"))
          .as("std and sum keeping nulls: null where a null is").containsNull();
      assertThat(whole.get(keys.isEmpty() ? "all" : "a").subList(9, 11))
          .as("string extremes keeping nulls: null where a null is").containsOnlyNulls();
      if (!keys.isEmpty()) {
        assertThat(whole.get("b")).as("no null in b").doesNotContainNull();
      }

      assertThat(combined.keySet()).isEqualTo(whole.keySet());
      whole.forEach((key, expected) -> {
        List<Object> got = combined.get(key);
        for (int a = 0; a < aggregates.size(); a++) {
          String name = aggregates.get(a).name();
          boolean approximate = name.startsWith("std") || name.startsWith("var")
              || name.equals("mean(d)");
          if (approximate && expected.get(a) != null) {
            assertThat((Double) got.get(a)).as(key + " " + name)
                .isCloseTo((Double) expected.get(a), Percentage.withPercentage(1e-10));
          } else {
            assertThat(got.get(a)).as(key + " " + name).isEqualTo(expected.get(a));
          }
        }
      });
    }
  }

  /**
   * Plain extremes, sums and counts (nulls skipped) combine from the parts' results whatever
   * comes first: an empty part's untyped result (Arrow's null type) before the typed ones must
   * not type the combination.
   */
  @Test
  void anEmptyPartFirstDoesNotTypeTheCombination() {
    List<Aggregate> aggregates = List.of(Aggregate.min("s"), Aggregate.max("s"),
        Aggregate.min("i"), Aggregate.max("d"), Aggregate.sum("i"), Aggregate.count());
    for (List<String> keys : List.of(List.<String>of(), List.of("k"))) {
      assertThat(combinedFromParts(keys, aggregates)).as("keys " + keys)
          .isEqualTo(rows(keys, aggregates, parts(0, 3)));
    }
  }

  /**
   * The combiners of {@code aggregates} over the partial results of each of the 3 parts, an
   * empty part's result before each and after the last.
   */
  private Map<Object, List<Object>> combinedFromParts(List<String> keys,
      List<Aggregate> aggregates) {
    List<Aggregate> partials = aggregates.stream().map(Aggregate::partial).toList();
    List<Aggregate> combiners = aggregates.stream().map(a -> a.combiner().orElseThrow())
        .toList();
    List<Block> states = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      states.addAll(aggregated(keys, partials, Flux.empty()));
      states.addAll(aggregated(keys, partials, parts(p, p + 1)));
    }
    states.addAll(aggregated(keys, partials, Flux.empty()));
    return rows(keys, combiners, Flux.fromIterable(states));
  }

  /**
   * Parts {@code from} to {@code to} of 3: keys a, b, c; {@code i} int32 with a null in the
   * second (key c), {@code d} float64 in steps that do not add exactly, {@code s} strings with a
   * null in the second (key a).
   */
  private Flux<Block> parts(int from, int to) {
    return Flux.range(from, to - from).map(p -> {
      List<String> keys = new ArrayList<>();
      List<Integer> ints = new ArrayList<>();
      List<String> strings = new ArrayList<>();
      double[] doubles = new double[40];
      for (int r = 0; r < 40; r++) {
        keys.add(String.valueOf((char) ('a' + (r + p) % 3)));
        ints.add(p == 1 && r == 7 ? null : p * 1000 + r * 37);
        strings.add(p == 1 && r == 11 ? null : "s" + (p * 40 + r) * 7 % 100);
        doubles[r] = Math.sqrt(p * 40 + r) * 0.1;
      }
      return BlockBuilder.in(source).column(new Field("k",
              FieldType.nullable(ArrowType.Utf8.INSTANCE), null), keys)
          .column(new Field("i", FieldType.nullable(new ArrowType.Int(32, true)), null), ints)
          .column("d", doubles)
          .column(new Field("s", FieldType.nullable(ArrowType.Utf8.INSTANCE), null), strings)
          .build();
    });
  }

  private List<Block> aggregated(List<String> keys, List<Aggregate> aggregates,
      Flux<Block> blocks) {
    return blocks.transform(HashAggregate.of(keys, aggregates, work, io)).collectList()
        .block(Duration.ofSeconds(30));
  }

  /** The results by key (or by null, globally), each row's values after the keys. */
  private Map<Object, List<Object>> rows(List<String> keys, List<Aggregate> aggregates,
      Flux<Block> blocks) {
    Map<Object, List<Object>> rows = new LinkedHashMap<>();
    for (Block block : aggregated(keys, aggregates, blocks)) {
      try (block) {
        List<FieldVector> v = block.root().getFieldVectors();
        for (int i = 0; i < block.rowCount(); i++) {
          List<Object> row = new ArrayList<>();
          for (FieldVector c : v.subList(keys.size(), v.size())) {
            row.add(JavaValues.get(c, i));
          }
          rows.put(keys.isEmpty() ? "all" : String.valueOf(JavaValues.get(v.get(0), i)), row);
        }
      }
    }
    return rows;
  }
}
