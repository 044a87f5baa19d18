package dev.tributary.operators;

import dev.tributary.memory.MemoryLimitExceededException;
import java.util.List;
import reactor.core.Exceptions;

/** How a failure thrown from inside a user function is reported, in one place. */
final class UserCalls {
  private UserCalls() {}

  /**
   * The error to signal for {@code failure}, thrown while {@code operator} ran its function on
   * input block {@code blockIndex}: memory limits and errors already attributed as they are, JVM
   * failures (heap, stack, linkage) as {@link JvmErrorException}, anything else (a column the
   * function's values cannot make included) as a {@link UserFunctionException}.
   */
  static RuntimeException failure(String operator, long blockIndex, Throwable failure) {
    if (failure instanceof UserFunctionException || failure instanceof JvmErrorException
        || failure instanceof MemoryLimitExceededException) {
      return (RuntimeException) failure;
    }
    if (failure instanceof VirtualMachineError || failure instanceof LinkageError) {
      return new JvmErrorException(operator, blockIndex, (Error) failure);
    }
    return new UserFunctionException(operator, blockIndex, failure);
  }

  /**
   * Several tasks failing at once reach Reactor as one composite error: the first, with the
   * others suppressed, so callers see the typed error of one block.
   */
  static Throwable firstOf(Throwable multiple) {
    List<Throwable> all = Exceptions.unwrapMultiple(multiple);
    Throwable first = all.get(0);
    all.subList(1, all.size()).forEach(first::addSuppressed);
    return first;
  }
}
