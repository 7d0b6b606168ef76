package io.spanscope.capture.file;

import io.spanscope.capture.event.CaptureClock;
import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Endpoint;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Records a capture event stream to a file ({@link EventFileFormat}), buffered.
 *
 * <p>Thread-safe: sources that call their sink from several workers may share one writer (each event is
 * written whole, under the writer's lock; per-connection order is the order of the calls). A sink
 * cannot throw, so the first write failure is kept: later events are counted in {@link #droppedEvents()}
 * and {@link #close()} throws the failure.
 */
public final class EventFileWriter implements CaptureEventSink, Closeable {

    private final DataOutputStream out;
    private final byte[] addressScratch = new byte[16];
    private long recordsWritten;
    private long droppedEvents;
    private IOException failure;
    private boolean closed;

    private EventFileWriter(OutputStream stream, CaptureClock clock) throws IOException {
        this.out = new DataOutputStream(new BufferedOutputStream(stream, 1 << 16));
        out.write(EventFileFormat.MAGIC);
        out.writeShort(EventFileFormat.VERSION);
        out.writeShort(EventFileFormat.HEADER_BYTES);
        out.writeLong(clock.wallClockOffsetNs());
        Instant now = Instant.now();
        out.writeLong(now.getEpochSecond() * 1_000_000_000L + now.getNano());
        out.writeInt(0);
    }

    /** Creates (or truncates) {@code file} and writes the header with the source's clock. */
    public static EventFileWriter create(Path file, CaptureClock clock) throws IOException {
        OutputStream stream = Files.newOutputStream(file);
        try {
            return new EventFileWriter(stream, clock);
        } catch (IOException e) {
            stream.close();
            throw e;
        }
    }

    /** Writes to any stream (which the writer closes). */
    public static EventFileWriter to(OutputStream stream, CaptureClock clock) throws IOException {
        return new EventFileWriter(stream, clock);
    }

    @Override
    public synchronized void onOpen(ConnectionOpenEvent e) {
        if (usable()) {
            try {
                int body = 16 + 4 + 8 + 1 + endpointBytes(e.local()) + endpointBytes(e.remote()) + 1 + 8;
                prefix(EventFileFormat.TYPE_OPEN, body);
                id(e.id());
                out.writeInt(e.tid());
                out.writeLong(e.timestampNs());
                out.writeByte(EventFileFormat.code(e.role()));
                endpoint(e.local());
                endpoint(e.remote());
                out.writeByte(e.joinedMidStream() ? 1 : 0);
                out.writeLong(e.cgroupId());
                recordsWritten++;
            } catch (IOException x) {
                fail(x);
            }
        }
    }

    @Override
    public synchronized void onEstablished(ConnectionEstablishedEvent e) {
        if (usable()) {
            try {
                prefix(EventFileFormat.TYPE_ESTABLISHED, 16 + 1 + 8 + 8 + 8);
                id(e.id());
                out.writeByte(EventFileFormat.code(e.role()));
                out.writeLong(e.synSentNs());
                out.writeLong(e.establishedNs());
                out.writeLong(e.acceptedNs());
                recordsWritten++;
            } catch (IOException x) {
                fail(x);
            }
        }
    }

    @Override
    public synchronized void onData(DataEvent e) {
        if (!usable()) {
            return;
        }
        if (e.payloadLength() > EventFileFormat.MAX_PAYLOAD_BYTES) {
            droppedEvents++;
            return;
        }
        try {
            prefix(EventFileFormat.TYPE_DATA, EventFileFormat.DATA_FIXED_BYTES + e.payloadLength());
            out.writeInt(e.tgid());
            out.writeInt(e.tid());
            out.writeInt(e.fd());
            out.writeLong(e.generation());
            out.writeLong(e.timestampNs());
            out.writeByte(EventFileFormat.code(e.direction()));
            out.writeByte(EventFileFormat.code(e.role()));
            out.writeByte(EventFileFormat.code(e.source()));
            out.writeByte(e.isIpv6() ? EventFileFormat.FLAG_IPV6 : 0);
            e.copyLocalAddress(addressScratch, 0);
            out.write(addressScratch);
            e.copyRemoteAddress(addressScratch, 0);
            out.write(addressScratch);
            out.writeShort(e.localPort());
            out.writeShort(e.remotePort());
            out.writeLong(e.cgroupId());
            out.writeInt(e.tcpSequence());
            out.writeInt(e.byteCount());
            out.writeInt(e.payloadLength());
            out.write(e.payload(), e.payloadOffset(), e.payloadLength());
            recordsWritten++;
        } catch (IOException x) {
            fail(x);
        }
    }

    @Override
    public synchronized void onClose(ConnectionCloseEvent e) {
        if (usable()) {
            try {
                prefix(EventFileFormat.TYPE_CLOSE, 16 + 4 + 8 + 8 + 8);
                id(e.id());
                out.writeInt(e.tid());
                out.writeLong(e.timestampNs());
                out.writeLong(e.bytesSent());
                out.writeLong(e.bytesReceived());
                recordsWritten++;
            } catch (IOException x) {
                fail(x);
            }
        }
    }

    public synchronized long recordsWritten() {
        return recordsWritten;
    }

    /** Events not written: after a write failure or close, or data over the format's payload limit. */
    public synchronized long droppedEvents() {
        return droppedEvents;
    }

    /** Pushes buffered records to the file. */
    public synchronized void flush() throws IOException {
        if (failure != null) {
            throw failure;
        }
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private boolean usable() {
        if (failure != null || closed) {
            droppedEvents++;
            return false;
        }
        return true;
    }

    private void fail(IOException e) {
        failure = e;
        droppedEvents++;
    }

    private void prefix(int type, int bodyLength) throws IOException {
        out.writeByte(type);
        out.writeInt(bodyLength);
    }

    private void id(ConnectionId id) throws IOException {
        out.writeInt(id.tgid());
        out.writeInt(id.fd());
        out.writeLong(id.generation());
    }

    private static int endpointBytes(Endpoint endpoint) {
        return 1 + endpoint.address().getAddress().length + 2;
    }

    private void endpoint(Endpoint endpoint) throws IOException {
        byte[] address = endpoint.address().getAddress();
        out.writeByte(address.length);
        out.write(address);
        out.writeShort(endpoint.port());
    }
}
