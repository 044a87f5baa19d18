package dev.tributary.spark;

import dev.tributary.error.TributaryException;

/**
 * A stage of a dataset run on Spark holds something that cannot travel to the executors —
 * usually a lambda whose type is not {@link java.io.Serializable} — found on the driver before
 * the job starts. Names the stage and the class that is not serializable.
 */
public final class NotSerializableFunctionException extends TributaryException {
  private static final long serialVersionUID = 1L;

  private final String stage;
  private final String function;

  NotSerializableFunctionException(String stage, String function, Throwable cause) {
    super("stage '" + stage + "' cannot be sent to Spark's executors: " + function
        + " is not serializable. Write the function as a class implementing Serializable, or a "
        + "lambda cast to a serializable type (e.g. (Function<Map<String, Object>, Map<String, "
        + "Object>> & Serializable) row -> ...), capturing only serializable values", cause);
    this.stage = stage;
    this.function = function;
  }

  /** The stage's name, as {@code explain()} shows it. */
  public String stage() {
    return stage;
  }

  /** The class that is not serializable. */
  public String function() {
    return function;
  }
}
