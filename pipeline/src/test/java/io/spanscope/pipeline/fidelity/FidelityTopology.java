package io.spanscope.pipeline.fidelity;

import io.spanscope.pipeline.fidelity.app.CallStyle;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fidelity app's services, in call order: the load generator calls the first, each calls the next in
 * its own {@link CallStyle}, the last answers.
 */
public record FidelityTopology(List<Service> services) {

    public static final String LOAD_GENERATOR = "loadgen";

    public record Service(String name, CallStyle style) {
    }

    public FidelityTopology {
        services = List.copyOf(services);
        if (services.isEmpty() || services.get(services.size() - 1).style() != CallStyle.LEAF) {
            throw new IllegalArgumentException("the last service must be a leaf");
        }
    }

    /** gateway (blocking) → orders (HttpClient) → stock (worker pool) → prices (event loop) → ledger. */
    public static FidelityTopology standard() {
        return new FidelityTopology(List.of(
                new Service("gateway", CallStyle.BLOCKING),
                new Service("orders", CallStyle.HTTP_CLIENT),
                new Service("stock", CallStyle.WORKER_POOL),
                new Service("prices", CallStyle.EVENT_LOOP),
                new Service("ledger", CallStyle.LEAF)));
    }

    /** What the report's "outbound calls" column says for each service, the load generator included. */
    public Map<String, String> styleByService() {
        Map<String, String> styles = new LinkedHashMap<>();
        styles.put(LOAD_GENERATOR, "load generator, HttpURLConnection");
        services.forEach(s -> styles.put(s.name(), s.style().description()));
        return styles;
    }
}
