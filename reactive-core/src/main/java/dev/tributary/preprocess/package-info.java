/**
 * Preprocessors for ML (Ray Data's {@code ray.data.preprocessors}): scalers, encoders, an
 * imputer, a normalizer, a concatenator into one tensor column, and {@link
 * dev.tributary.preprocess.Chain}. {@code fit(Dataset)} computes the statistics in one streaming
 * pass (blocks are summarised one at a time and dropped, so fitting holds one block's values per
 * column, not the dataset); {@code transform(Dataset)} is lazy (a named {@code mapBatches}); {@code
 * transformBatch(batch)} serves one column batch; the fitted state is saved and loaded as JSON
 * (Jackson). The statistics come from the accumulators here ({@code NumericSummary}, {@code
 * QuantileSample}, {@code Categories}) until the dataset aggregates exist. Depends on {@code
 * dev.tributary} and {@code dev.tributary.memory} only.
 */
package dev.tributary.preprocess;
