package dev.tributary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tributary.connectors.ReadSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DataContextTest {
  @Test
  void readSettingsCarryTheRetryPolicyTheErroredBlockAllowanceAndOrder() {
    DataContext ctx = DataContext.defaults().withPreserveOrder(false)
        .withRetriedIoErrors(IOException.class, UncheckedIOException.class)
        .withIoRetryBackoff(5, Duration.ofMillis(1), Duration.ofMillis(8))
        .withMaxErroredBlocks(2);
    ReadSettings settings = ctx.readSettings(reactor.core.scheduler.Schedulers.immediate());
    assertThat(settings.retry().retried())
        .containsExactly(IOException.class, UncheckedIOException.class);
    assertThat(settings.retry().maxAttempts()).isEqualTo(5);
    assertThat(settings.retry().retries(new java.nio.file.NoSuchFileException("f"))).isTrue();
    assertThat(settings.retry().retries(new IllegalStateException())).isFalse();
    assertThat(settings.maxErroredBlocks()).isEqualTo(2);
    assertThat(settings.preserveOrder()).isFalse();
    assertThat(settings.maxBlockBytes()).isEqualTo(ctx.effectiveMaxBlockSize());
    assertThat(settings.scheduler()).isSameAs(reactor.core.scheduler.Schedulers.immediate());
    assertThat(settings.vectorizedParquet()).isTrue();
    assertThat(ctx.withVectorizedParquet(false).readSettings(
        reactor.core.scheduler.Schedulers.immediate()).vectorizedParquet()).isFalse();
  }

  @Test
  void aContextIsAPlainValueBuiltOnceAndCopiedByItsWithers() {
    DataContext built = DataContext.builder().memoryLimit(64 << 20).cpuLimit(2)
        .preserveOrder(false).retriedIoErrors(IOException.class).build();
    assertThat(built).isEqualTo(DataContext.defaults().withMemoryLimit(64 << 20).withCpuLimit(2)
        .withPreserveOrder(false).withRetriedIoErrors(IOException.class));
    assertThat(built.toBuilder().build()).isEqualTo(built).hasSameHashCodeAs(built);
    assertThat(built.withPreserveOrder(true)).isNotEqualTo(built);
    DataContext unoptimized = DataContext.builder().optimizer(false).build();
    assertThat(DataContext.defaults().optimizer()).isTrue();
    assertThat(unoptimized).isEqualTo(DataContext.defaults().withOptimizer(false))
        .isNotEqualTo(DataContext.defaults());
    assertThat(unoptimized.toBuilder().memoryLimit(64 << 20).build().optimizer()).isFalse();
    assertThat(DataContext.builder().vectorizedParquet(false).build())
        .isEqualTo(DataContext.defaults().withVectorizedParquet(false))
        .isNotEqualTo(DataContext.defaults());
    assertThat(built.effectiveMaxBlockSize()).isEqualTo((64 << 20) / 32);
    assertThatThrownBy(() -> DataContext.builder().memoryLimit(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("memoryLimit");
  }

  @Test
  void byDefaultNothingIsRetriedAndNoBlockMayFail() {
    DataContext ctx = DataContext.defaults();
    assertThat(ctx.ioRetry().retried()).isEmpty();
    assertThat(ctx.maxErroredBlocks()).isZero();
    assertThatThrownBy(() -> ctx.withMaxErroredBlocks(-1))
        .hasMessageContaining("maxErroredBlocks");
    assertThatThrownBy(() -> ctx.withIoRetryBackoff(0, Duration.ZERO, Duration.ZERO))
        .hasMessageContaining("maxAttempts");
  }
}
