package io.spanscope.pipeline.builder;

/**
 * What the span builder's resolution did, summed over its partition tasks (counters) or now (gauges).
 *
 * @param fragments fragment records taken from the fragments topic
 * @param duplicateFragments fragments seen before (same root span id within the retention), not resolved again
 * @param undecodableFragments records that were not a {@code spanscope.v1.Fragment}, skipped
 * @param misKeyedFragments fragments whose record key was not the span they wait for (they cannot meet
 *                          their parent; resolved all the same, most likely as roots)
 * @param announcements announcements taken from the known-spans topic: each span of a batch record, and each
 *                      input probe
 * @param undecodableAnnouncements announcement records that could not be read, skipped
 * @param resolvedAtOnce fragments whose parent was known when they arrived
 * @param resolvedAfterWait fragments released by their parent's announcement
 * @param timedOutRoots fragments whose parent never came within the wait, made roots
 * @param externalRoots fragments whose caller is outside the traced networks, made roots at once
 * @param stateFullRoots fragments made roots at once because the waiting store was full
 * @param parkedWaits waits extended because the parent's own fragment was still waiting
 * @param pendingAnnouncedFragments waiting fragments that announced their spans as pending (they waited
 *                                  longer than the pending-announcement delay)
 * @param evictedKnownSpans known spans evicted before their retention because the store was full
 * @param evictedSeenFragments duplicate-detection entries evicted early (a duplicate after that is resolved again)
 * @param waiting fragments waiting now
 * @param knownSpans spans (resolved or pending) held as possible parents now
 * @param restartedWaits due waits started again because the task could not read its input meanwhile
 *                       (broker down, stream thread stalled, task restored)
 */
public record ResolverCounters(long fragments, long duplicateFragments, long undecodableFragments,
                               long misKeyedFragments, long announcements, long undecodableAnnouncements,
                               long resolvedAtOnce, long resolvedAfterWait, long timedOutRoots,
                               long externalRoots, long stateFullRoots, long parkedWaits,
                               long pendingAnnouncedFragments, long evictedKnownSpans, long evictedSeenFragments, long waiting, long knownSpans,
                               long restartedWaits) {

    static final ResolverCounters ZERO = new ResolverCounters(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Counters added, gauges added (tasks hold disjoint partitions). */
    ResolverCounters plus(ResolverCounters o) {
        return new ResolverCounters(fragments + o.fragments, duplicateFragments + o.duplicateFragments,
                undecodableFragments + o.undecodableFragments, misKeyedFragments + o.misKeyedFragments,
                announcements + o.announcements, undecodableAnnouncements + o.undecodableAnnouncements,
                resolvedAtOnce + o.resolvedAtOnce, resolvedAfterWait + o.resolvedAfterWait,
                timedOutRoots + o.timedOutRoots, externalRoots + o.externalRoots,
                stateFullRoots + o.stateFullRoots, parkedWaits + o.parkedWaits,
                pendingAnnouncedFragments + o.pendingAnnouncedFragments,
                evictedKnownSpans + o.evictedKnownSpans, evictedSeenFragments + o.evictedSeenFragments,
                waiting + o.waiting, knownSpans + o.knownSpans, restartedWaits + o.restartedWaits);
    }

    /** The same counters with the gauges zeroed: what a closed task leaves behind. */
    ResolverCounters withoutGauges() {
        return new ResolverCounters(fragments, duplicateFragments, undecodableFragments, misKeyedFragments,
                announcements, undecodableAnnouncements, resolvedAtOnce, resolvedAfterWait, timedOutRoots,
                externalRoots, stateFullRoots, parkedWaits, pendingAnnouncedFragments, evictedKnownSpans,
                evictedSeenFragments, 0, 0, restartedWaits);
    }
}
