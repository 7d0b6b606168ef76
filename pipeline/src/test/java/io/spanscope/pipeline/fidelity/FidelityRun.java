package io.spanscope.pipeline.fidelity;

import java.time.Duration;
import java.util.List;

/** One harness run: the comparison, the two span sets it was made from, and how long each run took. */
public record FidelityRun(FidelityReport report, List<ObservedSpan> agentSpans, List<ObservedSpan> spanscopeSpans,
        Duration agentRunTime, Duration spanscopeRunTime) {

    public FidelityRun {
        agentSpans = List.copyOf(agentSpans);
        spanscopeSpans = List.copyOf(spanscopeSpans);
    }

    public long comparableAgentSpans() {
        return agentSpans.stream().filter(ObservedSpan::isComparable).count();
    }
}
