package io.spanscope.spans;

import io.spanscope.capture.event.Endpoint;
import io.spanscope.parsers.record.Record;
import io.spanscope.spans.ids.SpanIds;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which traced service answers at an address, so that a client span can name its peer
 * ({@code peer.service}). Learned from server exchanges: their local end, and their sequence numbers.
 * The address alone fails through NAT — a caller dials a Service address that DNAT turns into the
 * server's own — but the sequence numbers are the same on both ends, so a call whose server exchange was
 * seen is matched exactly, and the address it dialled is learned for the calls after it. Bounded, least
 * recently used evicted. Single-threaded.
 */
final class PeerDirectory {

    private final Map<Endpoint, String> byAddress;
    /** Keyed by the id of the client span that made the exchange; each is taken once, by that client. */
    private final Map<Long, String> byExchange;

    PeerDirectory(int maxEntries) {
        this.byAddress = lru(maxEntries);
        this.byExchange = lru(maxEntries);
    }

    private static <K> Map<K, String> lru(int maxEntries) {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, String> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** A server exchange of {@code service}. */
    void learn(Record server, String service) {
        if (server.server() != null) {
            byAddress.put(server.server(), service);
        }
        if (SpanIds.linkable(server.requestSequence(), server.responseSequence())) {
            byExchange.put(SpanIds.client(server.requestSequence(), server.responseSequence()), service);
        }
    }

    /** The service that answered this client exchange, when known. */
    String serviceFor(Record client) {
        String service = null;
        if (SpanIds.linkable(client.requestSequence(), client.responseSequence())) {
            service = byExchange.remove(SpanIds.client(client.requestSequence(), client.responseSequence()));
        }
        if (service != null) {
            if (client.server() != null) {
                byAddress.put(client.server(), service);
            }
            return service;
        }
        return client.server() == null ? null : byAddress.get(client.server());
    }
}
