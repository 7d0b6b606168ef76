package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.Record;
import io.spanscope.pipeline.live.handoff.HandoffService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel's hand-off evidence on its own, before any linking: under concurrent load, every cause the
 * capture stamps on a client request of the frontend names the server request that the call was made for
 * (the request number travels in the path), and every completed call the capture stamps on a server response
 * is a call made for that request, in a JDK thread pool with HttpClient, a Python worker pool and a
 * single-threaded asyncio event loop. How many calls carry a cause and how many responses name a completed
 * call is reported.
 */
@Tag("live")
class HandoffCauseCaptureTest {

    private static final int CLIENTS = 4;
    private static final int REQUESTS_EACH = 25;

    @TempDir
    Path work;

    @Test
    void causesOnAJavaHttpClientServiceNameTheirOwnRequest() throws Exception {
        int backendPort = TestPorts.free();
        int frontendPort = TestPorts.free();
        Path classes = Path.of(HandoffService.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String java = ProcessHandle.current().info().command().orElse("java");
        try (PythonPeer backend = PythonPeer.start(work, "chain_service.py", "backend.py", Map.of(),
                "--port", "" + backendPort);
             PythonPeer frontend = PythonPeer.startCommand(List.of(java, "-XX:TieredStopAtLevel=1", "-cp",
                     classes.toString(), HandoffService.class.getName(), "--port", "" + frontendPort,
                     "--downstream", "http://127.0.0.1:" + backendPort, "--mode", "send"), Map.of())) {
            assertCausesNameTheirOwnRequest("java HttpClient", false, frontend, frontendPort, backendPort);
        }
    }

    @Test
    void causesOnAPythonWorkerPoolNameTheirOwnRequest() throws Exception {
        int backendPort = TestPorts.free();
        int frontendPort = TestPorts.free();
        try (PythonPeer backend = PythonPeer.start(work, "chain_service.py", "backend.py", Map.of(),
                "--port", "" + backendPort);
             PythonPeer frontend = PythonPeer.start(work, "chain_service.py", "pooled_frontend.py", Map.of(),
                     "--port", "" + frontendPort, "--downstream", "http://127.0.0.1:" + backendPort, "--pool", "4")) {
            assertCausesNameTheirOwnRequest("python pool", true, frontend, frontendPort, backendPort);
        }
    }

    @Test
    void anEventLoopReadingSeveralRequestsStampsNoWrongCause() throws Exception {
        int backendPort = TestPorts.free();
        int frontendPort = TestPorts.free();
        try (PythonPeer backend = PythonPeer.start(work, "chain_service.py", "backend.py", Map.of(),
                "--port", "" + backendPort);
             PythonPeer frontend = PythonPeer.start(work, "event_loop_service.py", "loop_frontend.py", Map.of(),
                     "--port", "" + frontendPort, "--downstream", "http://127.0.0.1:" + backendPort)) {
            assertCausesNameTheirOwnRequest("asyncio event loop", true, frontend, frontendPort, backendPort);
        }
    }

    private void assertCausesNameTheirOwnRequest(String label, boolean globalLockRuntime, PythonPeer frontend,
            int frontendPort, int backendPort)
            throws Exception {
        TestPorts.awaitListening(frontendPort, Duration.ofSeconds(30));
        TestPorts.awaitListening(backendPort, Duration.ofSeconds(30));
        List<Record> records;
        try (LiveRecords live = LiveRecords.capturePorts(List.of(frontendPort, backendPort))) {
            List<PythonPeer> loadgens = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                loadgens.add(PythonPeer.start(work, "loadgen.py", "loadgen.py", Map.of(), "--port", "" + frontendPort,
                        "--count", "" + REQUESTS_EACH, "--first", "" + (c * 1000 + 1), "--pause", "0"));
            }
            for (PythonPeer loadgen : loadgens) {
                assertThat(loadgen.awaitExit(120)).hasSize(REQUESTS_EACH);
            }
            records = live.finish();
        }
        Map<String, Record> serverByPath = new HashMap<>();
        Map<String, Record> serverByKey = new HashMap<>();
        List<Record> calls = new ArrayList<>();
        Map<String, Record> callByResponseKey = new HashMap<>();
        for (Record r : records) {
            if (r.tgid() != frontend.pid()) {
                continue;
            }
            if (r.role() == Role.SERVER) {
                serverByPath.put(path(r), r);
                serverByKey.put(r.connectionId().generation() + "/" + r.requestSequence(), r);
            } else if (r.role() == Role.CLIENT) {
                calls.add(r);
                callByResponseKey.put(r.connectionId().generation() + "/" + r.responseSequence(), r);
            }
        }
        assertThat(serverByPath).hasSize(CLIENTS * REQUESTS_EACH);
        assertThat(calls).hasSize(CLIENTS * REQUESTS_EACH);
        int withCause = 0;
        int onOtherThreads = 0;
        List<String> wrong = new ArrayList<>();
        for (Record call : calls) {
            if (!call.hasCause()) {
                continue;
            }
            withCause++;
            Record own = serverByPath.get(path(call).replace("/detail", ""));
            Record named = serverByKey.get(call.causeGeneration() + "/" + call.causeSequence());
            if (named != own) {
                wrong.add(path(call) + " names " + (named == null ? "no server exchange" : path(named)));
            } else if (call.requestTid() != own.requestTid()) {
                onOtherThreads++;
            }
        }
        int withCompletedCall = 0;
        List<String> wrongCompletions = new ArrayList<>();
        for (Record server : serverByPath.values()) {
            if (!server.hasCompletedCall()) {
                continue;
            }
            withCompletedCall++;
            Record named = callByResponseKey.get(server.completedCallGeneration() + "/" + server.completedCallSequence());
            if (named == null || !path(named).equals(path(server) + "/detail")) {
                wrongCompletions.add(path(server) + " names " + (named == null ? "no call" : path(named)));
            }
        }
        System.out.printf("%s: %d of %d calls carry a cause (%d written by a thread other than the request's), "
                + "%d of %d responses name a completed call%n", label, withCause, calls.size(), onOtherThreads,
                withCompletedCall, serverByPath.size());
        assertThat(wrong).as("causes naming another request than the call's own").isEmpty();
        // A completion is the first wakeup after a response, and now and then that wakeup was not the one that
        // answered the waiter (CI under load: 1 of 79 on HttpClient). The linker only takes a completion whose
        // call lies inside the claiming request, that no other evidence contradicts and no second request
        // claims; the linking tests (WorkerPoolLinkingTest, HttpClientHandoffLinkingTest, FidelityHarnessTest)
        // assert that no span gets a wrong parent. Here the evidence itself must stay rare in error.
        wrongCompletions.forEach(w -> System.out.println(label + ": completion naming another request: " + w));
        assertThat(wrongCompletions).as("responses naming a call made for another request")
                .hasSizeLessThanOrEqualTo(Math.max(1, withCompletedCall * 3 / 100));
        if (globalLockRuntime) {
            // CPython hands its GIL over by wakeups around every blocking call: completions are off there
            assertThat(withCompletedCall).as("completions in a process with a global interpreter lock").isZero();
        }
    }

    private static String path(Record r) {
        return String.valueOf(r.attributes().get("url.path"));
    }
}
