package io.spanscope.capture.pcap;

import io.spanscope.capture.event.CaptureClock;
import io.spanscope.capture.event.CaptureEventSink;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a pcap or pcapng capture and replays its TCP connections as capture events, the same events the
 * live probe produces ({@link io.spanscope.capture.event}), with {@code DataSource.PCAP} and epoch
 * nanosecond timestamps ({@link CaptureClock#WALL}).
 *
 * <pre>{@code
 * try (PcapReader reader = PcapReader.open(path)) {
 *     PcapStats stats = reader.read(sink);
 * }
 * }</pre>
 *
 * <p>{@link #open} checks the file header at once and throws {@link PcapFormatException} for anything that
 * is not a capture; later damage is counted in {@link PcapStats}. The file is streamed: memory is bounded
 * by the buffer (one packet) plus, per tracked connection, its held out-of-order bytes. Not thread-safe;
 * {@link #read} runs once, on the caller's thread, and calls the sink on it.
 *
 * <p>Synthetic identity (see {@link Views}): every connection gets a number {@code n} from 1 in order of
 * appearance; its client view is {@code ConnectionId(0, n, 0)}, its server view {@code ConnectionId(0, n, 1)};
 * thread ids and cgroup ids are 0.
 */
public final class PcapReader implements Closeable {

    /** Which container the file uses. */
    public enum Format { PCAP, PCAPNG }

    /** Room for a pcapng block's header, trailer and options around a packet of the maximal size. */
    private static final int BLOCK_OVERHEAD_BYTES = 64 * 1024;

    private final ReadableByteChannel channel;
    private final Options options;
    private final PcapCounters counters = new PcapCounters();
    private final ByteInput input;
    private final PacketRecordReader records;
    private final Format format;
    private boolean consumed;

    private PcapReader(ReadableByteChannel channel, Options options) throws IOException {
        this.channel = channel;
        this.options = options;
        this.input = new ByteInput(channel, options.maxPacketBytes + BLOCK_OVERHEAD_BYTES);
        if (!input.require(4)) {
            throw new PcapFormatException("not a capture file: " + input.available() + " bytes");
        }
        if (ByteOrderReads.i32be(input.buffer(), input.position()) == PcapngRecordReader.SECTION_HEADER_BLOCK) {
            this.format = Format.PCAPNG;
            this.records = PcapngRecordReader.open(input, counters);
        } else {
            this.format = Format.PCAP;
            this.records = ClassicPcapRecordReader.open(input, counters, options.maxPacketBytes);
        }
    }

    /** Opens a file with default options (both views, default bounds). */
    public static PcapReader open(Path file) throws IOException {
        return builder().open(file);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Format format() {
        return format;
    }

    /** Timestamps are epoch nanoseconds already. */
    public CaptureClock clock() {
        return CaptureClock.WALL;
    }

    /**
     * Streams every packet of the file into {@code sink}, then closes the connections still open at its end.
     *
     * @throws IllegalStateException when called a second time
     */
    public PcapStats read(CaptureEventSink sink) throws IOException {
        if (consumed) {
            throw new IllegalStateException("a PcapReader reads its file once");
        }
        consumed = true;
        EventEmitter emitter = new EventEmitter(sink, options.views, counters);
        ConnectionTable table = new ConnectionTable(counters, emitter, options.maxTrackedConnections,
                options.maxHeldBytesPerDirection, options.maxHeldSegmentsPerDirection);
        PacketDecoder decoder = new PacketDecoder(counters);
        PacketRecord record = new PacketRecord();
        TcpSegment segment = new TcpSegment();
        while (records.next(record)) {
            counters.packets++;
            if (decoder.decode(record, segment)) {
                table.onSegment(segment);
            }
        }
        table.closeAll();
        return PcapStats.of(counters);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private record Options(Views views, int maxTrackedConnections, int maxHeldBytesPerDirection,
                           int maxHeldSegmentsPerDirection, int maxPacketBytes) {
    }

    /** Options of a reader; every bound has a default fit for captures of a few GiB. */
    public static final class Builder {

        private Views views = Views.BOTH;
        private int maxTrackedConnections = 100_000;
        private int maxHeldBytesPerDirection = 1 << 20;
        private int maxHeldSegmentsPerDirection = 1024;
        private int maxPacketBytes = 262_144;

        private Builder() {
        }

        public Builder views(Views views) {
            this.views = java.util.Objects.requireNonNull(views, "views");
            return this;
        }

        /** Connections (open and recently closed) tracked at once; the least recently active beyond it is evicted. */
        public Builder maxTrackedConnections(int value) {
            this.maxTrackedConnections = positive(value, "maxTrackedConnections");
            return this;
        }

        /** Out-of-order bytes held per direction before the earliest missing range is declared a gap. */
        public Builder maxHeldBytesPerDirection(int value) {
            this.maxHeldBytesPerDirection = positive(value, "maxHeldBytesPerDirection");
            return this;
        }

        /** Out-of-order segments held per direction before the earliest missing range is declared a gap. */
        public Builder maxHeldSegmentsPerDirection(int value) {
            this.maxHeldSegmentsPerDirection = positive(value, "maxHeldSegmentsPerDirection");
            return this;
        }

        /** Largest captured packet accepted; larger records are corrupt (262144 is tcpdump's maximum snap length). */
        public Builder maxPacketBytes(int value) {
            this.maxPacketBytes = positive(value, "maxPacketBytes");
            return this;
        }

        public PcapReader open(Path file) throws IOException {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            try {
                return open(channel);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }

        /** Reads from any channel (a pipe, bytes in memory); the reader closes it. */
        public PcapReader open(ReadableByteChannel channel) throws IOException {
            return new PcapReader(channel, new Options(views, maxTrackedConnections, maxHeldBytesPerDirection,
                    maxHeldSegmentsPerDirection, maxPacketBytes));
        }

        private static int positive(int value, String name) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }
    }
}
