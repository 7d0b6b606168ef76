package io.spanscope.capture.dispatch;

import static io.spanscope.capture.ringbuf.EventLayout.*;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * Runs synthetic records through a throw-away {@link EventDispatcher} (its own queue, worker thread,
 * decoder and a sink that discards) before the probes are attached, so that the JIT has compiled the
 * per-record path (dispatch, queue copy, decode) when the first real events arrive.
 *
 * <p>Why: a capture started under load used to spend its first second running that path in the
 * interpreter while the worker queue overflowed (≈ 140 000 events lost at 100 000 requests/s in
 * {@code scripts/bench/capture-overhead.sh}). The real sinks see nothing of this: the records go to
 * another dispatcher, whose counters are returned and then dropped.
 *
 * <p>The records mimic what the kernel sends for keep-alive HTTP: per connection an open and an
 * established event, then small request/response data events, then a close; they come from a direct
 * little-endian buffer like the mapped ring, so the compiled code is the one the reader will run.
 */
public final class DecodePathWarmup {

    /** What a warm-up did. */
    public record Result(long recordsDispatched, long recordsDecoded, Duration elapsed) {
    }

    private static final int TGID = 1;
    private static final int DATA_PER_CONNECTION = 64;
    private static final int PAYLOAD_BYTES = 64;
    private static final int BATCH = 1024;
    private static final int QUEUE_BYTES = 1 << 20;

    private DecodePathWarmup() {
    }

    /**
     * Dispatches {@code records} synthetic records, in batches that the worker drains before the next
     * one is queued, or stops early at {@code timeLimit} (after one batch at least). Returns once the
     * worker has decoded what was queued and stopped.
     */
    public static Result run(int records, Duration timeLimit) {
        DiscardingSink sink = new DiscardingSink();
        EventDispatcher dispatcher = new EventDispatcher(1, QUEUE_BYTES, worker -> sink, RoleResolver.NONE,
                ProcessEventListener.NONE, library -> "");
        ByteBuffer record = ByteBuffer.allocateDirect(DATA_SIZE + PAYLOAD_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        long start = System.nanoTime();
        long deadline = start + timeLimit.toNanos();
        long dispatched = 0;
        dispatcher.start();
        try {
            do {
                for (int i = 0; i < BATCH && dispatched < records; i++, dispatched++) {
                    int length = writeRecord(record, dispatched);
                    dispatcher.onRecord(record, 0, length);
                }
                dispatcher.endOfDrain();
                awaitIdle(dispatcher, deadline);
            } while (dispatched < records && System.nanoTime() < deadline);
        } finally {
            closeQuietly(dispatcher);
        }
        return new Result(dispatched, dispatcher.workerCounters().get(0).dataEvents() + sink.others,
                Duration.ofNanos(System.nanoTime() - start));
    }

    /* The n-th record of the synthetic stream: open, established, data..., close per connection. */
    private static int writeRecord(ByteBuffer b, long n) {
        int connection = (int) (n / (DATA_PER_CONNECTION + 3));
        int step = (int) (n % (DATA_PER_CONNECTION + 3));
        int fd = 100 + connection % 32;
        b.putInt(HEADER_TYPE, step == 0 ? TYPE_OPEN : step == 1 ? TYPE_ESTABLISHED
                : step == DATA_PER_CONNECTION + 2 ? TYPE_CLOSE : TYPE_DATA);
        b.putInt(HEADER_TGID, TGID);
        b.putInt(HEADER_TID, TGID);
        b.putInt(HEADER_FD, fd);
        b.putLong(HEADER_TIMESTAMP_NS, n);
        b.putLong(HEADER_GENERATION, connection + 1L);
        if (step == 0) {
            writeEndpoints(b, OPEN_ENDS);
            b.put(OPEN_ROLE, (byte) 2);
            b.putInt(OPEN_FLAGS, 0);
            return OPEN_SIZE;
        }
        if (step == 1) {
            b.put(ESTABLISHED_ROLE, (byte) 2);
            return ESTABLISHED_SIZE;
        }
        if (step == DATA_PER_CONNECTION + 2) {
            return CLOSE_SIZE;
        }
        writeEndpoints(b, DATA_ENDS);
        b.putInt(DATA_TCP_SEQ, step * PAYLOAD_BYTES);
        b.putInt(DATA_BYTE_COUNT, PAYLOAD_BYTES);
        b.putInt(DATA_PAYLOAD_LEN, PAYLOAD_BYTES);
        b.put(DATA_DIRECTION, (byte) (step & 1));
        b.put(DATA_ROLE, (byte) 2);
        b.putInt(DATA_FLAGS, 0);
        for (int i = 0; i < PAYLOAD_BYTES; i++) {
            b.put(DATA_PAYLOAD + i, (byte) ('a' + i % 26));
        }
        return DATA_SIZE + PAYLOAD_BYTES;
    }

    private static void writeEndpoints(ByteBuffer b, int ends) {
        for (int i = 0; i < ADDRESS_BYTES; i++) {
            b.put(ends + ENDS_LOCAL_ADDR + i, (byte) 0);
            b.put(ends + ENDS_REMOTE_ADDR + i, (byte) 0);
        }
        b.put(ends + ENDS_LOCAL_ADDR, (byte) 127).put(ends + ENDS_LOCAL_ADDR + 3, (byte) 1);
        b.put(ends + ENDS_REMOTE_ADDR, (byte) 127).put(ends + ENDS_REMOTE_ADDR + 3, (byte) 1);
        b.putShort(ends + ENDS_LOCAL_PORT, (short) 8080);
        b.putShort(ends + ENDS_REMOTE_PORT, (short) 40000);
        b.putShort(ends + ENDS_FAMILY, (short) 2);
    }

    private static void awaitIdle(EventDispatcher dispatcher, long deadline) {
        while (!dispatcher.isIdle() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    private static void closeQuietly(EventDispatcher dispatcher) {
        try {
            dispatcher.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Counts what is not a data event (data events are counted by the worker). */
    private static final class DiscardingSink implements CaptureEventSink {
        private long others;

        @Override
        public void onOpen(ConnectionOpenEvent event) {
            others++;
        }

        @Override
        public void onEstablished(ConnectionEstablishedEvent event) {
            others++;
        }

        @Override
        public void onData(DataEvent event) {
        }

        @Override
        public void onClose(ConnectionCloseEvent event) {
            others++;
        }
    }
}
