package io.spanscope.parsers.http1;

import io.spanscope.parsers.record.Attributes;
import io.spanscope.parsers.record.ConnectionInfo;
import io.spanscope.parsers.record.Protocol;
import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordFlag;

import java.util.ArrayList;
import java.util.List;

/** Turns a matched exchange into a {@link Record} with OpenTelemetry HTTP attribute names. */
final class Http1RecordFactory {

    /** Boxed status codes, so the attribute costs no allocation per record. */
    private static final Long[] STATUS_CODES = new Long[1000];

    static {
        for (int i = 0; i < STATUS_CODES.length; i++) {
            STATUS_CODES[i] = (long) i;
        }
    }

    private final ConnectionInfo connection;
    private final HeaderSelection headers;
    private final Attributes.Builder attributes = Attributes.builder();
    private String lastAuthority;
    private String lastServerAddress;
    private Long lastServerPort;

    Http1RecordFactory(ConnectionInfo connection, HeaderSelection headers) {
        this.connection = connection;
        this.headers = headers;
    }

    Record build(Http1Exchange exchange) {
        Http1Message request = exchange.request;
        Http1Message response = exchange.response;
        Record.Builder record = Record.builder()
                .protocol(Protocol.HTTP1)
                .connection(connection)
                .request(request.startTid, request.startNs, request.endNs, request.startSequence, request.bytes)
                .attributes(attributes(request, exchange.responseAssigned ? response : null))
                .requestBody(request.keptBody());
        if (exchange.responseAssigned) {
            record.response(response.startTid, response.startNs, response.endNs, response.startSequence,
                    response.bytes).responseBody(response.keptBody());
        }
        flags(record, exchange);
        return record.build();
    }

    private void flags(Record.Builder record, Http1Exchange exchange) {
        Http1Message request = exchange.request;
        Http1Message response = exchange.response;
        if (!request.complete || (request.flags & Http1Message.INCOMPLETE) != 0) {
            record.flag(RecordFlag.REQUEST_INCOMPLETE);
        }
        if (!exchange.responseAssigned) {
            record.flag(RecordFlag.RESPONSE_MISSING);
        } else if (!response.complete || (response.flags & Http1Message.INCOMPLETE) != 0) {
            record.flag(RecordFlag.RESPONSE_INCOMPLETE);
        }
        int both = request.flags | response.flags;
        if ((request.flags & Http1Message.GAP) != 0) {
            record.flag(RecordFlag.GAP_IN_REQUEST);
        }
        if ((response.flags & Http1Message.GAP) != 0) {
            record.flag(RecordFlag.GAP_IN_RESPONSE);
        }
        if ((both & Http1Message.TRUNCATED_BODY) != 0) {
            record.flag(RecordFlag.TRUNCATED_BODY);
        }
        if ((both & Http1Message.MALFORMED) != 0) {
            record.flag(RecordFlag.MALFORMED);
        }
        if (connection.joinedMidStream()) {
            record.flag(RecordFlag.JOINED_MID_STREAM);
        }
    }

    private Attributes attributes(Http1Message request, Http1Message response) {
        Attributes.Builder a = attributes.clear()
                .put("http.request.method", request.method)
                .put("url.path", request.path)
                .put("url.query", request.query);
        if (request.path != null && request.path.startsWith("/")) {
            a.put("http.route", RouteTemplate.of(request.path));
        }
        String authority = request.host != null ? request.host : request.authority;
        if (authority != null) {
            if (!authority.equals(lastAuthority)) {
                parseServerAddress(authority);
            }
            a.put("server.address", lastServerAddress).put("server.port", lastServerPort);
        }
        a.put("user_agent.original", request.userAgent);
        putHeaders(a, request, headers.request);
        a.put("network.protocol.version", request.version != null ? request.version
                : response != null ? response.version : null);
        if (request.bodyBytes > 0) {
            a.put("http.request.body.size", request.bodyBytes);
        }
        if (response != null) {
            if (response.status >= 0 && response.status < STATUS_CODES.length) {
                a.put("http.response.status_code", STATUS_CODES[response.status]);
            }
            putHeaders(a, response, headers.response);
            if (response.complete && response.bodyBytes > 0) {
                a.put("http.response.body.size", response.bodyBytes);
            }
            if (response.status == 101 && request.upgrade != null) {
                a.put("spanscope.http.upgrade", request.upgrade);
            }
        }
        return a.build();
    }

    /** {@code host}, {@code host:port}, {@code [v6]:port}; kept, since a connection mostly sees one. */
    private void parseServerAddress(String authority) {
        lastAuthority = authority;
        int portSeparator = authority.lastIndexOf(':');
        int bracket = authority.lastIndexOf(']');
        if (portSeparator > bracket && portSeparator > 0) {
            lastServerAddress = strip(authority.substring(0, portSeparator));
            long port = parsePort(authority, portSeparator + 1);
            lastServerPort = port >= 0 ? port : null;
        } else {
            lastServerAddress = strip(authority);
            lastServerPort = null;
        }
    }

    private static String strip(String host) {
        return host.length() > 1 && host.charAt(0) == '[' && host.charAt(host.length() - 1) == ']'
                ? host.substring(1, host.length() - 1) : host;
    }

    private static long parsePort(String s, int from) {
        if (from >= s.length() || s.length() - from > 5) {
            return -1;
        }
        long port = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535 ? port : -1;
    }

    /** Repeated headers are kept: each selected header becomes a list of its values in order. */
    private static void putHeaders(Attributes.Builder a, Http1Message message, HeaderSelection.Side side) {
        if (message.headerCount == 0) {
            return;
        }
        for (int s = 0; s < side.lowerNames.length; s++) {
            String name = side.lowerNames[s];
            String single = null;
            List<String> several = null;
            for (int h = 0; h < message.headerCount; h++) {
                if (!message.headerNames[h].equals(name)) {
                    continue;
                }
                if (single == null) {
                    single = message.headerValues[h];
                } else {
                    if (several == null) {
                        several = new ArrayList<>(4);
                        several.add(single);
                    }
                    several.add(message.headerValues[h]);
                }
            }
            if (several != null) {
                a.put(side.attributeKeys[s], List.copyOf(several));
            } else if (single != null) {
                a.put(side.attributeKeys[s], List.of(single));
            }
        }
    }
}
