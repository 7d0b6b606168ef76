package io.spanscope.capture.live;

import java.util.List;

/**
 * TLS plaintext capture counters of a live capture.
 *
 * @param attachedFiles files the TLS uprobes are attached to (libssl, static binaries), in order
 * @param attachedFileCount their number (a metric; the list is for people)
 * @param attachFailures files that define the SSL functions but could not be attached (each logged once)
 * @param plaintextEvents data events carrying TLS plaintext handed to sinks
 * @param ciphertextBytesNotForwarded ciphertext bytes of TLS-traced connections counted but not forwarded
 * @param unassociatedCalls SSL calls with plaintext whose connection was unknown (plaintext lost)
 * @param inFlightTableDrops SSL calls not traced because the kernel's in-flight SSL table was full
 * @param discoveryQueueDrops processes not scanned for TLS libraries because the discovery queue was full
 * @param go Go crypto/tls: binaries probed and not, calls lost
 */
public record TlsCaptureStats(
        List<String> attachedFiles,
        int attachedFileCount,
        long attachFailures,
        long plaintextEvents,
        long ciphertextBytesNotForwarded,
        long unassociatedCalls,
        long inFlightTableDrops,
        long discoveryQueueDrops,
        GoTlsCaptureStats go) {

    public TlsCaptureStats {
        attachedFiles = List.copyOf(attachedFiles);
    }

    public static final TlsCaptureStats DISABLED = new TlsCaptureStats(List.of(), 0, 0, 0, 0, 0, 0, 0,
            GoTlsCaptureStats.DISABLED);
}
