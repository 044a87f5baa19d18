package dev.tributary.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import reactor.blockhound.integration.BlockHoundIntegration;

class SchedulerBlockHoundTest {
  @Test
  void blockHoundFindsTheIntegrationThroughItsServiceLoader() {
    assertThat(ServiceLoader.load(BlockHoundIntegration.class).stream()
        .map(ServiceLoader.Provider::type))
        .contains(SchedulerBlockHound.class);
  }
}
