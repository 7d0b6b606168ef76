package io.spanscope.parsers.detect;

import io.spanscope.parsers.record.Protocol;

import java.nio.charset.StandardCharsets;

/** The HTTP/2 client connection preface (RFC 9113 §3.4), sent first by prior-knowledge clients. */
public final class Http2PrefaceDetector implements ProtocolDetector {

    public static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @Override
    public Detection detect(byte[] buffer, int offset, int length) {
        int n = Math.min(length, PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (buffer[offset + i] != PREFACE[i]) {
                return Detection.NO_MATCH;
            }
        }
        return n == PREFACE.length ? Detection.clientBytes(Protocol.HTTP2) : Detection.NEED_MORE;
    }
}
