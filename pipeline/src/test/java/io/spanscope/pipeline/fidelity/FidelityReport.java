package io.spanscope.pipeline.fidelity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The matcher's result: one row per service of the ground truth, and up to ten examples of wrong parents
 * (empty when parent precision is 100% everywhere).
 */
public record FidelityReport(List<ServiceFidelity> services, List<String> wrongParentExamples) {

    public FidelityReport {
        services = List.copyOf(services);
        wrongParentExamples = List.copyOf(wrongParentExamples);
    }

    public Optional<ServiceFidelity> service(String name) {
        return services.stream().filter(s -> s.service().equals(name)).findFirst();
    }

    /**
     * A markdown table: one line per service with its outbound style (from {@code styleByService}, "?" when
     * unknown), the counts and the ratios; "–" where there is nothing to measure. Services come in the order
     * of {@code styleByService}, then any others.
     */
    public String markdownTable(Map<String, String> styleByService) {
        StringBuilder out = new StringBuilder();
        out.append("| service | outbound calls | agent spans | span recall | parent precision | parent recall"
                + " | call→request (local) | server→caller (remote) | extra spans |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        List<ServiceFidelity> ordered = new ArrayList<>(services);
        List<String> order = new ArrayList<>(styleByService.keySet());
        ordered.sort(Comparator.comparingInt(s -> order.contains(s.service()) ? order.indexOf(s.service())
                : order.size()));
        for (ServiceFidelity s : ordered) {
            out.append("| ").append(s.service())
                    .append(" | ").append(styleByService.getOrDefault(s.service(), "?"))
                    .append(" | ").append(s.truthSpans())
                    .append(" | ").append(percent(s.spanRecall(), s.matchedSpans(), s.truthSpans()))
                    .append(" | ").append(percent(s.parentPrecision(), s.observedLinksCorrect(), s.observedLinks()))
                    .append(" | ").append(percent(s.parentRecall(), s.localLinksReproduced() + s.remoteLinksReproduced(),
                            s.localLinks() + s.remoteLinks()))
                    .append(" | ").append(percent(s.localParentRecall(), s.localLinksReproduced(), s.localLinks()))
                    .append(" | ").append(percent(s.remoteParentRecall(), s.remoteLinksReproduced(), s.remoteLinks()))
                    .append(" | ").append(s.extraSpans())
                    .append(" |\n");
        }
        return out.toString();
    }

    private static String percent(double ratio, int part, int whole) {
        return Double.isNaN(ratio) ? "–" : String.format(Locale.ROOT, "%.1f%% (%d/%d)", ratio * 100, part, whole);
    }
}
