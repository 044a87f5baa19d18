package dev.tributary.spark;

import dev.tributary.PartitionPlan.FlatMapRows;
import dev.tributary.PartitionPlan.Local;
import dev.tributary.PartitionPlan.Pipeline;
import dev.tributary.memory.Account;
import dev.tributary.memory.Block;
import dev.tributary.operators.BlockTransform;
import java.util.function.Supplier;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskContext$;

/**
 * Spark's task context on Tributary's threads: Spark keeps it in a thread local of the task's
 * thread, while a task's pipeline runs its functions (and pulls narrow parents' iterators) on its
 * runtime's threads. Each call made for a task sees that task's {@link TaskContext#get()}.
 */
final class InTask {
  private InTask() {}

  /** {@code call}'s answer, with {@code task} as the thread's task context while it runs. */
  static <T> T within(TaskContext task, Supplier<T> call) {
    if (task == null || TaskContext.get() != null) {
      return call.get();
    }
    TaskContext$.MODULE$.setTaskContext(task);
    try {
      return call.get();
    } finally {
      TaskContext$.MODULE$.unset();
    }
  }

  /** {@code stage} with its user function run within {@code task}. */
  static Local stage(Local stage, TaskContext task) {
    if (task == null) {
      return stage;
    } else if (stage instanceof Pipeline p) {
      return new Pipeline(p.input(), p.name(), transform(p.transform(), task), p.rebatchRows());
    } else if (stage instanceof FlatMapRows f) {
      var fn = f.fn();
      return new FlatMapRows(f.input(), f.name(), row -> within(task, () -> fn.apply(row)));
    }
    return stage;
  }

  /** {@code transform} run within {@code task}. */
  static BlockTransform transform(BlockTransform transform, TaskContext task) {
    return new Within(transform, task);
  }

  /** A transform run within a task; never serialized (made in the task). */
  private record Within(BlockTransform transform, TaskContext task) implements BlockTransform {
    @Override
    public Block apply(Block input, Account out) {
      return within(task, () -> transform.apply(input, out));
    }
  }
}
