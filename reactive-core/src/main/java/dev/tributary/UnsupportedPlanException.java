package dev.tributary;

import dev.tributary.error.TributaryException;

/**
 * A plan an engine cannot run, found before anything ran: names the engine and the stage (or
 * what of it), and what to do instead.
 */
public final class UnsupportedPlanException extends TributaryException {
  private static final long serialVersionUID = 1L;

  /** The engine's message about {@code stage}. */
  public UnsupportedPlanException(String engine, String stage, String why) {
    super("the " + engine + " engine cannot run '" + stage + "': " + why);
  }
}
