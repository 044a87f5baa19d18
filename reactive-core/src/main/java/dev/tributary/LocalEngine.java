package dev.tributary;

/** The local engine: a dataset runs in this process as it always does. */
final class LocalEngine implements Engine {
  static final LocalEngine INSTANCE = new LocalEngine();

  private LocalEngine() {}

  @Override
  public Dataset run(Dataset dataset) {
    return dataset;
  }

  @Override
  public String toString() {
    return "local";
  }
}
