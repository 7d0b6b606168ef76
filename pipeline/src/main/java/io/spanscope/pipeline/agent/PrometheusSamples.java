package io.spanscope.pipeline.agent;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the samples of Prometheus text (as /metrics serves it) back into name → value, labels kept in the name. */
final class PrometheusSamples {

    private PrometheusSamples() {
    }

    static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            if (space <= 0) {
                continue;
            }
            try {
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            } catch (NumberFormatException e) {
                // not a sample line; the writer only makes numbers, so nothing is lost here
            }
        }
        return samples;
    }
}
