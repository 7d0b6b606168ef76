package io.spanscope.parsers.http1;

import io.spanscope.parsers.detect.Detection;
import io.spanscope.parsers.detect.ProtocolDetector;
import io.spanscope.parsers.record.Protocol;

/**
 * HTTP/1.x from the first bytes of a direction: a known method and a space (request), or
 * "HTTP/1.0 " / "HTTP/1.1 " (status line). For joined connections, finds the first complete, valid
 * request or status line at a line start.
 */
final class Http1Detector implements ProtocolDetector {

    private static final Detection REQUEST = Detection.clientBytes(Protocol.HTTP1);
    private static final Detection RESPONSE = Detection.serverBytes(Protocol.HTTP1);
    private static final int MAX_SCAN_LINE = 8 * 1024;

    @Override
    public Detection detect(byte[] buffer, int offset, int length) {
        int end = offset + length;
        int method = Methods.startsWithKnown(buffer, offset, end);
        if (method > 0) {
            return REQUEST;
        }
        int status = StartLines.statusLine(buffer, offset, end);
        if (status == StartLines.MATCH) {
            return RESPONSE;
        }
        return method == 0 || status == StartLines.NEED_MORE ? Detection.NEED_MORE : Detection.NO_MATCH;
    }

    @Override
    public int findMessageStart(byte[] buffer, int offset, int length) {
        int end = offset + length;
        int request = StartLines.findStartLine(buffer, offset, end, true, false, MAX_SCAN_LINE);
        int response = StartLines.findStartLine(buffer, offset, end, false, false, MAX_SCAN_LINE);
        if (request < 0) {
            return response;
        }
        return response < 0 ? request : Math.min(request, response);
    }
}
