package io.spanscope.pipeline.fidelity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Pairs ground-truth spans (the OpenTelemetry agent's) with observed spans (spanscope's) by
 * {@link ObservedSpan.Key} and measures, per service, span recall and the precision and recall of parent
 * links. A link belongs to the child's service; it is local when the parent is in the same service (a call
 * made while serving a request) and remote otherwise (a server span whose parent is its caller's call).
 *
 * <p>Ground-truth spans that cannot be compared (INTERNAL spans, non-HTTP) are skipped, and a truth link
 * through them is taken to the nearest comparable ancestor. A key seen more than once on either side is
 * left unmatched and counted as ambiguous, so a duplicate can never make a wrong pairing.
 */
public final class FidelityMatcher {

    private static final int MAX_EXAMPLES = 10;

    private FidelityMatcher() {
    }

    public static FidelityReport match(List<ObservedSpan> truth, List<ObservedSpan> observed) {
        Map<String, ObservedSpan> truthById = byId(truth);
        Set<ObservedSpan.Key> ambiguous = new HashSet<>();
        Map<ObservedSpan.Key, ObservedSpan> truthByKey = uniqueByKey(truth, ambiguous);
        Map<ObservedSpan.Key, ObservedSpan> observedByKey = uniqueByKey(observed, ambiguous);
        ambiguous.forEach(key -> {
            truthByKey.remove(key);
            observedByKey.remove(key);
        });

        Map<String, ServiceFidelity.Builder> services = new TreeMap<>();
        for (ObservedSpan span : truth) {
            if (span.isComparable()) {
                services.computeIfAbsent(span.service(), ServiceFidelity::builder);
            }
        }
        List<String> wrongParents = new ArrayList<>();
        for (ObservedSpan t : truthByKey.values()) {
            ServiceFidelity.Builder row = services.get(t.service());
            row.truthSpan();
            ObservedSpan match = observedByKey.get(t.key());
            if (match != null) {
                row.matchedSpan();
            }
            ObservedSpan truthParent = comparableParent(t, truthById);
            ObservedSpan expectedParent = truthParent == null ? null : observedByKey.get(truthParent.key());
            if (truthParent != null) {
                boolean reproduced = match != null && expectedParent != null
                        && expectedParent.spanId().equals(match.parentSpanId());
                row.truthLink(truthParent.service().equals(t.service()), reproduced);
            }
            if (match != null && match.parentSpanId() != null) {
                boolean correct = expectedParent != null && expectedParent.spanId().equals(match.parentSpanId());
                row.observedLink(correct);
                if (!correct && wrongParents.size() < MAX_EXAMPLES) {
                    wrongParents.add(describeWrongParent(t, truthParent, match, observed));
                }
            }
        }
        for (ObservedSpan o : observed) {
            ServiceFidelity.Builder row = services.get(o.service());
            if (row != null && o.isComparable() && !truthByKey.containsKey(o.key()) && !ambiguous.contains(o.key())) {
                row.extraSpan();
            }
        }
        for (ObservedSpan.Key key : ambiguous) {
            ServiceFidelity.Builder row = services.get(key.service());
            if (row != null) {
                row.ambiguousKey();
            }
        }
        List<ServiceFidelity> rows = new ArrayList<>();
        services.values().forEach(b -> rows.add(b.build()));
        return new FidelityReport(rows, wrongParents);
    }

    /** The nearest ancestor the observer could have seen, skipping spans that are not comparable. */
    private static ObservedSpan comparableParent(ObservedSpan span, Map<String, ObservedSpan> byId) {
        String parentId = span.parentSpanId();
        for (int depth = 0; parentId != null && depth < 64; depth++) {
            ObservedSpan parent = byId.get(parentId);
            if (parent == null) {
                return null;
            }
            if (parent.isComparable()) {
                return parent;
            }
            parentId = parent.parentSpanId();
        }
        return null;
    }

    private static String describeWrongParent(ObservedSpan truth, ObservedSpan truthParent, ObservedSpan match,
            List<ObservedSpan> observed) {
        ObservedSpan given = observed.stream().filter(o -> o.spanId().equals(match.parentSpanId())).findFirst()
                .orElse(null);
        return truth.key() + ": expected parent " + (truthParent == null ? "none" : truthParent.key())
                + ", got " + (given == null ? "unknown span " + match.parentSpanId() : given.key());
    }

    private static Map<String, ObservedSpan> byId(List<ObservedSpan> spans) {
        Map<String, ObservedSpan> byId = new HashMap<>();
        spans.forEach(s -> byId.put(s.spanId(), s));
        return byId;
    }

    private static Map<ObservedSpan.Key, ObservedSpan> uniqueByKey(List<ObservedSpan> spans,
            Set<ObservedSpan.Key> duplicates) {
        Map<ObservedSpan.Key, ObservedSpan> byKey = new HashMap<>();
        for (ObservedSpan span : spans) {
            if (span.isComparable() && byKey.putIfAbsent(span.key(), span) != null) {
                duplicates.add(span.key());
            }
        }
        return byKey;
    }
}
