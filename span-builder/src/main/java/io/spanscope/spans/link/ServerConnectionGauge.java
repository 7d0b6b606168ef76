package io.spanscope.spans.link;

import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link ServerConcurrency} from the connections a process accepts: one server connection open at a time
 * means at most one request in flight (HTTP/1 answers in order on a connection; a multiplexing protocol is
 * judged by the same rule, conservatively). Fed by capture's open and close events from any worker thread;
 * remembers per process when the latest period of several open server connections began and ended.
 */
public final class ServerConnectionGauge implements ServerConcurrency {

    private final ConcurrentHashMap<Integer, ProcessConnections> processes = new ConcurrentHashMap<>();

    public void opened(int tgid, long timestampNs) {
        processes.computeIfAbsent(tgid, t -> new ProcessConnections()).opened(timestampNs);
    }

    public void closed(int tgid, long timestampNs) {
        ProcessConnections p = processes.get(tgid);
        if (p != null) {
            p.closed(timestampNs);
        }
    }

    /** The process exited: its connections are gone. */
    public void forget(int tgid) {
        processes.remove(tgid);
    }

    @Override
    public boolean mayOverlap(int tgid, long fromNs, long toNs) {
        ProcessConnections p = processes.get(tgid);
        return p != null && p.multipleDuring(fromNs, toNs);
    }

    private static final class ProcessConnections {
        private int open;
        private long multipleSinceNs = -1;
        private long lastMultipleEndNs = -1;

        synchronized void opened(long ns) {
            if (++open == 2) {
                multipleSinceNs = ns;
            }
        }

        synchronized void closed(long ns) {
            if (open > 0 && --open == 1) {
                lastMultipleEndNs = Math.max(lastMultipleEndNs, ns);
                multipleSinceNs = -1;
            }
        }

        synchronized boolean multipleDuring(long fromNs, long toNs) {
            return (multipleSinceNs >= 0 && multipleSinceNs <= toNs) || lastMultipleEndNs >= fromNs;
        }
    }
}
