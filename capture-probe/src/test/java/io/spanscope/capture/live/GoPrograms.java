package io.spanscope.capture.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Go test programs built with the machine's Go toolchain; the calling test is skipped where there is none. */
final class GoPrograms {

    private GoPrograms() {
    }

    /** Builds the Go module in {@code moduleDir} into {@code binary}; fails the test with go's output if it fails. */
    static void build(Path moduleDir, Path binary) throws Exception {
        Process build;
        try {
            build = new ProcessBuilder("go", "build", "-o", binary.toString(), ".").directory(moduleDir.toFile())
                    .redirectErrorStream(true).start();
        } catch (IOException noGo) {
            assumeTrue(false, "no Go toolchain: " + noGo.getMessage());
            return;
        }
        String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(build.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(build.exitValue()).as(output).isZero();
    }
}
