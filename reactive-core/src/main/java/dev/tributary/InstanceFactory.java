package dev.tributary;

import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Instances of a class made by its public constructor for given arguments: the constructor is
 * found once, when the plan is built, so a wrong argument list fails at the call, not on a
 * worker.
 */
final class InstanceFactory {
  private InstanceFactory() {}

  /**
   * A factory calling the public constructor of {@code type} that accepts {@code args}.
   *
   * @throws IllegalArgumentException if none does
   */
  static <F> FunctionFactory<F> of(Class<F> type, Object[] args) {
    Objects.requireNonNull(type, "type");
    Object[] values = args == null ? new Object[] {null} : args.clone();
    Constructor<?> constructor = Arrays.stream(type.getConstructors())
        .filter(c -> accepts(c.getParameterTypes(), values))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no public constructor of "
            + type.getName() + " takes (" + Arrays.stream(values)
                .map(v -> v == null ? "null" : v.getClass().getSimpleName())
                .collect(Collectors.joining(", ")) + ")"));
    // A public constructor of a class that is not itself public (a nested class) needs this.
    constructor.trySetAccessible();
    // Serializable (a Constructor is not): a worker elsewhere finds it again from the types.
    Class<?>[] parameters = constructor.getParameterTypes();
    return () -> {
      try {
        Constructor<?> found = type.getConstructor(parameters);
        found.trySetAccessible();
        return type.cast(found.newInstance(values));
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        if (e.getCause() instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException("constructing " + type.getName() + " failed",
            e.getCause());
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot construct " + type.getName(), e);
      }
    };
  }

  private static boolean accepts(Class<?>[] parameters, Object[] values) {
    if (parameters.length != values.length) {
      return false;
    }
    for (int i = 0; i < parameters.length; i++) {
      Class<?> p = parameters[i];
      if (values[i] == null ? p.isPrimitive()
          : !MethodType.methodType(p).wrap().returnType().isInstance(values[i])) {
        return false;
      }
    }
    return true;
  }
}
