package io.spanscope.spans.resolve;

/**
 * @param resolvedAtOnce fragments whose parent was already published when they arrived
 * @param resolvedAfterWait fragments released when their parent was published
 * @param externalRoots fragments whose caller is outside the traced set, made roots at once
 * @param timedOutRoots fragments whose parent never came within the wait, made roots
 * @param stateFullRoots fragments made roots at once because the waiting state was full
 * @param waiting fragments waiting now
 * @param knownSpans spans remembered as possible parents now
 * @param evictedKnownSpans remembered spans evicted early because the state was full
 */
public record ResolverStats(long resolvedAtOnce, long resolvedAfterWait, long externalRoots, long timedOutRoots,
                            long stateFullRoots, long waiting, long knownSpans, long evictedKnownSpans) {
}
