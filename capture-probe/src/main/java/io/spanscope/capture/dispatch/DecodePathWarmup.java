package io.spanscope.capture.dispatch;

import static io.spanscope.capture.ringbuf.EventLayout.*;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.ringbuf.RingBufferMapping;
import io.spanscope.capture.ringbuf.RingBufferReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs synthetic records through the whole per-record path before the probes are attached: written into
 * an anonymous ring laid out like the kernel's, drained by a {@link RingBufferReader} into a throw-away
 * {@link EventDispatcher} (its own queue, worker thread, decoder and a sink that discards). The JIT has
 * then compiled the reader, the dispatch, the queue copy and the decoder when the first real events
 * arrive.
 *
 * <p>Why: a capture started under load used to spend its first second running that path in the
 * interpreter while the worker queue overflowed (≈ 140 000 events lost at 100 000 requests/s in
 * {@code scripts/bench/capture-overhead.sh}). The real sinks see nothing of this: the records go to
 * another dispatcher, whose counters are returned and then dropped.
 *
 * <p>The records mimic what the kernel sends for keep-alive HTTP: per connection an open and an
 * established event, then small request/response data events, then a close. They are read from a
 * memfd ring mapped like the kernel's, so the compiled code is the one the reader will run.
 */
public final class DecodePathWarmup {

    private static final Logger LOG = LoggerFactory.getLogger(DecodePathWarmup.class);

    /** What a warm-up did; all zero when no ring could be mapped (nothing warmed). */
    public record Result(long recordsDispatched, long recordsDecoded, Duration elapsed) {
    }

    private static final int TGID = 1;
    private static final int DATA_PER_CONNECTION = 64;
    private static final int PAYLOAD_BYTES = 64;
    private static final int BATCH = 1024;
    private static final int RING_BYTES = 1 << 20;
    private static final int QUEUE_BYTES = 1 << 20;
    private static final int RING_HEADER_BYTES = 8;

    private DecodePathWarmup() {
    }

    /**
     * Runs {@code records} synthetic records, in batches that the worker drains before the next one is
     * written, or stops early at {@code timeLimit} (after one batch at least). Returns once the worker
     * has decoded what was read and stopped.
     */
    public static Result run(int records, Duration timeLimit) {
        long start = System.nanoTime();
        try (RingBufferMapping ring = RingBufferMapping.anonymous(RING_BYTES)) {
            return run(ring, records, start + timeLimit.toNanos(), start);
        } catch (IOException e) {
            LOG.warn("decode path not warmed up: {}", e.getMessage());
            return new Result(0, 0, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private static Result run(RingBufferMapping ring, int records, long deadline, long start) {
        DiscardingSink sink = new DiscardingSink();
        EventDispatcher dispatcher = new EventDispatcher(1, QUEUE_BYTES, worker -> sink, RoleResolver.NONE,
                ProcessEventListener.NONE, library -> "");
        RingBufferReader reader = new RingBufferReader(ring, -1);
        ByteBuffer producerPosition = ring.producerPage().getByteBuffer(0, 8).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer data = ring.data().getByteBuffer(0, 2 * ring.dataSize()).order(ByteOrder.LITTLE_ENDIAN);
        long mask = ring.dataSize() - 1;
        long produced = 0;
        long written = 0;
        dispatcher.start();
        try {
            do {
                for (int i = 0; i < BATCH && written < records; i++, written++) {
                    int at = (int) (produced & mask);
                    int length = writeRecord(data, at + RING_HEADER_BYTES, written);
                    data.putInt(at, length).putInt(at + 4, 0);
                    produced += (RING_HEADER_BYTES + length + 7) & ~7L;
                }
                producerPosition.putLong(0, produced);
                reader.drain(dispatcher);
                dispatcher.endOfDrain();
                awaitIdle(dispatcher, deadline);
            } while (written < records && System.nanoTime() < deadline);
        } finally {
            closeQuietly(dispatcher);
        }
        return new Result(dispatcher.recordsRead(), dispatcher.workerCounters().get(0).dataEvents() + sink.others,
                Duration.ofNanos(System.nanoTime() - start));
    }

    /* The n-th record of the synthetic stream, at base: open, established, data..., close per connection. */
    private static int writeRecord(ByteBuffer b, int base, long n) {
        int connection = (int) (n / (DATA_PER_CONNECTION + 3));
        int step = (int) (n % (DATA_PER_CONNECTION + 3));
        int fd = 100 + connection % 32;
        b.putInt(base + HEADER_TYPE, step == 0 ? TYPE_OPEN : step == 1 ? TYPE_ESTABLISHED
                : step == DATA_PER_CONNECTION + 2 ? TYPE_CLOSE : TYPE_DATA);
        b.putInt(base + HEADER_TGID, TGID);
        b.putInt(base + HEADER_TID, TGID);
        b.putInt(base + HEADER_FD, fd);
        b.putLong(base + HEADER_TIMESTAMP_NS, n);
        b.putLong(base + HEADER_GENERATION, connection + 1L);
        if (step == 0) {
            writeEndpoints(b, base + OPEN_ENDS);
            b.putLong(base + OPEN_CGROUP_ID, 0);
            b.put(base + OPEN_ROLE, (byte) 2);
            b.putInt(base + OPEN_FLAGS, 0);
            return OPEN_SIZE;
        }
        if (step == 1) {
            b.putLong(base + ESTABLISHED_SYN_SENT_NS, 0);
            b.putLong(base + ESTABLISHED_ESTABLISHED_NS, n);
            b.putLong(base + ESTABLISHED_ACCEPTED_NS, n);
            b.put(base + ESTABLISHED_ROLE, (byte) 2);
            return ESTABLISHED_SIZE;
        }
        if (step == DATA_PER_CONNECTION + 2) {
            b.putLong(base + CLOSE_BYTES_SENT, 0);
            b.putLong(base + CLOSE_BYTES_RECEIVED, 0);
            return CLOSE_SIZE;
        }
        writeEndpoints(b, base + DATA_ENDS);
        b.putLong(base + DATA_CGROUP_ID, 0);
        b.putInt(base + DATA_TCP_SEQ, step * PAYLOAD_BYTES);
        b.putInt(base + DATA_BYTE_COUNT, PAYLOAD_BYTES);
        b.putInt(base + DATA_PAYLOAD_LEN, PAYLOAD_BYTES);
        b.put(base + DATA_DIRECTION, (byte) (step & 1));
        b.put(base + DATA_ROLE, (byte) 2);
        b.putInt(base + DATA_FLAGS, 0);
        b.putInt(base + DATA_CAUSE_SEQ, 0);
        b.putLong(base + DATA_CAUSE_GENERATION, 0);
        b.putInt(base + DATA_TLS_LIBRARY, 0);
        b.putInt(base + DATA_CLIENT_WAKEUP_AGE, 0);
        for (int i = 0; i < PAYLOAD_BYTES; i++) {
            b.put(base + DATA_PAYLOAD + i, (byte) ('a' + i % 26));
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
