package io.spanscope.pipeline.builder;

import java.time.Duration;
import java.util.Objects;

/**
 * What the distributed span builder's topology needs: topic names, waits, retention and state bounds.
 * Immutable; {@link #builder()} starts from the defaults.
 *
 * @param fragmentsTopic agents' fragments, keyed by the span id each waits for
 * @param knownSpansTopic announcements of resolved (and pending) spans; same partition count as fragments
 * @param resolvedTopic fragments with their trace decided, read by the exporter
 * @param parentWait how long a fragment waits for its parent before it becomes a root
 * @param knownSpanRetention how long a resolved span stays a possible parent (also how long a duplicate
 *                           fragment is recognised)
 * @param maxKnownSpans per partition task; the oldest is evicted (counted) beyond it
 * @param maxWaitingFragments per partition task; beyond it a fragment becomes a root at once (counted)
 * @param maxSeenFragments per partition task, for recognising duplicates; the oldest is evicted (counted)
 * @param tickInterval wall-clock period of the punctuator that roots expired waits
 * @param pendingAnnouncementDelay how long a fragment waits before it announces its spans as pending (so
 *                                 that their own waiters are parked, not rooted); at most the parent wait.
 *                                 Most waits end sooner, and then nothing is announced. Default: a fifth of
 *                                 the parent wait
 * @param tracedNetworks where traced hosts are: a fragment whose remote caller is outside becomes a root at once
 */
public record SpanBuilderSettings(String fragmentsTopic, String knownSpansTopic, String resolvedTopic,
                                  Duration parentWait, Duration knownSpanRetention, int maxKnownSpans,
                                  int maxWaitingFragments, int maxSeenFragments, Duration tickInterval,
                                  Duration pendingAnnouncementDelay, TracedNetworks tracedNetworks) {

    public SpanBuilderSettings {
        Objects.requireNonNull(fragmentsTopic);
        Objects.requireNonNull(knownSpansTopic);
        Objects.requireNonNull(resolvedTopic);
        Objects.requireNonNull(tracedNetworks);
        if (parentWait.isNegative() || knownSpanRetention.compareTo(parentWait) < 0) {
            throw new IllegalArgumentException("known-span retention must be at least the parent wait");
        }
        if (maxKnownSpans < 1 || maxWaitingFragments < 1 || maxSeenFragments < 1) {
            throw new IllegalArgumentException("state bounds must be positive");
        }
        if (tickInterval.isZero() || tickInterval.isNegative()) {
            throw new IllegalArgumentException("tick interval must be positive");
        }
        if (pendingAnnouncementDelay.isNegative() || pendingAnnouncementDelay.compareTo(parentWait) > 0) {
            throw new IllegalArgumentException("pending-announcement delay must be between 0 and the parent wait");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().fragmentsTopic(fragmentsTopic).knownSpansTopic(knownSpansTopic)
                .resolvedTopic(resolvedTopic).parentWait(parentWait).knownSpanRetention(knownSpanRetention)
                .maxKnownSpans(maxKnownSpans).maxWaitingFragments(maxWaitingFragments)
                .maxSeenFragments(maxSeenFragments).tickInterval(tickInterval)
                .pendingAnnouncementDelay(pendingAnnouncementDelay.equals(parentWait.dividedBy(5)) ? null
                        : pendingAnnouncementDelay).tracedNetworks(tracedNetworks);
    }

    public static final class Builder {
        private String fragmentsTopic = "spanscope.fragments";
        private String knownSpansTopic = "spanscope.known-spans";
        private String resolvedTopic = "spanscope.resolved-fragments";
        // longer than run's 2 s: a parent crosses an agent's batching and the broker before it is known
        private Duration parentWait = Duration.ofSeconds(5);
        private Duration knownSpanRetention = Duration.ofSeconds(60);
        private int maxKnownSpans = 1_000_000;
        private int maxWaitingFragments = 200_000;
        private int maxSeenFragments = 1_000_000;
        private Duration tickInterval = Duration.ofMillis(200);
        private Duration pendingAnnouncementDelay; // null: a fifth of the parent wait
        private TracedNetworks tracedNetworks = TracedNetworks.ANY;

        public Builder fragmentsTopic(String v) { fragmentsTopic = v; return this; }
        public Builder knownSpansTopic(String v) { knownSpansTopic = v; return this; }
        public Builder resolvedTopic(String v) { resolvedTopic = v; return this; }
        public Builder parentWait(Duration v) { parentWait = v; return this; }
        public Builder knownSpanRetention(Duration v) { knownSpanRetention = v; return this; }
        public Builder maxKnownSpans(int v) { maxKnownSpans = v; return this; }
        public Builder maxWaitingFragments(int v) { maxWaitingFragments = v; return this; }
        public Builder maxSeenFragments(int v) { maxSeenFragments = v; return this; }
        public Builder tickInterval(Duration v) { tickInterval = v; return this; }
        public Builder pendingAnnouncementDelay(Duration v) { pendingAnnouncementDelay = v; return this; }
        public Builder tracedNetworks(TracedNetworks v) { tracedNetworks = v; return this; }

        public SpanBuilderSettings build() {
            return new SpanBuilderSettings(fragmentsTopic, knownSpansTopic, resolvedTopic, parentWait,
                    knownSpanRetention, maxKnownSpans, maxWaitingFragments, maxSeenFragments, tickInterval,
                    pendingAnnouncementDelay != null ? pendingAnnouncementDelay : parentWait.dividedBy(5),
                    tracedNetworks);
        }
    }
}
