package io.spanscope.capture.live;

import java.util.List;

/**
 * Immutable snapshot of a live capture's counters; every loss the capture knows of is here.
 *
 * @param recordsRead ring-buffer records read by the reader thread
 * @param dataEvents data events decoded and handed to sinks
 * @param openEvents connection-open events handed to sinks
 * @param closeEvents connection-close events handed to sinks
 * @param establishedEvents handshake-timing events handed to sinks
 * @param processEvents exec/exit events (used for the metadata cache)
 * @param capturedPayloadBytes payload bytes handed to sinks
 * @param ringBufferDrops events the kernel could not put in the ring buffer (full): lost
 * @param ringBufferDropBytes stream bytes that those lost data events stood for
 * @param truncatedBytes stream bytes not captured because of the payload cap (known-length holes)
 * @param unixSocketBytes bytes moved on AF_UNIX stream sockets by traced processes (counted only)
 * @param payloadReadFaults chunks whose user memory could not be read (holes of known length)
 * @param inFlightTableDrops syscalls not traced because the kernel had no in-flight slot for the thread
 * @param multiMessageCalls sendmmsg/recvmmsg calls on traced sockets (bytes reported, no payload)
 * @param sendfileBytes bytes sent with sendfile on traced sockets (reported, no payload)
 * @param workerQueueDrops per worker: records dropped because its queue was full
 * @param malformedRecords records that could not be decoded
 * @param sinkFailures exceptions thrown by sinks (caught; the worker went on)
 * @param missedWorkerWakeups worker sleeps that ran to their safety-net timeout with records queued (a
 *        wake-up the reader did not give: latency, not loss; zero unless the hand-off is broken)
 * @param workerQueueWaits records that found their worker's queue full and waited for space while the
 *        ring buffer was less than half full (latency, not loss; see EventDispatcher#waitForQueueSpaceWhile)
 * @param tls TLS plaintext capture (attached files, plaintext events, suppressed ciphertext, losses)
 */
public record LiveCaptureStats(
        long recordsRead,
        long dataEvents,
        long openEvents,
        long closeEvents,
        long establishedEvents,
        long processEvents,
        long capturedPayloadBytes,
        long ringBufferDrops,
        long ringBufferDropBytes,
        long truncatedBytes,
        long unixSocketBytes,
        long payloadReadFaults,
        long inFlightTableDrops,
        long multiMessageCalls,
        long sendfileBytes,
        List<Long> workerQueueDrops,
        long malformedRecords,
        long sinkFailures,
        long missedWorkerWakeups,
        long workerQueueWaits,
        TlsCaptureStats tls) {

    public LiveCaptureStats {
        workerQueueDrops = List.copyOf(workerQueueDrops);
    }

    public long workerQueueDropsTotal() {
        return workerQueueDrops.stream().mapToLong(Long::longValue).sum();
    }

    /** Events lost anywhere between kernel and sinks (TLS calls without a known connection excluded: see {@link #tls()}). */
    public long eventsLost() {
        return ringBufferDrops + workerQueueDropsTotal() + malformedRecords;
    }
}
