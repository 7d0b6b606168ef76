package io.spanscope.spans;

import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.StatusData;
import io.spanscope.capture.event.Role;
import io.spanscope.parsers.record.Attributes;
import io.spanscope.parsers.record.Protocol;
import java.util.Set;

/**
 * Span status from the protocol outcome, by the semantic conventions: HTTP 5xx is an error on both sides
 * and 4xx on the client side only; gRPC codes that mean the server failed are server errors, any non-OK
 * code a client error; a database error response is an error. Capture damage is not an application error
 * and does not set the status (the span carries it as an attribute instead).
 */
final class SpanOutcome {

    /** gRPC codes the server is responsible for: UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS. */
    private static final Set<Long> GRPC_SERVER_ERRORS = Set.of(2L, 4L, 12L, 13L, 14L, 15L);

    private SpanOutcome() {
    }

    /** The {@code error.type} value when the outcome is an error, else null. */
    static String errorType(Protocol protocol, Role role, Attributes a) {
        String declared = a.getString("error.type");
        Long grpc = a.getLong("rpc.grpc.status_code");
        if (grpc != null && (protocol == Protocol.GRPC || a.containsKey("rpc.system"))) {
            // the parser names every non-OK code; whether it is this side's error is the conventions' call
            boolean error = role == Role.SERVER ? GRPC_SERVER_ERRORS.contains(grpc) : grpc != 0;
            return !error ? null : declared != null ? declared : Long.toString(grpc);
        }
        if (declared != null) {
            return declared;
        }
        Long status = a.getLong("http.response.status_code");
        if (status != null && (status >= 500 || (status >= 400 && role != Role.SERVER))) {
            return Long.toString(status);
        }
        return null;
    }

    static StatusData status(String errorType, Attributes a) {
        if (errorType == null) {
            return StatusData.unset();
        }
        String message = a.getString("spanscope.grpc.message");
        if (message == null) {
            message = a.getString("db.response.status_message");
        }
        return StatusData.create(StatusCode.ERROR, message == null ? "" : message);
    }
}
