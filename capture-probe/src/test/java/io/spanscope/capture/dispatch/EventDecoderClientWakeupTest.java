package io.spanscope.capture.dispatch;

import static io.spanscope.capture.ringbuf.EventLayout.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kernel gives the age of a serving thread's last client wakeup relative to the event; the decoder hands on
 * the wakeup's own time on the event's clock, and nothing when the kernel knows none. The flyweight must not carry
 * one event's value into the next.
 */
class EventDecoderClientWakeupTest {

    private static final long EVENT_NS = 5_000_000_000L;

    private final List<DataEvent> decoded = new ArrayList<>();
    private final EventDecoder decoder = new EventDecoder(new CaptureEventSink() {
        @Override
        public void onOpen(ConnectionOpenEvent event) {
        }

        @Override
        public void onData(DataEvent event) {
            decoded.add(event.copy());
        }

        @Override
        public void onClose(ConnectionCloseEvent event) {
        }
    }, RoleResolver.NONE, new WorkerCounters(), library -> "");

    @Test
    void theAgeBecomesTheWakeupsTimeOnTheEventsClock() {
        decode(dataRecord(EVENT_NS, 250_000));

        assertThat(decoded).singleElement().satisfies(e -> assertThat(e.clientWokenNs()).isEqualTo(EVENT_NS - 250_000));
    }

    @Test
    void anAgeAboveTwoToTheThirtyOneIsReadUnsigned() {
        decode(dataRecord(EVENT_NS, 0xC000_0000));

        assertThat(decoded).singleElement()
                .satisfies(e -> assertThat(e.clientWokenNs()).isEqualTo(EVENT_NS - 0xC000_0000L));
    }

    @Test
    void noAgeMeansNoWakeupAndDoesNotInheritThePreviousEvents() {
        decode(dataRecord(EVENT_NS, 250_000));
        decode(dataRecord(EVENT_NS + 1_000, 0));

        assertThat(decoded).extracting(DataEvent::clientWokenNs).containsExactly(EVENT_NS - 250_000, 0L);
    }

    private void decode(byte[] record) {
        decoder.accept(record, 0, record.length);
    }

    private static byte[] dataRecord(long timestampNs, int clientWakeupAgeNs) {
        byte[] payload = "HTTP/1.1 200 OK\r\n\r\n".getBytes();
        ByteBuffer b = ByteBuffer.allocate(DATA_SIZE + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(HEADER_TYPE, TYPE_DATA);
        b.putInt(HEADER_TGID, 42);
        b.putInt(HEADER_TID, 43);
        b.putInt(HEADER_FD, 7);
        b.putLong(HEADER_TIMESTAMP_NS, timestampNs);
        b.putLong(HEADER_GENERATION, 9);
        b.putShort(DATA_ENDS + ENDS_FAMILY, (short) 2);
        b.putInt(DATA_TCP_SEQ, 1_000);
        b.putInt(DATA_BYTE_COUNT, payload.length);
        b.putInt(DATA_PAYLOAD_LEN, payload.length);
        b.put(DATA_DIRECTION, (byte) 0);
        b.put(DATA_ROLE, (byte) 2);
        b.putInt(DATA_CLIENT_WAKEUP_AGE, clientWakeupAgeNs);
        b.put(DATA_PAYLOAD, payload);
        return b.array();
    }
}
