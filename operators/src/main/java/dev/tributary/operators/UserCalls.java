package dev.tributary.operators;

import dev.tributary.memory.MemoryLimitExceededException;

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
}
