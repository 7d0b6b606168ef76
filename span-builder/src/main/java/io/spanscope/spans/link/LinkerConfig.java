package io.spanscope.spans.link;

import java.time.Duration;

/**
 * How long the local linker waits for evidence.
 *
 * @param serverGraceNs a completed server exchange waits this long for the records of the calls it made,
 *                      which other parser workers may deliver slightly later
 * @param clientHoldNs a client exchange of a process that serves requests waits at most this long for the
 *                     server exchange that caused it to complete; beyond it, it is published unlinked. This
 *                     is the bound on how long a long-running exchange can hold its children back
 * @param serverHistoryNs completed server exchanges stay known this long after they arrived, to judge
 *                        ambiguity and to take calls whose record comes after the exchange was published;
 *                        what the linker holds grows with it (request rate × history)
 */
public record LinkerConfig(long serverGraceNs, long clientHoldNs, long serverHistoryNs) {

    public static LinkerConfig defaults() {
        return new LinkerConfig(Duration.ofMillis(150).toNanos(), Duration.ofSeconds(2).toNanos(),
                Duration.ofSeconds(3).toNanos());
    }

    public LinkerConfig {
        if (serverGraceNs < 0 || clientHoldNs < serverGraceNs || serverHistoryNs < clientHoldNs) {
            throw new IllegalArgumentException("need 0 <= serverGrace <= clientHold <= serverHistory");
        }
    }
}
