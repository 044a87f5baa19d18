package dev.tributary.preprocess;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tributary.Dataset;
import dev.tributary.MapBatchesOptions;
import java.util.Map;

/**
 * A preprocessor (Ray Data's): {@link #fit} learns statistics from a dataset in one streaming
 * pass and returns a fitted copy (this one is unchanged); {@link #transform} applies a fitted
 * one lazily to a dataset (a {@code mapBatches} named after it); {@link #transformBatch} applies
 * it to one column batch (serving); {@link #toJson()} / {@link #fromJson(String)} save and load
 * it with its fitted state.
 *
 * <p>Fitting waits for its pass to end: call it from an application thread. Output numbers are
 * {@code double} (float64); a numeric column's nulls stay null.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(StandardScaler.class), @JsonSubTypes.Type(MinMaxScaler.class),
    @JsonSubTypes.Type(MaxAbsScaler.class), @JsonSubTypes.Type(RobustScaler.class),
    @JsonSubTypes.Type(OneHotEncoder.class), @JsonSubTypes.Type(LabelEncoder.class),
    @JsonSubTypes.Type(OrdinalEncoder.class), @JsonSubTypes.Type(SimpleImputer.class),
    @JsonSubTypes.Type(Normalizer.class), @JsonSubTypes.Type(Concatenator.class),
    @JsonSubTypes.Type(Chain.class)})
public sealed interface Preprocessor permits StandardScaler, MinMaxScaler, MaxAbsScaler,
    RobustScaler, OneHotEncoder, LabelEncoder, OrdinalEncoder, SimpleImputer, Normalizer,
    Concatenator, Chain {

  /**
   * A fitted copy, its statistics computed from {@code dataset} in one pass (a {@link Chain}:
   * one per fitted step). A preprocessor without statistics returns itself.
   */
  Preprocessor fit(Dataset dataset);

  /** Whether it has its statistics (always, for one that needs none). */
  boolean fitted();

  /**
   * {@code batch} transformed: a new map (the input is not changed) with the preprocessor's
   * columns replaced or added.
   *
   * @throws IllegalStateException if it is not fitted
   * @throws dev.tributary.memory.ColumnException if a column is missing or of the wrong kind
   */
  Map<String, Object> transformBatch(Map<String, Object> batch);

  /**
   * {@code dataset} transformed, lazily.
   *
   * @throws IllegalStateException if it is not fitted (checked here, not when the plan runs)
   */
  default Dataset transform(Dataset dataset) {
    requireFitted();
    return dataset.mapBatches(this::transformBatch,
        MapBatchesOptions.defaults().withName(getClass().getSimpleName()));
  }

  /** The preprocessor and its fitted state as JSON. */
  default String toJson() {
    return PreprocessorJson.write(this);
  }

  /** A preprocessor saved by {@link #toJson()}. */
  static Preprocessor fromJson(String json) {
    return PreprocessorJson.read(json);
  }

  /** @throws IllegalStateException unless fitted */
  default void requireFitted() {
    if (!fitted()) {
      throw new IllegalStateException(getClass().getSimpleName()
          + " is not fitted: call fit(dataset) and use the preprocessor it returns");
    }
  }
}
