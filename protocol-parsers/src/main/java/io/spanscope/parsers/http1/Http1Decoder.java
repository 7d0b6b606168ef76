package io.spanscope.parsers.http1;

import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.ParserStats;
import io.spanscope.parsers.stream.ChunkOrigin;

/**
 * The HTTP/1.x message state machine of one direction (requests or responses), over assembled bytes.
 *
 * <pre>
 *   HEAD ──head complete──► FIXED_BODY ───────────────────────────────┐
 *     │                  ├► CHUNK_SIZE ⇄ CHUNK_DATA → CHUNK_DATA_END   ├─► message complete ─► HEAD
 *     │                  │      └─(size 0)─► TRAILERS ────────────────┤    (or PAUSED / PASS_THROUGH /
 *     │                  ├► UNTIL_CLOSE ──(connection end)────────────┤     HANDED_OFF, set by the handler)
 *     │                  └► (no body) ────────────────────────────────┘
 *     └─ malformed / limit / gap where framing is lost ─► RESYNC ──valid start line at a line start──► HEAD
 * </pre>
 *
 * A head is parsed only once it is complete (up to the blank line), so bytes of an incomplete head are
 * left unconsumed and presented again; the search for its end resumes where it stopped. Body bytes are
 * consumed as they stream by, counted, and kept only up to the body cap. Nothing here throws on input:
 * every violation ends the message with a flag, is counted, and sends the decoder to RESYNC.
 */
final class Http1Decoder {

    enum State { HEAD, FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS, UNTIL_CLOSE, PAUSED, RESYNC,
        PASS_THROUGH, HANDED_OFF }

    /** Implemented by the exchange matcher. */
    interface Events {
        /** A new message starts: where its fields go. Requests always get one; orphan responses a detached one. */
        Http1Message beginMessage(boolean request);

        /** The message ended (normally or flagged). May change this or the other decoder's state. */
        void onMessageComplete(Http1Message message);
    }

    private static final int MAX_CHUNK_LINE = 4096;
    private static final int MAX_CONTENT_LENGTH_DIGITS = 18;
    private static final int MAX_UPGRADE_LENGTH = 64;
    private static final byte[] HOST = Ascii.bytes("host");
    private static final byte[] UPGRADE = Ascii.bytes("upgrade");
    private static final byte[] USER_AGENT = Ascii.bytes("user-agent");
    private static final byte[] CONTENT_LENGTH = Ascii.bytes("content-length");
    private static final byte[] TRANSFER_ENCODING = Ascii.bytes("transfer-encoding");
    private static final byte[] CHUNKED = Ascii.bytes("chunked");
    private static final byte[] HTTP_SCHEME = Ascii.bytes("http://");
    private static final byte[] HTTPS_SCHEME = Ascii.bytes("https://");

    private static final int HEAD_OK = 0;
    private static final int HEAD_MALFORMED = 1;
    private static final int HEAD_LIMIT = 2;

    private final boolean requests;
    private final Events events;
    private final ParserStats stats;
    private final HeaderSelection.Side selection;
    private final int maxHeaderBytes;
    private final int maxHeaderCount;
    private final int bodyCap;

    private State state = State.HEAD;
    private Http1Message message;
    private boolean headStarted;
    private int headScanFrom;
    private long remaining;
    private long trailerBytes;
    private boolean resyncAtLineStart;
    private boolean needMore;
    private long lastByteNs;
    private ChunkOrigin origin;
    private String lastHost;
    private String lastUserAgent;
    private final String[] lastSelectedValues;
    private long bufferPosition;
    private int bufferOffset;

    Http1Decoder(boolean requests, Events events, ParserConfig config, ParserStats stats, HeaderSelection headers) {
        this.requests = requests;
        this.events = events;
        this.stats = stats;
        this.selection = requests ? headers.request : headers.response;
        this.maxHeaderBytes = config.maxHeaderBytes();
        this.maxHeaderCount = config.maxHeaderCount();
        this.bodyCap = config.bodyCaptureBytes();
        this.lastSelectedValues = new String[selection.names.length];
    }

    State state() {
        return state;
    }

    /** For a connection joined mid-stream: find the first message boundary before parsing (not counted as a resync). */
    void startInResync() {
        state = State.RESYNC;
        resyncAtLineStart = true;
    }

    /** Stops consuming: bytes after the current message wait (an Upgrade request awaiting its answer). */
    void pause() {
        if (state == State.HEAD && !headStarted) {
            state = State.PAUSED;
        }
    }

    void resume() {
        if (state == State.PAUSED) {
            state = State.HEAD;
        }
    }

    /** Consumes and counts all further bytes without parsing (WebSocket, CONNECT tunnel). */
    void passThrough() {
        state = State.PASS_THROUGH;
    }

    /** Consumes nothing more: another protocol's handler takes over the connection. */
    void handOff() {
        state = State.HANDED_OFF;
    }

    int onBytes(byte[] b, int offset, int length, long position, ChunkOrigin chunkOrigin) {
        this.origin = chunkOrigin;
        this.bufferPosition = position;
        this.bufferOffset = offset;
        this.lastByteNs = chunkOrigin.timestampNs();
        if (state == State.RESYNC) {
            // RESYNC consumes all it is given, so a new call starts at a new event: writers usually
            // start a message with a new syscall, so the event start is a candidate like a line start.
            resyncAtLineStart = true;
        }
        int end = offset + length;
        int i = offset;
        while (i < end) {
            switch (state) {
                case HEAD -> i = head(b, i, end);
                case FIXED_BODY -> i = fixedBody(b, i, end);
                case CHUNK_SIZE -> i = chunkSize(b, i, end);
                case CHUNK_DATA -> i = chunkData(b, i, end);
                case CHUNK_DATA_END -> i = chunkDataEnd(b, i, end);
                case TRAILERS -> i = trailers(b, i, end);
                case UNTIL_CLOSE -> i = untilClose(b, i, end);
                case RESYNC -> i = resync(b, i, end);
                case PASS_THROUGH -> {
                    stats.countUnparsedBytes(end - i);
                    i = end;
                }
                case PAUSED, HANDED_OFF -> needMore = true;
            }
            if (needMore) {
                needMore = false;
                break;
            }
        }
        return i - offset;
    }

    void onGap(long missingBytes, ChunkOrigin chunkOrigin) {
        this.origin = chunkOrigin;
        this.lastByteNs = chunkOrigin.timestampNs();
        switch (state) {
            case HEAD -> {
                if (headStarted) {
                    message.bytes += missingBytes;
                    abandon(Http1Message.GAP);
                }
                enterResync(true);
            }
            case FIXED_BODY, CHUNK_DATA -> {
                message.flags |= Http1Message.TRUNCATED_BODY;
                if (missingBytes <= remaining) {
                    remaining -= missingBytes;
                    message.bytes += missingBytes;
                    message.bodyBytes += missingBytes;
                    if (remaining == 0) {
                        if (state == State.FIXED_BODY) {
                            complete();
                        } else {
                            state = State.CHUNK_DATA_END;
                        }
                    }
                } else {
                    message.bytes += remaining;
                    message.bodyBytes += remaining;
                    abandon(Http1Message.GAP);
                    enterResync(true);
                }
            }
            case UNTIL_CLOSE -> {
                message.flags |= Http1Message.TRUNCATED_BODY;
                message.bytes += missingBytes;
                message.bodyBytes += missingBytes;
            }
            case CHUNK_SIZE, CHUNK_DATA_END, TRAILERS -> {
                message.bytes += missingBytes;
                abandon(Http1Message.GAP | Http1Message.TRUNCATED_BODY);
                enterResync(true);
            }
            case PAUSED -> enterResync(true);
            case RESYNC -> resyncAtLineStart = true;
            case PASS_THROUGH, HANDED_OFF -> {
            }
        }
    }

    /** The connection ended: a close-delimited body completes; anything else in progress is incomplete. */
    void finish() {
        switch (state) {
            case UNTIL_CLOSE -> complete();
            case HEAD -> {
                if (headStarted) {
                    message.flags |= Http1Message.INCOMPLETE;
                    complete();
                }
            }
            case FIXED_BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS -> {
                message.flags |= Http1Message.INCOMPLETE;
                complete();
            }
            default -> {
            }
        }
    }

    private long positionOf(int index) {
        return bufferPosition + (index - bufferOffset);
    }

    private int head(byte[] b, int i, int end) {
        if (!headStarted) {
            while (i < end && (b[i] == Ascii.CR || b[i] == Ascii.LF)) {
                i++;
            }
            if (i == end) {
                return i;
            }
            if (message == null) {
                message = events.beginMessage(requests);
            }
            message.markStart(origin, positionOf(i));
            headStarted = true;
            headScanFrom = 0;
        }
        int headEnd = findHeadEnd(b, i + headScanFrom, end);
        if (headEnd < 0) {
            int available = end - i;
            if (available > maxHeaderBytes) {
                message.bytes += available;
                failHead(true, b[end - 1] == Ascii.LF);
                return end;
            }
            headScanFrom = Math.max(0, available - 2);
            needMore = true;
            return i;
        }
        int headLength = headEnd - i;
        message.bytes += headLength;
        int verdict = headLength > maxHeaderBytes ? HEAD_LIMIT : parseHead(b, i, headEnd);
        if (verdict != HEAD_OK) {
            failHead(verdict == HEAD_LIMIT, true);
            return headEnd;
        }
        headStarted = false;
        startBody(headEnd);
        return headEnd;
    }

    private void failHead(boolean limit, boolean atLineStart) {
        stats.countParseError();
        if (limit) {
            stats.countDrop(DropReason.HEADER_LIMIT);
        }
        abandon(Http1Message.MALFORMED);
        enterResync(atLineStart);
    }

    /** Index just past the blank line ending a head, or -1; "\n\n" is accepted as well as "\n\r\n". */
    private static int findHeadEnd(byte[] b, int from, int end) {
        for (int i = Ascii.indexOfLf(b, from, end); i >= 0; i = Ascii.indexOfLf(b, i + 1, end)) {
            if (i + 1 < end && b[i + 1] == Ascii.LF) {
                return i + 2;
            }
            if (i + 2 < end && b[i + 1] == Ascii.CR && b[i + 2] == Ascii.LF) {
                return i + 3;
            }
        }
        return -1;
    }

    private void startBody(int headEnd) {
        if (requests) {
            if (message.chunked) {
                state = State.CHUNK_SIZE;
            } else if (message.transferEncoding) {
                stats.countParseError();
                abandon(Http1Message.MALFORMED);
                enterResync(true);
            } else if (message.contentLength > 0) {
                remaining = message.contentLength;
                state = State.FIXED_BODY;
            } else {
                completeAt(headEnd);
            }
            return;
        }
        int status = message.status;
        String requestMethod = message.exchange == null ? null : message.exchange.request.method;
        if (status >= 100 && status < 200 && status != 101) {
            message.interimResponses++;
            message.resetHead();
            state = State.HEAD;
        } else if (status == 101 || status == 204 || status == 304 || "HEAD".equals(requestMethod)
                || "CONNECT".equals(requestMethod) && status >= 200 && status < 300) {
            completeAt(headEnd);
        } else if (message.chunked) {
            state = State.CHUNK_SIZE;
        } else if (message.contentLength > 0) {
            remaining = message.contentLength;
            state = State.FIXED_BODY;
        } else if (message.contentLength == 0) {
            completeAt(headEnd);
        } else {
            state = State.UNTIL_CLOSE;
        }
    }

    private int fixedBody(byte[] b, int i, int end) {
        int n = (int) Math.min(remaining, end - i);
        keepBody(b, i, n);
        remaining -= n;
        if (remaining == 0) {
            completeAt(i + n);
        }
        return i + n;
    }

    private int chunkData(byte[] b, int i, int end) {
        int n = (int) Math.min(remaining, end - i);
        keepBody(b, i, n);
        remaining -= n;
        if (remaining == 0) {
            state = State.CHUNK_DATA_END;
        }
        return i + n;
    }

    private int untilClose(byte[] b, int i, int end) {
        lastByteNs = origin.timestampNs();
        keepBody(b, i, end - i);
        return end;
    }

    private void keepBody(byte[] b, int i, int n) {
        message.bytes += n;
        message.bodyBytes += n;
        if (bodyCap > 0) {
            message.keepBody(b, i, n, bodyCap);
        }
    }

    private int chunkSize(byte[] b, int i, int end) {
        int limit = Math.min(end, i + MAX_CHUNK_LINE);
        int lf = Ascii.indexOfLf(b, i, limit);
        if (lf < 0) {
            if (limit - i >= MAX_CHUNK_LINE) {
                return malformedBody(i, limit);
            }
            needMore = true;
            return i;
        }
        long size = parseChunkSize(b, i, lf);
        if (size < 0) {
            return malformedBody(i, lf + 1);
        }
        message.bytes += lf + 1 - i;
        if (size == 0) {
            trailerBytes = 0;
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
        return lf + 1;
    }

    /** Hex size, then optional whitespace and ";extensions". -1 when invalid or over 15 hex digits. */
    private static long parseChunkSize(byte[] b, int from, int lf) {
        int end = lf > from && b[lf - 1] == Ascii.CR ? lf - 1 : lf;
        long value = 0;
        int digits = 0;
        int p = from;
        for (; p < end; p++) {
            int h = Ascii.hexValue(b[p]);
            if (h < 0) {
                break;
            }
            if (++digits > 15) {
                return -1;
            }
            value = value << 4 | h;
        }
        if (digits == 0) {
            return -1;
        }
        while (p < end && (b[p] == Ascii.SP || b[p] == Ascii.HT)) {
            p++;
        }
        return p == end || b[p] == ';' ? value : -1;
    }

    private int chunkDataEnd(byte[] b, int i, int end) {
        if (b[i] == Ascii.LF) {
            message.bytes += 1;
            state = State.CHUNK_SIZE;
            return i + 1;
        }
        if (b[i] == Ascii.CR) {
            if (i + 1 >= end) {
                needMore = true;
                return i;
            }
            if (b[i + 1] == Ascii.LF) {
                message.bytes += 2;
                state = State.CHUNK_SIZE;
                return i + 2;
            }
        }
        return malformedBody(i, i);
    }

    private int trailers(byte[] b, int i, int end) {
        int lf = Ascii.indexOfLf(b, i, end);
        if (lf < 0) {
            if (trailerBytes + (end - i) > maxHeaderBytes) {
                stats.countDrop(DropReason.HEADER_LIMIT);
                return malformedBody(i, end);
            }
            needMore = true;
            return i;
        }
        int lineLength = lf + 1 - i;
        message.bytes += lineLength;
        trailerBytes += lineLength;
        if (lineLength == 1 || lineLength == 2 && b[i] == Ascii.CR) {
            completeAt(lf + 1);
        } else if (trailerBytes > maxHeaderBytes) {
            stats.countDrop(DropReason.HEADER_LIMIT);
            return malformedBody(lf + 1, lf + 1);
        }
        return lf + 1;
    }

    /** A framing violation inside a body: the bytes up to {@code resumeAt} are skipped, then resync. */
    private int malformedBody(int i, int resumeAt) {
        message.bytes += resumeAt - i;
        stats.countParseError();
        abandon(Http1Message.MALFORMED);
        enterResync(false);
        return resumeAt;
    }

    private int resync(byte[] b, int i, int end) {
        int found = StartLines.findStartLine(b, i, end, requests, resyncAtLineStart, maxHeaderBytes);
        if (found < 0) {
            stats.countUnparsedBytes(end - i);
            resyncAtLineStart = b[end - 1] == Ascii.LF;
            return end;
        }
        stats.countUnparsedBytes(found - i);
        int verdict = requests ? StartLines.requestLine(b, found, end, maxHeaderBytes) : StartLines.statusLine(b, found, end);
        resyncAtLineStart = true;
        if (verdict == StartLines.MATCH) {
            state = State.HEAD;
        } else {
            needMore = true;
        }
        return found;
    }

    /** Completes a message whose last byte is just before {@code endIndex} of the current buffer. */
    private void completeAt(int endIndex) {
        lastByteNs = origin.timestampAt(positionOf(endIndex - 1));
        complete();
    }

    private void complete() {
        Http1Message done = message;
        message = null;
        headStarted = false;
        state = State.HEAD;
        done.endNs = lastByteNs;
        done.complete = true;
        events.onMessageComplete(done);
    }

    private void abandon(int flags) {
        if (message != null) {
            message.flags |= flags;
            complete();
        }
    }

    private void enterResync(boolean atLineStart) {
        state = State.RESYNC;
        resyncAtLineStart = atLineStart;
        stats.countResync();
    }

    private int parseHead(byte[] b, int start, int headEnd) {
        int lineEnd = Ascii.indexOfLf(b, start, headEnd);
        int contentEnd = lineEnd > start && b[lineEnd - 1] == Ascii.CR ? lineEnd - 1 : lineEnd;
        boolean valid = requests ? parseRequestLine(b, start, contentEnd) : parseStatusLine(b, start, contentEnd);
        if (!valid) {
            return HEAD_MALFORMED;
        }
        int count = 0;
        int p = lineEnd + 1;
        while (p < headEnd) {
            int le = Ascii.indexOfLf(b, p, headEnd);
            if (le < 0) {
                break;
            }
            int ce = le > p && b[le - 1] == Ascii.CR ? le - 1 : le;
            if (ce == p) {
                break;
            }
            if (++count > maxHeaderCount) {
                return HEAD_LIMIT;
            }
            if (b[p] != Ascii.SP && b[p] != Ascii.HT && !header(b, p, ce)) {
                return HEAD_MALFORMED;
            }
            p = le + 1;
        }
        return HEAD_OK;
    }

    /** One header line; false when it breaks framing rules (bad or conflicting Content-Length). */
    private boolean header(byte[] b, int from, int to) {
        int colon = Ascii.indexOf(b, (byte) ':', from, to);
        if (colon <= from) {
            return true;
        }
        int nameEnd = colon;
        while (nameEnd > from && (b[nameEnd - 1] == Ascii.SP || b[nameEnd - 1] == Ascii.HT)) {
            nameEnd--;
        }
        int vs = colon + 1;
        while (vs < to && (b[vs] == Ascii.SP || b[vs] == Ascii.HT)) {
            vs++;
        }
        int ve = to;
        while (ve > vs && (b[ve - 1] == Ascii.SP || b[ve - 1] == Ascii.HT)) {
            ve--;
        }
        int nameLength = nameEnd - from;
        switch (nameLength) {
            case 4 -> {
                if (requests && message.host == null && Ascii.equalsLowerCase(b, from, 4, HOST)) {
                    message.host = lastHost = Ascii.sameOrNew(b, vs, ve, lastHost);
                }
            }
            case 7 -> {
                if (Ascii.equalsLowerCase(b, from, 7, UPGRADE)) {
                    message.upgrade = Ascii.string(b, vs, Math.min(ve, vs + MAX_UPGRADE_LENGTH));
                }
            }
            case 10 -> {
                if (requests && message.userAgent == null && Ascii.equalsLowerCase(b, from, 10, USER_AGENT)) {
                    message.userAgent = lastUserAgent = Ascii.sameOrNew(b, vs, ve, lastUserAgent);
                }
            }
            case 14 -> {
                if (Ascii.equalsLowerCase(b, from, 14, CONTENT_LENGTH) && !contentLength(b, vs, ve)) {
                    return false;
                }
            }
            case 17 -> {
                if (Ascii.equalsLowerCase(b, from, 17, TRANSFER_ENCODING)) {
                    message.transferEncoding = true;
                    message.chunked = endsWithChunked(b, vs, ve);
                }
            }
            default -> {
            }
        }
        int selected = selection.indexOf(b, from, nameEnd);
        if (selected >= 0) {
            String value = selection.redacted[selected] ? ParserConfig.REDACTED
                    : (lastSelectedValues[selected] = Ascii.sameOrNew(b, vs, ve, lastSelectedValues[selected]));
            message.addHeader(selection.lowerNames[selected], value, maxHeaderCount);
        }
        return true;
    }

    private boolean contentLength(byte[] b, int from, int to) {
        int digits = to - from;
        if (digits == 0 || digits > MAX_CONTENT_LENGTH_DIGITS) {
            return false;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            if (!Ascii.isDigit(b[i])) {
                return false;
            }
            value = value * 10 + (b[i] - '0');
        }
        if (message.contentLength >= 0 && message.contentLength != value) {
            return false;
        }
        message.contentLength = value;
        return true;
    }

    private static boolean endsWithChunked(byte[] b, int from, int to) {
        int start = to - CHUNKED.length;
        if (start < from || !Ascii.equalsLowerCase(b, start, CHUNKED.length, CHUNKED)) {
            return false;
        }
        return start == from || b[start - 1] == ',' || b[start - 1] == Ascii.SP || b[start - 1] == Ascii.HT;
    }

    private boolean parseRequestLine(byte[] b, int from, int to) {
        int sp1 = Ascii.indexOf(b, Ascii.SP, from, to);
        if (sp1 <= from || sp1 - from > Methods.MAX_LENGTH) {
            return false;
        }
        for (int k = from; k < sp1; k++) {
            if (!Ascii.isTokenChar(b[k])) {
                return false;
            }
        }
        int sp2 = to - 1;
        while (sp2 > sp1 && b[sp2] != Ascii.SP) {
            sp2--;
        }
        if (sp2 <= sp1 + 1 || to - (sp2 + 1) != 8 || StartLines.httpVersion(b, sp2 + 1, to) != StartLines.MATCH) {
            return false;
        }
        for (int k = sp1 + 1; k < sp2; k++) {
            if (b[k] <= Ascii.SP || b[k] == 0x7F) {
                return false;
            }
        }
        String known = Methods.known(b, from, sp1);
        message.method = known != null ? known : Ascii.string(b, from, sp1);
        message.version = b[to - 1] == '0' ? "1.0" : "1.1";
        parseTarget(b, sp1 + 1, sp2);
        return true;
    }

    private void parseTarget(byte[] b, int from, int to) {
        int pathStart = from;
        if (b[from] != '/') {
            int schemeLength = startsWith(b, from, to, HTTP_SCHEME) ? HTTP_SCHEME.length
                    : startsWith(b, from, to, HTTPS_SCHEME) ? HTTPS_SCHEME.length : 0;
            if (schemeLength > 0) {
                int authorityStart = from + schemeLength;
                int authorityEnd = authorityStart;
                while (authorityEnd < to && b[authorityEnd] != '/' && b[authorityEnd] != '?') {
                    authorityEnd++;
                }
                message.authority = Ascii.string(b, authorityStart, authorityEnd);
                if (authorityEnd == to) {
                    message.path = "/";
                    return;
                }
                pathStart = authorityEnd;
            } else if ("CONNECT".equals(message.method)) {
                message.authority = Ascii.string(b, from, to);
                return;
            }
        }
        int q = Ascii.indexOf(b, (byte) '?', pathStart, to);
        if (q < 0) {
            message.path = Ascii.string(b, pathStart, to);
        } else {
            message.path = q == pathStart ? "/" : Ascii.string(b, pathStart, q);
            message.query = Ascii.string(b, q + 1, to);
        }
    }

    private static boolean startsWith(byte[] b, int from, int to, byte[] lowerPrefix) {
        return to - from > lowerPrefix.length && Ascii.equalsLowerCase(b, from, lowerPrefix.length, lowerPrefix);
    }

    private boolean parseStatusLine(byte[] b, int from, int to) {
        if (to - from < 12 || StartLines.httpVersion(b, from, to) != StartLines.MATCH || b[from + 8] != Ascii.SP) {
            return false;
        }
        int status = 0;
        for (int k = from + 9; k < from + 12; k++) {
            if (!Ascii.isDigit(b[k])) {
                return false;
            }
            status = status * 10 + (b[k] - '0');
        }
        if (to > from + 12 && b[from + 12] != Ascii.SP) {
            return false;
        }
        message.status = status;
        message.version = b[from + 7] == '0' ? "1.0" : "1.1";
        return true;
    }
}
