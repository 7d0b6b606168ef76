package io.spanscope.capture.file;

import io.spanscope.capture.event.CaptureClock;
import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.DataSource;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.capture.event.Role;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Replays a recorded event file ({@link EventFileFormat}) into a {@link CaptureEventSink}, in recorded
 * order, on the caller's thread. {@link #open} checks the header and throws
 * {@link EventFileFormatException} when it is not an event file; a corrupt record later stops the replay,
 * counted in {@link EventFileStats}. Data events go through one reused {@link DataEvent}.
 */
public final class EventFileReader implements Closeable {

    private final InputStream in;
    private final CaptureClock clock;
    private final long recordingStartedEpochNs;
    private final byte[] prefix = new byte[EventFileFormat.RECORD_PREFIX_BYTES];
    private byte[] body = new byte[4096];
    private final byte[] localAddress = new byte[16];
    private final byte[] remoteAddress = new byte[16];
    private final DataEvent event = new DataEvent();
    private boolean consumed;

    private EventFileReader(InputStream in) throws IOException {
        this.in = in;
        byte[] header = new byte[EventFileFormat.HEADER_BYTES];
        int n = in.readNBytes(header, 0, header.length);
        if (n < EventFileFormat.MAGIC.length
                || !Arrays.equals(header, 0, EventFileFormat.MAGIC.length, EventFileFormat.MAGIC, 0, EventFileFormat.MAGIC.length)) {
            throw new EventFileFormatException("not a spanscope event file: bad magic");
        }
        if (n < header.length) {
            throw new EventFileFormatException("event file header truncated: " + n + " of " + header.length + " bytes");
        }
        ByteBuffer h = ByteBuffer.wrap(header);
        int version = Short.toUnsignedInt(h.getShort(8));
        int headerLength = Short.toUnsignedInt(h.getShort(10));
        if (version != EventFileFormat.VERSION) {
            throw new EventFileFormatException("unsupported event file version " + version);
        }
        if (headerLength < EventFileFormat.HEADER_BYTES) {
            throw new EventFileFormatException("event file header length " + headerLength + " is too short");
        }
        // later versions may extend the header: skip what this version does not know
        try {
            in.skipNBytes(headerLength - EventFileFormat.HEADER_BYTES);
        } catch (java.io.EOFException e) {
            throw new EventFileFormatException("event file header truncated");
        }
        this.clock = new CaptureClock(h.getLong(12));
        this.recordingStartedEpochNs = h.getLong(20);
    }

    public static EventFileReader open(Path file) throws IOException {
        InputStream stream = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            return new EventFileReader(stream);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    public static EventFileReader from(InputStream stream) throws IOException {
        return new EventFileReader(stream instanceof BufferedInputStream ? stream : new BufferedInputStream(stream, 1 << 16));
    }

    /** The recorded source's clock: event timestamps plus its offset are epoch nanoseconds. */
    public CaptureClock clock() {
        return clock;
    }

    public long recordingStartedEpochNs() {
        return recordingStartedEpochNs;
    }

    /** Replays every record into {@code sink}; runs once. */
    public EventFileStats read(CaptureEventSink sink) throws IOException {
        if (consumed) {
            throw new IllegalStateException("an EventFileReader reads its file once");
        }
        consumed = true;
        long opens = 0;
        long established = 0;
        long data = 0;
        long closes = 0;
        long payloadBytes = 0;
        long unknown = 0;
        long corrupt = 0;
        boolean truncated = false;
        while (true) {
            int n = in.readNBytes(prefix, 0, prefix.length);
            if (n < prefix.length) {
                truncated = n > 0;
                break;
            }
            int type = prefix[0] & 0xFF;
            long length = Integer.toUnsignedLong(ByteBuffer.wrap(prefix).getInt(1));
            if (length > EventFileFormat.MAX_BODY_BYTES) {
                corrupt++;
                break;
            }
            if (!readBody((int) length)) {
                truncated = true;
                break;
            }
            Object decoded;
            try {
                decoded = decode(type, ByteBuffer.wrap(body, 0, (int) length));
            } catch (CorruptRecord | BufferUnderflowException | IllegalArgumentException e) {
                corrupt++;
                break;
            }
            // dispatch outside the decoding guard: a sink's own exception is not a corrupt record
            if (decoded instanceof DataEvent d) {
                sink.onData(d);
                data++;
                payloadBytes += d.payloadLength();
            } else if (decoded instanceof ConnectionOpenEvent o) {
                sink.onOpen(o);
                opens++;
            } else if (decoded instanceof ConnectionEstablishedEvent e) {
                sink.onEstablished(e);
                established++;
            } else if (decoded instanceof ConnectionCloseEvent c) {
                sink.onClose(c);
                closes++;
            } else {
                unknown++;
            }
        }
        return new EventFileStats(opens, established, data, closes, payloadBytes, unknown, corrupt, truncated);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** The event of a record, or null for a type this version does not know. */
    private Object decode(int type, ByteBuffer b) throws IOException {
        return switch (type) {
            case EventFileFormat.TYPE_OPEN -> open(b);
            case EventFileFormat.TYPE_ESTABLISHED -> established(b);
            case EventFileFormat.TYPE_DATA -> data(b);
            case EventFileFormat.TYPE_CLOSE -> close(b);
            default -> null;
        };
    }

    private boolean readBody(int length) throws IOException {
        if (body.length < length) {
            body = new byte[Math.max(length, Math.min(body.length * 2, EventFileFormat.MAX_BODY_BYTES))];
        }
        return in.readNBytes(body, 0, length) == length;
    }

    private ConnectionOpenEvent open(ByteBuffer b) throws IOException {
        ConnectionId id = id(b);
        int tid = b.getInt();
        long timestamp = b.getLong();
        Role role = check(EventFileFormat.role(b.get()));
        Endpoint local = endpoint(b);
        Endpoint remote = endpoint(b);
        boolean joined = b.get() != 0;
        long cgroup = b.getLong();
        end(b);
        return new ConnectionOpenEvent(id, tid, timestamp, role, local, remote, joined, cgroup);
    }

    private ConnectionEstablishedEvent established(ByteBuffer b) {
        ConnectionId id = id(b);
        Role role = check(EventFileFormat.role(b.get()));
        ConnectionEstablishedEvent e = new ConnectionEstablishedEvent(id, role, b.getLong(), b.getLong(), b.getLong());
        end(b);
        return e;
    }

    private ConnectionCloseEvent close(ByteBuffer b) {
        ConnectionCloseEvent e = new ConnectionCloseEvent(id(b), b.getInt(), b.getLong(), b.getLong(), b.getLong());
        end(b);
        return e;
    }

    private DataEvent data(ByteBuffer b) {
        int tgid = b.getInt();
        int tid = b.getInt();
        int fd = b.getInt();
        long generation = b.getLong();
        long timestamp = b.getLong();
        Direction direction = check(EventFileFormat.direction(b.get()));
        Role role = check(EventFileFormat.role(b.get()));
        DataSource source = check(EventFileFormat.source(b.get()));
        boolean ipv6 = (b.get() & EventFileFormat.FLAG_IPV6) != 0;
        b.get(localAddress).get(remoteAddress);
        int localPort = Short.toUnsignedInt(b.getShort());
        int remotePort = Short.toUnsignedInt(b.getShort());
        long cgroup = b.getLong();
        int sequence = b.getInt();
        int byteCount = b.getInt();
        int payloadLength = b.getInt();
        if (payloadLength < 0 || payloadLength != b.remaining() || Integer.compareUnsigned(payloadLength, byteCount) > 0) {
            throw new CorruptRecord();
        }
        return event.setConnection(tgid, tid, fd, generation)
                .setTimestampNs(timestamp)
                .setDirection(direction)
                .setRole(role)
                .setSource(source)
                .setCgroupId(cgroup)
                .setEndpoints(ipv6, localAddress, 0, localPort, remoteAddress, 0, remotePort)
                .setRange(sequence, byteCount)
                .setPayload(body, b.position(), payloadLength);
    }

    private static ConnectionId id(ByteBuffer b) {
        return new ConnectionId(b.getInt(), b.getInt(), b.getLong());
    }

    private static Endpoint endpoint(ByteBuffer b) throws IOException {
        int length = b.get() & 0xFF;
        if (length != 4 && length != 16) {
            throw new CorruptRecord();
        }
        byte[] address = new byte[length];
        b.get(address);
        return new Endpoint(InetAddress.getByAddress(address), Short.toUnsignedInt(b.getShort()));
    }

    private static <T> T check(T decoded) {
        if (decoded == null) {
            throw new CorruptRecord();
        }
        return decoded;
    }

    private static void end(ByteBuffer b) {
        if (b.hasRemaining()) {
            throw new CorruptRecord();
        }
    }

    /** A record whose fields contradict its length or the format. */
    private static final class CorruptRecord extends RuntimeException {
        CorruptRecord() {
            super(null, null, false, false);
        }
    }
}
