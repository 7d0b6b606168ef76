package io.spanscope.spans;

import io.spanscope.capture.event.Endpoint;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which traced service answers at an address: learned from server exchanges (their local end), so that a
 * client span calling that address can name its peer ({@code peer.service}). Bounded, least recently
 * used evicted. Single-threaded.
 */
final class PeerDirectory {

    private final Map<Endpoint, String> services;

    PeerDirectory(int maxEndpoints) {
        this.services = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Endpoint, String> eldest) {
                return size() > maxEndpoints;
            }
        };
    }

    void learn(Endpoint serverEnd, String service) {
        if (serverEnd != null) {
            services.put(serverEnd, service);
        }
    }

    String serviceAt(Endpoint endpoint) {
        return endpoint == null ? null : services.get(endpoint);
    }
}
