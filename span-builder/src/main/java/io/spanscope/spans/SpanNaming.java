package io.spanscope.spans;

import io.spanscope.parsers.record.Attributes;
import io.spanscope.parsers.record.Protocol;

/** Span names by the semantic conventions: low-cardinality, from what the protocol says. */
final class SpanNaming {

    private SpanNaming() {
    }

    static String name(Protocol protocol, Attributes a) {
        switch (protocol) {
            case GRPC: {
                String service = a.getString("rpc.service");
                String method = a.getString("rpc.method");
                if (service != null && method != null) {
                    return service + "/" + method;
                }
                return http(a);
            }
            case POSTGRESQL:
            case MYSQL: {
                String summary = a.getString("db.query.summary");
                if (summary != null) {
                    return summary;
                }
                String operation = a.getString("db.operation.name");
                String collection = a.getString("db.collection.name");
                if (operation != null) {
                    return collection != null ? operation + " " + collection : operation;
                }
                String system = a.getString("db.system.name");
                return system != null ? system : protocol.name().toLowerCase(java.util.Locale.ROOT);
            }
            case HTTP1:
            case HTTP2:
                return http(a);
            default:
                return protocol.name();
        }
    }

    private static String http(Attributes a) {
        String method = a.getString("http.request.method");
        if (method == null) {
            return "HTTP";
        }
        String route = a.getString("http.route");
        return route != null ? method + " " + route : method;
    }
}
