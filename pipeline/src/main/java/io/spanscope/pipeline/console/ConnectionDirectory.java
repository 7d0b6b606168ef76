package io.spanscope.pipeline.console;

import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.Endpoint;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers which traced process owns which local endpoint, so that a connection between two traced
 * processes is shown as process ↔ process instead of process ↔ address. Bounded; thread-safe.
 */
final class ConnectionDirectory {

    private static final int MAX_ENTRIES = 65_536;

    private final Map<Endpoint, Integer> ownerByLocalEndpoint = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Endpoint, Integer> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    synchronized void opened(ConnectionOpenEvent event) {
        if (event.local() != null) {
            ownerByLocalEndpoint.put(event.local(), event.id().tgid());
        }
    }

    synchronized void closed(Endpoint local) {
        if (local != null) {
            ownerByLocalEndpoint.remove(local);
        }
    }

    /** The traced process whose local endpoint is {@code endpoint}, or -1. */
    synchronized int ownerOf(Endpoint endpoint) {
        Integer tgid = ownerByLocalEndpoint.get(endpoint);
        return tgid == null ? -1 : tgid;
    }
}
