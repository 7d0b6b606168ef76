package io.spanscope.pipeline.fidelity;

/**
 * The counts behind one service's fidelity figures. Links are the child's: local ones lead from a call to
 * the request of the same service that made it, remote ones from a server span to its caller's call.
 *
 * @param truthSpans comparable ground-truth spans (HTTP server and client) with a unique key
 * @param matchedSpans of those, how many the observer produced too
 * @param extraSpans comparable observed spans with no ground-truth counterpart
 * @param ambiguousKeys keys seen more than once on either side (left unmatched)
 * @param observedLinks matched observed spans that have a parent
 * @param observedLinksCorrect of those, how many have the parent the ground truth has
 */
public record ServiceFidelity(String service, int truthSpans, int matchedSpans, int extraSpans, int ambiguousKeys,
        int localLinks, int localLinksReproduced, int remoteLinks, int remoteLinksReproduced,
        int observedLinks, int observedLinksCorrect) {

    public double spanRecall() {
        return ratio(matchedSpans, truthSpans);
    }

    public double parentPrecision() {
        return ratio(observedLinksCorrect, observedLinks);
    }

    public double parentRecall() {
        return ratio(localLinksReproduced + remoteLinksReproduced, localLinks + remoteLinks);
    }

    public double localParentRecall() {
        return ratio(localLinksReproduced, localLinks);
    }

    public double remoteParentRecall() {
        return ratio(remoteLinksReproduced, remoteLinks);
    }

    public int wrongParents() {
        return observedLinks - observedLinksCorrect;
    }

    /** NaN when there is nothing to measure (e.g. precision of a service with no parented spans). */
    private static double ratio(int part, int whole) {
        return whole == 0 ? Double.NaN : (double) part / whole;
    }

    static Builder builder(String service) {
        return new Builder(service);
    }

    static final class Builder {
        private final String service;
        private int truthSpans;
        private int matchedSpans;
        private int extraSpans;
        private int ambiguousKeys;
        private int localLinks;
        private int localLinksReproduced;
        private int remoteLinks;
        private int remoteLinksReproduced;
        private int observedLinks;
        private int observedLinksCorrect;

        private Builder(String service) {
            this.service = service;
        }

        void truthSpan() {
            truthSpans++;
        }

        void matchedSpan() {
            matchedSpans++;
        }

        void extraSpan() {
            extraSpans++;
        }

        void ambiguousKey() {
            ambiguousKeys++;
        }

        void truthLink(boolean local, boolean reproduced) {
            if (local) {
                localLinks++;
                localLinksReproduced += reproduced ? 1 : 0;
            } else {
                remoteLinks++;
                remoteLinksReproduced += reproduced ? 1 : 0;
            }
        }

        void observedLink(boolean correct) {
            observedLinks++;
            observedLinksCorrect += correct ? 1 : 0;
        }

        ServiceFidelity build() {
            return new ServiceFidelity(service, truthSpans, matchedSpans, extraSpans, ambiguousKeys, localLinks,
                    localLinksReproduced, remoteLinks, remoteLinksReproduced, observedLinks, observedLinksCorrect);
        }
    }
}
