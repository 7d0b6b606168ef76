package io.spanscope.capture.pcap;

import java.nio.charset.StandardCharsets;

/**
 * Decides which end is the client of a connection whose handshake the capture missed, from the first
 * payload segment seen: a segment that starts like a request (an HTTP method and a space, or the HTTP/2
 * preface) was sent by the client; one that starts like an HTTP response ("HTTP/") by the server; when the
 * bytes say nothing, the end with the lower port is taken as the server (listening ports are usually
 * well-known or registered, clients use high ephemeral ports).
 */
final class RoleInference {

    private static final byte[][] REQUEST_PREFIXES = ascii("GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "OPTIONS ",
            "PATCH ", "CONNECT ", "TRACE ", "PRI * HTTP/2.0");
    private static final byte[] RESPONSE_PREFIX = "HTTP/".getBytes(StandardCharsets.US_ASCII);

    private RoleInference() {
    }

    static boolean sourceIsClient(TcpSegment segment) {
        byte[] b = segment.buffer;
        int off = segment.payloadOffset;
        int len = segment.capturedPayloadLength;
        for (byte[] prefix : REQUEST_PREFIXES) {
            if (startsWith(b, off, len, prefix)) {
                return true;
            }
        }
        if (startsWith(b, off, len, RESPONSE_PREFIX)) {
            return false;
        }
        return segment.sourcePort >= segment.destinationPort;
    }

    private static boolean startsWith(byte[] b, int off, int len, byte[] prefix) {
        if (len < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[off + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[][] ascii(String... values) {
        byte[][] out = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i].getBytes(StandardCharsets.US_ASCII);
        }
        return out;
    }
}
