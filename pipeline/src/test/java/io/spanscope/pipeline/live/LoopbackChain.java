package io.spanscope.pipeline.live;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The frontend → backend → inventory chain of chain_service.py on loopback, each on a free port and
 * listening when {@link #start} returns; the processes belong to {@code resources}. The inventory is named
 * by its environment (as an OpenTelemetry-aware deployment would), the others by their script.
 */
record LoopbackChain(int frontendPort, int backendPort, int inventoryPort) {

    static LoopbackChain start(TestResources resources, Path work) throws Exception {
        LoopbackChain chain = new LoopbackChain(TestPorts.free(), TestPorts.free(), TestPorts.free());
        resources.add(PythonPeer.start(work, "chain_service.py", "chain_service.py",
                Map.of("OTEL_SERVICE_NAME", "inventory"), "--port", "" + chain.inventoryPort));
        resources.add(PythonPeer.start(work, "chain_service.py", "backend.py", Map.of(),
                "--port", "" + chain.backendPort, "--downstream", "http://127.0.0.1:" + chain.inventoryPort));
        resources.add(PythonPeer.start(work, "chain_service.py", "frontend.py", Map.of(),
                "--port", "" + chain.frontendPort, "--downstream", "http://127.0.0.1:" + chain.backendPort));
        for (int port : chain.ports()) {
            TestPorts.awaitListening(port, Duration.ofSeconds(20));
        }
        return chain;
    }

    List<Integer> ports() {
        return List.of(frontendPort, backendPort, inventoryPort);
    }
}
