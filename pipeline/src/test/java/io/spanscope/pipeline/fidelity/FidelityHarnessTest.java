package io.spanscope.pipeline.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.pipeline.fidelity.app.CallStyle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fidelity harness end to end: the five-service app under the OpenTelemetry Java agent, then under
 * spanscope. Asserts what must hold whatever the linker's hand-off support: the ground truth is complete,
 * spanscope finds every span, never gives a wrong parent, and links the thread-per-request service; the
 * HttpClient and worker-pool services' calls are mostly linked (through the kernel's completion following),
 * held to a floor well under the measured figure so a noisy machine does not fail it. Event-loop recall is
 * printed, not asserted.
 *
 * <p>{@code -Dspanscope.fidelity.requests=N} / {@code .concurrency=C} (scripts/bench/fidelity.sh) for a
 * larger run; the table is also written to {@code target/fidelity/fidelity-N.md}.
 */
@Tag("live")
class FidelityHarnessTest {

    @TempDir
    Path work;

    @Test
    void spanscopeMatchesTheAgentsSpansAndNeverGivesAWrongParent() throws Exception {
        int requests = Integer.getInteger("spanscope.fidelity.requests", 300);
        int concurrency = Integer.getInteger("spanscope.fidelity.concurrency", 4);
        FidelityHarness harness = FidelityHarness.builder().workDir(work).requests(requests).concurrency(concurrency)
                .build();

        FidelityRun run = harness.run();

        FidelityReport report = run.report();
        String table = report.markdownTable(harness.topology().styleByService());
        System.out.printf("fidelity, %d requests, %d in flight (agent run %d s, spanscope run %d s)%n%s",
                requests, concurrency, run.agentRunTime().toSeconds(), run.spanscopeRunTime().toSeconds(), table);
        report.wrongParentExamples().forEach(w -> System.out.println("wrong parent: " + w));
        Path out = Files.createDirectories(Path.of("target", "fidelity")).resolve("fidelity-" + requests + ".md");
        Files.writeString(out, table);

        // the ground truth is whole: the load generator's call plus a server and a call per hop, leaf server
        int services = harness.topology().services().size();
        assertThat(run.comparableAgentSpans()).isEqualTo((long) requests * 2 * services);
        assertThat(report.services()).hasSize(services + 1);
        for (ServiceFidelity s : report.services()) {
            assertThat(s.ambiguousKeys()).as("duplicate keys in %s", s.service()).isZero();
            assertThat(s.spanRecall()).as("span recall of %s", s.service()).isGreaterThanOrEqualTo(0.99);
            assertThat(s.wrongParents()).as("wrong parents in %s: %s", s.service(), report.wrongParentExamples())
                    .isZero();
        }
        ServiceFidelity threadPerRequest = report.service("gateway").orElseThrow();
        assertThat(threadPerRequest.parentRecall()).as("parent recall of the thread-per-request service")
                .isGreaterThanOrEqualTo(0.95);
        // the targets (90%) are measured by scripts/bench/fidelity.sh (BENCHMARKS.md): HttpClient.send 89.1-94.2%,
        // median 91%, over 10 runs at 1000 requests x 4 in flight, 90.5% at 300 (the default here: 30 was too few,
        // the first calls of a cold JVM weigh too much); worker pool 95.5-98.8%; without completions 50-62%. The
        // floor here leaves room for a loaded CI machine; precision, asserted above, has none
        for (FidelityTopology.Service handingOff : harness.topology().services()) {
            if (handingOff.style() == CallStyle.HTTP_CLIENT || handingOff.style() == CallStyle.WORKER_POOL) {
                assertThat(report.service(handingOff.name()).orElseThrow().parentRecall())
                        .as("parent recall of %s (%s)", handingOff.name(), handingOff.style())
                        .isGreaterThanOrEqualTo(0.8);
            }
        }
    }
}
