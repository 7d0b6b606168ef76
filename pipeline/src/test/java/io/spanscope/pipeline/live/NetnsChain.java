package io.spanscope.pipeline.live;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The frontend → backend → inventory chain of chain_service.py with each service in its own namespace of
 * a {@link NetnsLab}, as pods: frontend calls the backend through a DNAT'ed service address and port (the
 * callee sees the caller's own address), backend calls the inventory through a service address with the
 * caller masqueraded (the callee sees the gateway). Listening, reachable from the root namespace through
 * the bridge, when {@link #start} returns; the processes belong to {@code resources}.
 */
record NetnsChain(int frontendPort, int backendPort, int backendServicePort, String backendService,
                  int inventoryPort, int inventoryServicePort, String inventoryService) {

    static NetnsChain start(TestResources resources, Path work, NetnsLab lab) throws Exception {
        int frontendPort = TestPorts.free();
        int backendPort = TestPorts.free();
        int backendServicePort = TestPorts.free();
        int inventoryPort = TestPorts.free();
        int inventoryServicePort = TestPorts.free();
        NetnsChain chain = new NetnsChain(frontendPort,
                backendPort, backendServicePort, lab.expose("backend", backendServicePort, backendPort, false),
                inventoryPort, inventoryServicePort, lab.expose("inventory", inventoryServicePort, inventoryPort, true));
        resources.add(PythonPeer.startUnder(lab.exec("inventory"), work, "chain_service.py", "chain_service.py",
                Map.of("OTEL_SERVICE_NAME", "inventory"), "--bind", lab.address("inventory"), "--port", "" + inventoryPort));
        resources.add(PythonPeer.startUnder(lab.exec("backend"), work, "chain_service.py", "backend.py", Map.of(),
                "--bind", lab.address("backend"), "--port", "" + backendPort,
                "--downstream", "http://" + chain.inventoryService + ":" + inventoryServicePort));
        resources.add(PythonPeer.startUnder(lab.exec("frontend"), work, "chain_service.py", "frontend.py", Map.of(),
                "--bind", lab.address("frontend"), "--port", "" + frontendPort,
                "--downstream", "http://" + chain.backendService + ":" + backendServicePort));
        TestPorts.awaitListening(lab.address("frontend"), frontendPort, Duration.ofSeconds(20));
        TestPorts.awaitListening(lab.address("backend"), backendPort, Duration.ofSeconds(20));
        TestPorts.awaitListening(lab.address("inventory"), inventoryPort, Duration.ofSeconds(20));
        return chain;
    }

    /** Every port a capture of the whole chain must allow: the services' own and the service addresses'. */
    List<Integer> ports() {
        return List.of(frontendPort, backendPort, backendServicePort, inventoryPort, inventoryServicePort);
    }
}
