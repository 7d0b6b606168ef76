package io.spanscope.capture.ringbuf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Drain throughput of {@link RingBufferReader} (no decoding). The ring is a memfd mapped exactly like
 * a BPF ring buffer (consumer page, producer page, data mapped twice). Every record header of one lap
 * is written once, committed; each operation plays the kernel by moving the producer position one
 * lap ahead (a single store), and the reader drains the lap through its real code path: acquire
 * loads, header checks, handler call, release store of the consumer position per record.
 *
 * <p>Run: {@code java -cp <test classpath> org.openjdk.jmh.Main RingBufferReaderBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RingBufferReaderBenchmark {

    private static final int RING_BYTES = 1 << 20;
    /* 8-byte ring header + 120 bytes: a data event header (104) with 16 payload bytes */
    private static final int RECORD_BYTES = 128;
    private static final int PAYLOAD_BYTES = RECORD_BYTES - 8;
    private static final int RECORDS_PER_LAP = RING_BYTES / RECORD_BYTES;

    private RingBufferMapping ring;
    private RingBufferReader reader;
    private ByteBuffer producerPosition;
    private long produced;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        ring = RingBufferMapping.anonymous(RING_BYTES);
        ByteBuffer data = ring.data().getByteBuffer(0, RING_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < RECORDS_PER_LAP; i++) {
            data.putInt(i * RECORD_BYTES, PAYLOAD_BYTES);
        }
        producerPosition = ring.producerPage().getByteBuffer(0, 8).order(ByteOrder.LITTLE_ENDIAN);
        reader = new RingBufferReader(ring, -1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ring.close();
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS_PER_LAP)
    public int drainOneLap(Blackhole blackhole) {
        produced += RING_BYTES;
        producerPosition.putLong(0, produced);
        return reader.drain((buffer, offset, length) -> blackhole.consume(offset + length));
    }
}
