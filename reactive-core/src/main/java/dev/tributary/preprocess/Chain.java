package dev.tributary.preprocess;

import dev.tributary.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Preprocessors applied in order (Ray's {@code Chain}). Fitting fits each step on the dataset as
 * the steps before it transform it, so a chain with {@code k} steps that learn takes {@code k}
 * passes (each streaming).
 */
public final class Chain implements Preprocessor {
  private List<Preprocessor> steps;

  private Chain() {
    // for Jackson
  }

  private Chain(List<Preprocessor> steps) {
    this.steps = steps;
  }

  /** A chain of {@code steps}, first applied first. */
  public static Chain of(Preprocessor... steps) {
    if (steps.length == 0) {
      throw new IllegalArgumentException("a chain needs at least one step");
    }
    return new Chain(List.of(steps));
  }

  @Override
  public Chain fit(Dataset dataset) {
    List<Preprocessor> fitted = new ArrayList<>();
    Dataset current = dataset;
    for (int i = 0; i < steps.size(); i++) {
      Preprocessor step = steps.get(i).fit(current);
      fitted.add(step);
      if (i < steps.size() - 1) {
        current = step.transform(current);
      }
    }
    return new Chain(List.copyOf(fitted));
  }

  @Override
  public boolean fitted() {
    return steps.stream().allMatch(Preprocessor::fitted);
  }

  /** The steps, in order. */
  public List<Preprocessor> steps() {
    return steps;
  }

  @Override
  public Map<String, Object> transformBatch(Map<String, Object> batch) {
    requireFitted();
    Map<String, Object> out = batch;
    for (Preprocessor step : steps) {
      out = step.transformBatch(out);
    }
    return out;
  }
}
