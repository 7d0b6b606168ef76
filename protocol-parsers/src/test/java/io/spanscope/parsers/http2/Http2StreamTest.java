package io.spanscope.parsers.http2;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The handler reuses a recorded stream's object: reset must leave nothing of the previous stream. */
class Http2StreamTest {

    /** Every field, nested sides and counters included, by path (reflection: a field added later is covered). */
    private static Map<String, Object> state(Object o, String prefix, Map<String, Object> into) throws Exception {
        for (Class<?> c = o.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                Object value = f.get(o);
                String name = prefix + f.getName();
                if (value instanceof Http2Stream.Side || value instanceof GrpcMessageCounter) {
                    state(value, name + ".", into);
                } else {
                    into.put(name, value);
                }
            }
        }
        return into;
    }

    /** Sets every field away from its initial value; {@code midPrefix}: counters stop inside a prefix, else inside a message. */
    private static void dirty(Http2Stream s, boolean midPrefix) {
        s.method = "POST";
        s.path = "/a";
        s.authority = "h:1";
        s.userAgent = "ua";
        s.requestContentType = "application/grpc";
        s.responseContentType = "application/grpc";
        s.status = 200;
        s.grpcStatus = 3;
        s.grpcMessage = "m";
        s.resetCode = 8;
        s.resetByClient = true;
        s.refusedByGoAway = true;
        s.pushed = true;
        s.upgraded = true;
        s.lastReportNs = 99;
        s.partialReports = 2;
        for (Http2Stream.Side side : new Http2Stream.Side[] {s.request, s.response}) {
            side.started = true;
            side.startNs = 1;
            side.endNs = 2;
            side.startTid = 3;
            side.startSequence = 4;
            side.bytes = 10;
            side.bodyBytes = 5;
            side.ended = true;
            side.unknownHeaderFields = 1;
            side.gap = true;
            side.malformed = true;
            side.truncated = true;
            byte[] data = midPrefix ? new byte[] {1, 0, 0, 0, 0, 1, 7} : new byte[] {1, 0, 0, 0, 9, 1, 2};
            side.messages.onData(data, 0, data.length);
            if (!midPrefix) {
                side.messages.onLoss();
            }
        }
    }

    @Test
    void aResetStreamIsInEveryFieldLikeANewOne() throws Exception {
        Map<String, Object> fresh = state(new Http2Stream(7), "", new LinkedHashMap<>());
        Map<String, Object> dirtied = new LinkedHashMap<>();
        for (boolean midPrefix : new boolean[] {false, true}) {
            Http2Stream used = new Http2Stream(1);
            dirty(used, midPrefix);
            state(used, "", new LinkedHashMap<>()).forEach((k, v) -> {
                if (!java.util.Objects.equals(v, fresh.get(k))) {
                    dirtied.put(k, v);
                }
            });
            assertThat(state(used.reset(7), "", new LinkedHashMap<>())).isEqualTo(fresh);
        }
        assertThat(dirtied.keySet()).as("the test changes every field").isEqualTo(fresh.keySet());
    }
}
