package dev.tributary.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tributary.BatchIterator;
import dev.tributary.Dataset;
import dev.tributary.IterBatchesOptions;
import dev.tributary.Tensor;
import dev.tributary.Tributary;
import dev.tributary.TributaryRuntime;
import dev.tributary.memory.Arena;
import dev.tributary.memory.Bytes;
import dev.tributary.memory.ColumnException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The preprocessors against reference math computed here, plainly, from the same values. */
class PreprocessorsTest {
  private static final int ROWS = 5_000;

  private final TributaryRuntime runtime = TributaryRuntime.builder().name("preprocess-test")
      .memoryLimit(256 * Bytes.MiB).failOnLeak(true).build();
  private final Arena arena = runtime.arena();

  private final Double[] x = new Double[ROWS];
  private final long[] y = new long[ROWS];
  private final String[] color = new String[ROWS];
  private Dataset ds;

  @BeforeEach
  void data() {
    Random random = new Random(7);
    String[] colors = {"red", "green", "blue"};
    for (int i = 0; i < ROWS; i++) {
      x[i] = i % 50 == 0 ? null : random.nextGaussian() * 3 + 10;
      y[i] = random.nextInt(1_000) - 200;
      color[i] = i % 97 == 0 ? null : colors[random.nextInt(i % 2 == 0 ? 3 : 2)];
    }
    Map<String, Object> columns = new LinkedHashMap<>();
    columns.put("x", x);
    columns.put("y", y);
    columns.put("color", color);
    // Several blocks, so fitting merges across blocks.
    ds = Tributary.fromColumns(columns).withRuntime(runtime).rebatch(700);
  }

  @AfterEach
  void noLeaks() {
    runtime.close();
    assertThat(arena.allocatedBytes()).as(arena.report()).isZero();
  }

  private double[] xs() {
    return Arrays.stream(x).filter(v -> v != null).mapToDouble(Double::doubleValue).toArray();
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double d : v) {
      s += d;
    }
    return s / v.length;
  }

  private static double quantile(double[] v, double q) {
    double[] s = v.clone();
    Arrays.sort(s);
    double pos = q * (s.length - 1);
    int lo = (int) pos;
    return lo + 1 < s.length ? s[lo] + (pos - lo) * (s[lo + 1] - s[lo]) : s[lo];
  }

  /** Every row's transformed {@code column}, through the lazy transform of a dataset. */
  private static List<Object> column(Dataset transformed, String column) {
    return transformed.takeAll().stream().map(r -> r.get(column)).toList();
  }

  private void assertScaled(Preprocessor fitted, String column, double offset, double scale) {
    List<Object> out = column(fitted.transform(ds), column);
    int k = 0;
    for (int i = 0; i < ROWS; i++) {
      Object v = out.get(i);
      if (column.equals("x") && x[i] == null) {
        assertThat(v).isNull();
        continue;
      }
      double raw = column.equals("x") ? x[i] : y[i];
      assertThat((Double) v).as("row %d", i).isCloseTo((raw - offset) / scale, within(1e-9));
      k++;
    }
    assertThat(k).isPositive();
  }

  @Test
  void standardScalerMatchesMeanAndPopulationStd() {
    double[] v = xs();
    double m = mean(v);
    double ss = 0;
    for (double d : v) {
      ss += (d - m) * (d - m);
    }
    double std = Math.sqrt(ss / v.length);
    assertScaled(StandardScaler.of("x").fit(ds), "x", m, std);
  }

  @Test
  void minMaxMaxAbsAndRobustScalersMatchTheirReferences() {
    double[] v = xs();
    double min = Arrays.stream(v).min().orElseThrow();
    double max = Arrays.stream(v).max().orElseThrow();
    assertScaled(MinMaxScaler.of("x").fit(ds), "x", min, max - min);

    double[] yd = Arrays.stream(y).asDoubleStream().toArray();
    double maxAbs = Arrays.stream(yd).map(Math::abs).max().orElseThrow();
    assertScaled(MaxAbsScaler.of("y").fit(ds), "y", 0, maxAbs);

    double median = quantile(v, 0.5);
    double iqr = quantile(v, 0.75) - quantile(v, 0.25);
    assertScaled(RobustScaler.of("x").fit(ds), "x", median, iqr);
  }

  @Test
  void encodersNumberCategoriesInSortedOrderAndNullsStayNull() {
    LabelEncoder labels = LabelEncoder.of("color").fit(ds);
    assertThat(labels.classes()).containsExactly("blue", "green", "red");
    List<Object> codes = column(labels.transform(ds), "color");
    OrdinalEncoder ordinal = OrdinalEncoder.of("color").fit(ds);
    List<Object> ordinals = column(ordinal.transform(ds), "color");
    List<Map<String, Object>> hot = OneHotEncoder.of("color").fit(ds).transform(ds).takeAll();
    for (int i = 0; i < ROWS; i++) {
      Long expected = color[i] == null ? null : (long) labels.classes().indexOf(color[i]);
      assertThat(codes.get(i)).isEqualTo(expected);
      assertThat(ordinals.get(i)).isEqualTo(expected);
      Map<String, Object> row = hot.get(i);
      assertThat(row).doesNotContainKey("color");
      for (String c : List.of("blue", "green", "red")) {
        assertThat(row.get("color_" + c)).isEqualTo(c.equals(color[i]) ? 1L : 0L);
      }
    }
  }

  @Test
  void imputersFillNullsWithTheMeanTheMostFrequentOrAConstant() {
    double m = mean(xs());
    List<Object> byMean = column(SimpleImputer.of(SimpleImputer.Strategy.MEAN, "x").fit(ds)
        .transform(ds), "x");
    List<Object> byMode = column(SimpleImputer.of(SimpleImputer.Strategy.MOST_FREQUENT,
        "color").fit(ds).transform(ds), "color");
    List<Object> byConstant = column(SimpleImputer.constant("none", "color").transform(ds),
        "color");
    long blue = Arrays.stream(color).filter("blue"::equals).count();
    long green = Arrays.stream(color).filter("green"::equals).count();
    long red = Arrays.stream(color).filter("red"::equals).count();
    String mode = blue >= green && blue >= red ? "blue" : green >= red ? "green" : "red";
    for (int i = 0; i < ROWS; i++) {
      assertThat((Double) byMean.get(i)).isCloseTo(x[i] == null ? m : x[i], within(1e-9));
      assertThat(byMode.get(i)).isEqualTo(color[i] == null ? mode : color[i]);
      assertThat(byConstant.get(i)).isEqualTo(color[i] == null ? "none" : color[i]);
    }
  }

  @Test
  void normalizerGivesEveryRowUnitNormAndConcatenatorATensorColumn() {
    Dataset filled = SimpleImputer.constant(0.0, "x").transform(ds);
    List<Map<String, Object>> rows = Normalizer.of(Normalizer.Norm.L2, "x", "y").transform(filled)
        .takeAll();
    for (Map<String, Object> r : rows) {
      double a = (Double) r.get("x");
      double b = (Double) r.get("y");
      if (a != 0 || b != 0) {
        assertThat(a * a + b * b).isCloseTo(1.0, within(1e-9));
      }
    }
    Dataset features = Concatenator.of("x", "y").into("features").transform(filled);
    try (BatchIterator it = features.iterBatches(IterBatchesOptions.defaults()
        .withBatchSize(100))) {
      Tensor t = it.next().tensor("features");
      assertThat(t.shape()).containsExactly(100, 2);
      float[] first = new float[2];
      t.floats().get(first);
      assertThat(first[0]).isEqualTo(0f); // row 0's x was null, imputed 0
      assertThat(first[1]).isEqualTo((float) y[0]);
    }
    assertThatThrownBy(() -> Concatenator.of("x", "y").transform(ds).count())
        .hasRootCauseInstanceOf(ColumnException.class);
  }

  @Test
  void aFittedChainSavesAndLoadsAsJsonAndTransformsTheSame() {
    Chain chain = Chain.of(
        SimpleImputer.of(SimpleImputer.Strategy.MEAN, "x"),
        StandardScaler.of("x", "y"),
        OneHotEncoder.of("color"),
        Concatenator.of("x", "y").into("features")).fit(ds);
    String json = chain.toJson();
    Preprocessor loaded = Preprocessor.fromJson(json);

    assertThat(loaded).isInstanceOf(Chain.class);
    assertThat(loaded.toJson()).isEqualTo(json);
    Map<String, Object> batch = new LinkedHashMap<>();
    batch.put("x", new Double[] {1.0, null, 12.5});
    batch.put("y", new long[] {3, 4, -5});
    batch.put("color", new String[] {"red", "blue", null});
    Map<String, Object> a = chain.transformBatch(batch);
    Map<String, Object> b = loaded.transformBatch(batch);
    assertThat(a.keySet()).containsExactly("color_blue", "color_green", "color_red", "features")
        .containsExactlyInAnyOrderElementsOf(b.keySet());
    assertThat((float[][]) b.get("features")).isDeepEqualTo((float[][]) a.get("features"));
    assertThat((long[]) b.get("color_red")).containsExactly(1, 0, 0);
    // Categories of a number column survive JSON, whose numbers come back as ints.
    OrdinalEncoder ints = OrdinalEncoder.of("y").fit(ds);
    Preprocessor intsLoaded = Preprocessor.fromJson(ints.toJson());
    Map<String, Object> ys = Map.of("y", new long[] {y[0], y[1]});
    assertThat((Long[]) intsLoaded.transformBatch(ys).get("y"))
        .containsExactly((Long[]) ints.transformBatch(ys).get("y"));
  }

  @Test
  void misuseFailsAtTheCall() {
    assertThatThrownBy(() -> StandardScaler.of("x").transform(ds))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not fitted");
    assertThatThrownBy(() -> StandardScaler.of("nope").fit(ds))
        .hasRootCauseInstanceOf(ColumnException.class).hasMessageContaining("nope");
    assertThatThrownBy(() -> StandardScaler.of("color").fit(ds))
        .isInstanceOf(ColumnException.class).hasMessageContaining("not numeric");
    assertThatThrownBy(() -> Preprocessor.fromJson("{\"type\":\"Nope\"}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StandardScaler.of("x", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
