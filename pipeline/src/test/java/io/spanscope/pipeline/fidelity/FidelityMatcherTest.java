package io.spanscope.pipeline.fidelity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Hand-made span sets of a client → front → back chain: ids differ between the two sides (as they do
 * between the agent and spanscope), matching goes by service, kind and path.
 */
class FidelityMatcherTest {

    /** The agent's view of request {@code id}: client → front server → INTERNAL → front call → back server. */
    private static List<ObservedSpan> truth(String id) {
        return List.of(
                new ObservedSpan("t" + id, "a-lg-" + id, null, "loadgen", "CLIENT", "/front/" + id),
                new ObservedSpan("t" + id, "a-fs-" + id, "a-lg-" + id, "front", "SERVER", "/front/" + id),
                new ObservedSpan("t" + id, "a-fi-" + id, "a-fs-" + id, "front", "INTERNAL", null),
                new ObservedSpan("t" + id, "a-fc-" + id, "a-fi-" + id, "front", "CLIENT", "/back/" + id),
                new ObservedSpan("t" + id, "a-bs-" + id, "a-fc-" + id, "back", "SERVER", "/back/" + id));
    }

    /** The same request seen by an observer that links everything the agent links. */
    private static List<ObservedSpan> perfect(String id) {
        return List.of(
                new ObservedSpan("s" + id, "s-lg-" + id, null, "loadgen", "CLIENT", "/front/" + id),
                new ObservedSpan("s" + id, "s-fs-" + id, "s-lg-" + id, "front", "SERVER", "/front/" + id),
                new ObservedSpan("s" + id, "s-fc-" + id, "s-fs-" + id, "front", "CLIENT", "/back/" + id),
                new ObservedSpan("s" + id, "s-bs-" + id, "s-fc-" + id, "back", "SERVER", "/back/" + id));
    }

    private static List<ObservedSpan> concat(List<List<ObservedSpan>> parts) {
        List<ObservedSpan> all = new ArrayList<>();
        parts.forEach(all::addAll);
        return all;
    }

    @Test
    void aPerfectObserverHasFullRecallAndPrecisionAndInternalSpansAreSkipped() {
        FidelityReport report = FidelityMatcher.match(concat(List.of(truth("r1"), truth("r2"))),
                concat(List.of(perfect("r1"), perfect("r2"))));

        assertThat(report.services()).extracting(ServiceFidelity::service).containsExactly("back", "front", "loadgen");
        ServiceFidelity front = report.service("front").orElseThrow();
        assertThat(front.truthSpans()).isEqualTo(4);
        assertThat(front.spanRecall()).isEqualTo(1.0);
        assertThat(front.localLinks()).isEqualTo(2);
        assertThat(front.localParentRecall()).isEqualTo(1.0);
        assertThat(front.remoteLinks()).isEqualTo(2);
        assertThat(front.parentPrecision()).isEqualTo(1.0);
        assertThat(report.service("back").orElseThrow().remoteParentRecall()).isEqualTo(1.0);
        assertThat(report.service("loadgen").orElseThrow().parentPrecision()).isNaN();
        assertThat(report.wrongParentExamples()).isEmpty();
    }

    @Test
    void anUnlinkedCallLowersRecallButNotPrecision() {
        List<ObservedSpan> observed = new ArrayList<>(perfect("r1"));
        observed.set(2, new ObservedSpan("x", "s-fc-r1", null, "front", "CLIENT", "/back/r1"));

        ServiceFidelity front = FidelityMatcher.match(truth("r1"), observed).service("front").orElseThrow();

        assertThat(front.localParentRecall()).isEqualTo(0.0);
        assertThat(front.remoteParentRecall()).isEqualTo(1.0);
        assertThat(front.parentRecall()).isEqualTo(0.5);
        assertThat(front.parentPrecision()).isEqualTo(1.0);
        assertThat(front.observedLinks()).isEqualTo(1);
    }

    @Test
    void aCallLinkedToAnotherRequestIsAWrongParent() {
        List<ObservedSpan> observed = concat(List.of(perfect("r1"), perfect("r2")));
        int callOfR1 = observed.indexOf(perfect("r1").get(2));
        observed.set(callOfR1, new ObservedSpan("s", "s-fc-r1", "s-fs-r2", "front", "CLIENT", "/back/r1"));

        FidelityReport report = FidelityMatcher.match(concat(List.of(truth("r1"), truth("r2"))), observed);
        ServiceFidelity front = report.service("front").orElseThrow();

        assertThat(front.observedLinks()).isEqualTo(4);
        assertThat(front.wrongParents()).isEqualTo(1);
        assertThat(front.parentPrecision()).isEqualTo(0.75);
        assertThat(front.localParentRecall()).isEqualTo(0.5);
        assertThat(report.wrongParentExamples()).singleElement().asString()
                .contains("/back/r1").contains("expected parent").contains("/front/r1").contains("/front/r2");
    }

    @Test
    void aParentWhereTheAgentHasNoneIsWrongAndMissingSpansLowerSpanRecall() {
        List<ObservedSpan> observed = new ArrayList<>(perfect("r1"));
        observed.set(0, new ObservedSpan("s", "s-lg-r1", "s-bs-r1", "loadgen", "CLIENT", "/front/r1"));
        observed.remove(3);

        FidelityReport report = FidelityMatcher.match(truth("r1"), observed);

        assertThat(report.service("loadgen").orElseThrow().wrongParents()).isEqualTo(1);
        ServiceFidelity back = report.service("back").orElseThrow();
        assertThat(back.spanRecall()).isEqualTo(0.0);
        assertThat(back.remoteParentRecall()).isEqualTo(0.0);
        assertThat(back.parentPrecision()).isNaN();
    }

    @Test
    void duplicateKeysAreLeftUnmatchedAndExtraSpansAreCounted() {
        List<ObservedSpan> observed = new ArrayList<>(perfect("r1"));
        observed.add(new ObservedSpan("s", "dup", "s-fs-r1", "front", "CLIENT", "/back/r1"));
        observed.add(new ObservedSpan("s", "extra", null, "back", "SERVER", "/back/unknown"));
        observed.add(new ObservedSpan("s", "noise", null, "not-in-the-app", "SERVER", "/x"));

        FidelityReport report = FidelityMatcher.match(truth("r1"), observed);
        ServiceFidelity front = report.service("front").orElseThrow();

        assertThat(front.ambiguousKeys()).isEqualTo(1);
        assertThat(front.truthSpans()).isEqualTo(1);
        assertThat(report.service("back").orElseThrow().extraSpans()).isEqualTo(1);
        assertThat(report.services()).extracting(ServiceFidelity::service).doesNotContain("not-in-the-app");
    }

    @Test
    void theTableHasOneLinePerServiceWithItsStyleAndCounts() {
        FidelityReport report = FidelityMatcher.match(truth("r1"), perfect("r1"));

        String table = report.markdownTable(Map.of("front", "blocking"));

        assertThat(table.lines()).hasSize(2 + 3);
        assertThat(table.lines().skip(2).findFirst().orElseThrow()).as("listed services first")
                .isEqualTo("| front | blocking | 2 | 100.0% (2/2) | 100.0% (2/2) | 100.0% (2/2) | 100.0% (1/1)"
                        + " | 100.0% (1/1) | 0 |");
        assertThat(table).contains("| loadgen | ? | 1 | 100.0% (1/1) | – | – | – | – | 0 |");
    }
}
