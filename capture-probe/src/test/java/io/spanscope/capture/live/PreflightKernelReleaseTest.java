package io.spanscope.capture.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spanscope.capture.live.CaptureStartException.Reason;
import org.junit.jupiter.api.Test;

class PreflightKernelReleaseTest {

    @Test
    void parsesMajorAndMinorOfDistributionReleases() {
        assertThat(KernelRelease.parse("6.1.0-18-amd64\n")).contains(new KernelRelease(6, 1));
        assertThat(KernelRelease.parse("6.18.2")).contains(new KernelRelease(6, 18));
        assertThat(KernelRelease.parse("5.15.0-1051-azure")).contains(new KernelRelease(5, 15));
        assertThat(KernelRelease.parse("unknown")).isEmpty();
    }

    @Test
    void comparesMinorVersionsNumerically() {
        assertThat(new KernelRelease(6, 10).atLeast(KernelRelease.MINIMUM)).isTrue();
        assertThat(new KernelRelease(6, 2).atLeast(KernelRelease.MINIMUM)).isTrue();
        assertThat(new KernelRelease(6, 1).atLeast(KernelRelease.MINIMUM)).isFalse();
        assertThat(new KernelRelease(5, 19).atLeast(KernelRelease.MINIMUM)).isFalse();
        assertThat(new KernelRelease(7, 0).atLeast(KernelRelease.MINIMUM)).isTrue();
    }

    @Test
    void anOlderKernelIsRefusedInOneLineNamingTheMinimum() {
        assertThatThrownBy(() -> Preflight.checkKernelRelease("6.1.0-18-amd64\n"))
                .isInstanceOfSatisfying(CaptureStartException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.KERNEL_TOO_OLD);
                    assertThat(e.getMessage()).contains("6.1.0-18-amd64", "6.2").doesNotContain("\n");
                });
        assertThatCode(() -> Preflight.checkKernelRelease("6.2.0")).doesNotThrowAnyException();
        assertThatCode(() -> Preflight.checkKernelRelease("not a release")).doesNotThrowAnyException();
    }
}
