package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.pipeline.cli.SpanscopeCommand;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `spanscope run` from its command line, with real capture. */
@Tag("live")
class RunCommandTest {

    @Test
    void anUnreachableEndpointIsOneClearLineAndTheRunGoesOnCountingWhatItCouldNotSend(@TempDir Path dir)
            throws Exception {
        int deadPort = TestPorts.free();
        int quietPort = TestPorts.free();
        Path spans = dir.resolve("spans.jsonl");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        int exit;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            exit = SpanscopeCommand.execute("run", "--otlp-endpoint", "http://127.0.0.1:" + deadPort,
                    "--port", "" + quietPort, "--http-port", "-1", "--quiet", "--duration", "2s",
                    "--spans-out", spans.toString());
        } finally {
            System.setErr(originalErr);
        }
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(exit).isZero();
        assertThat(lines).filteredOn(l -> l.contains("not reachable")).singleElement().asString()
                .startsWith("spanscope: OTLP endpoint http://127.0.0.1:" + deadPort + " is not reachable (")
                .endsWith("spans wait in the export queue (up to 100000) until it is");
        assertThat(lines).anyMatch(l -> l.startsWith("spanscope: exported 0 spans; dropped 0"));
        assertThat(lines).noneMatch(l -> l.contains("Exception") || l.contains("\tat "));
        assertThat(Files.exists(spans)).isTrue();
    }
}
