package io.spanscope.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code spanscope span-builder}: settings errors are one line and exit code 2 before anything starts. */
class SpanBuilderCommandTest {

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @BeforeEach
    void redirect() {
        originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(originalErr);
    }

    private List<String> errLines() {
        return err.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void settingErrorsAreOneLineAndExitTwo() {
        assertThat(SpanscopeCommand.execute("span-builder")).isEqualTo(2);
        assertThat(errLines()).hasSize(1);
        assertThat(errLines().get(0)).startsWith("spanscope: kafka.bootstrap-servers: required");

        err.reset();
        assertThat(SpanscopeCommand.execute("span-builder", "--kafka-bootstrap-servers", "127.0.0.1:9092",
                "--parent-wait", "10s", "--set", "builder.known-span-retention=5s")).isEqualTo(2);
        assertThat(errLines()).hasSize(1);
        assertThat(errLines().get(0)).startsWith("spanscope: builder.known-span-retention")
                .contains("must be at least builder.parent-wait");

        err.reset();
        assertThat(SpanscopeCommand.execute("span-builder", "--set", "builder.nope=1")).isEqualTo(2);
        assertThat(errLines()).containsExactly("spanscope: --set builder.nope: unknown setting");
    }
}
