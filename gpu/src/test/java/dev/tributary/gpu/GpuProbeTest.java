package dev.tributary.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The reason a GPU stage falls back, as the log line shows it. */
class GpuProbeTest {
  @Test
  void theMissingSharedObjectIsTheReason() {
    UnsatisfiedLinkError e = new UnsatisfiedLinkError("Error while loading native library \"X\"\n"
        + "java.lang.UnsatisfiedLinkError: no X in java.library.path\n"
        + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so:"
        + " libcuda.so.1: cannot open shared object file: No such file or directory\n");
    assertThat(GpuProbe.cause(e))
        .isEqualTo("libcuda.so.1: cannot open shared object file: No such file or directory");
    assertThat(GpuProbe.cause(new NoClassDefFoundError("jcuda/driver/JCudaDriver\nmore")))
        .isEqualTo("NoClassDefFoundError: jcuda/driver/JCudaDriver");
  }

  @Test
  void theProbeAnswersWithoutThrowing() {
    GpuProbe.Status status = GpuProbe.status();
    assertThat(status.available() ? status.reason() == null : !status.reason().isBlank())
        .isTrue();
    assertThat(GpuProbe.status()).isSameAs(status);
  }
}
