package io.spanscope.capture.dispatch;

import static io.spanscope.capture.ringbuf.EventLayout.*;

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
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns ring-buffer records (the structs of socket_trace.h) into calls on one worker's sink. Data
 * events go through one reused {@link DataEvent} whose payload points into the queue's buffer.
 * Bad records are counted and skipped; nothing thrown by the sink escapes.
 *
 * <p>Connections joined mid-stream arrive with role UNKNOWN; the decoder asks the {@link RoleResolver}
 * once at their open and stamps the answer on their later events (bounded memory of such roles).
 */
public final class EventDecoder implements SpscByteQueue.RecordConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(EventDecoder.class);
    private static final int MAX_REMEMBERED_ROLES = 65_536;
    private static final Role[] ROLES = Role.values();

    private final CaptureEventSink sink;
    private final RoleResolver roleResolver;
    private final WorkerCounters counters;
    private final IntFunction<String> tlsLibraryNames;
    private final DataEvent data = new DataEvent().setSource(DataSource.SOCKET);
    private final Map<Long, long[]> joinedRoles = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, long[]> eldest) {
            return size() > MAX_REMEMBERED_ROLES;
        }
    };

    /** @param tlsLibraryNames names of the files the TLS uprobes are attached to, by the id the kernel reports */
    public EventDecoder(CaptureEventSink sink, RoleResolver roleResolver, WorkerCounters counters,
                        IntFunction<String> tlsLibraryNames) {
        this.sink = sink;
        this.tlsLibraryNames = tlsLibraryNames;
        this.roleResolver = roleResolver;
        this.counters = counters;
    }

    @Override
    public void accept(byte[] b, int offset, int length) {
        if (length < HEADER_SIZE) {
            counters.add(WorkerCounters.MALFORMED, 1);
            return;
        }
        try {
            switch (LittleEndian.i32(b, offset + HEADER_TYPE)) {
                case TYPE_DATA -> decodeData(b, offset, length);
                case TYPE_OPEN -> decodeOpen(b, offset, length);
                case TYPE_CLOSE -> decodeClose(b, offset, length);
                case TYPE_ESTABLISHED -> decodeEstablished(b, offset, length);
                default -> counters.add(WorkerCounters.MALFORMED, 1);
            }
        } catch (RuntimeException e) {
            // the first failure is shown in full: a sink that throws is a bug, and a silent count hides it
            if (counters.get(WorkerCounters.SINK_FAILURES) == 0) {
                LOG.warn("sink failed on an event (further failures are only counted)", e);
            } else {
                LOG.debug("sink failed on an event", e);
            }
            counters.add(WorkerCounters.SINK_FAILURES, 1);
        }
    }

    private void decodeData(byte[] b, int o, int length) {
        int payloadLength = LittleEndian.i32(b, o + DATA_PAYLOAD_LEN);
        int byteCount = LittleEndian.i32(b, o + DATA_BYTE_COUNT);
        if (length < DATA_SIZE || payloadLength < 0 || payloadLength > length - DATA_PAYLOAD
                || Integer.compareUnsigned(payloadLength, byteCount) > 0) {
            counters.add(WorkerCounters.MALFORMED, 1);
            return;
        }
        int tgid = LittleEndian.i32(b, o + HEADER_TGID);
        int fd = LittleEndian.i32(b, o + HEADER_FD);
        long generation = LittleEndian.i64(b, o + HEADER_GENERATION);
        int ends = o + DATA_ENDS;
        Role role = role(LittleEndian.u8(b, o + DATA_ROLE));
        if (role == Role.UNKNOWN) {
            role = rememberedRole(tgid, fd, generation);
        }
        data.setConnection(tgid, LittleEndian.i32(b, o + HEADER_TID), fd, generation)
                .setTimestampNs(LittleEndian.i64(b, o + HEADER_TIMESTAMP_NS))
                .setDirection(LittleEndian.u8(b, o + DATA_DIRECTION) == 0 ? Direction.EGRESS : Direction.INGRESS)
                .setRole(role)
                .setCgroupId(LittleEndian.i64(b, o + DATA_CGROUP_ID))
                .setEndpoints(LittleEndian.u16(b, ends + ENDS_FAMILY) == AF_INET6,
                        b, ends + ENDS_LOCAL_ADDR, LittleEndian.u16(b, ends + ENDS_LOCAL_PORT),
                        b, ends + ENDS_REMOTE_ADDR, LittleEndian.u16(b, ends + ENDS_REMOTE_PORT))
                .setRange(LittleEndian.i32(b, o + DATA_TCP_SEQ), byteCount)
                .setPayload(b, o + DATA_PAYLOAD, payloadLength);
        int flags = LittleEndian.i32(b, o + DATA_FLAGS);
        data.setSequenceKnown((flags & FLAG_SEQUENCE_UNKNOWN) == 0);
        long stampGeneration = LittleEndian.i64(b, o + DATA_CAUSE_GENERATION);
        int stampSequence = LittleEndian.i32(b, o + DATA_CAUSE_SEQ);
        if ((flags & FLAG_COMPLETION) != 0) {
            data.setCause(0, 0).setCompletedCall(stampGeneration, stampSequence);
        } else {
            data.setCause(stampGeneration, stampSequence).setCompletedCall(0, 0);
        }
        long clientWakeupAgeNs = Integer.toUnsignedLong(LittleEndian.i32(b, o + DATA_CLIENT_WAKEUP_AGE));
        data.setClientWokenNs(clientWakeupAgeNs == 0 ? 0 : data.timestampNs() - clientWakeupAgeNs);
        if ((flags & FLAG_TLS) != 0) {
            data.setSource(DataSource.TLS).setTlsLibrary(tlsLibraryNames.apply(LittleEndian.i32(b, o + DATA_TLS_LIBRARY)));
            counters.add(WorkerCounters.TLS_DATA, 1);
        } else {
            data.setSource(DataSource.SOCKET).setTlsLibrary(null);
        }
        counters.add(WorkerCounters.DATA, 1);
        counters.add(WorkerCounters.CAPTURED_BYTES, payloadLength);
        sink.onData(data);
    }

    private void decodeOpen(byte[] b, int o, int length) {
        if (length < OPEN_SIZE) {
            counters.add(WorkerCounters.MALFORMED, 1);
            return;
        }
        ConnectionId id = connectionId(b, o);
        int ends = o + OPEN_ENDS;
        Endpoint local = endpoint(b, ends, ENDS_LOCAL_ADDR, ENDS_LOCAL_PORT);
        Endpoint remote = endpoint(b, ends, ENDS_REMOTE_ADDR, ENDS_REMOTE_PORT);
        boolean joined = (LittleEndian.i32(b, o + OPEN_FLAGS) & FLAG_JOINED_MID_STREAM) != 0;
        Role role = role(LittleEndian.u8(b, o + OPEN_ROLE));
        if (joined && role == Role.UNKNOWN) {
            role = roleResolver.inferRole(id.tgid(), local.port(), remote.port());
            if (role != Role.UNKNOWN) {
                joinedRoles.put(key(id.tgid(), id.fd()), new long[] {id.generation(), role.ordinal()});
            }
        }
        counters.add(WorkerCounters.OPEN, 1);
        sink.onOpen(new ConnectionOpenEvent(id, LittleEndian.i32(b, o + HEADER_TID),
                LittleEndian.i64(b, o + HEADER_TIMESTAMP_NS), role, local, remote, joined,
                LittleEndian.i64(b, o + OPEN_CGROUP_ID)));
    }

    private void decodeClose(byte[] b, int o, int length) {
        if (length < CLOSE_SIZE) {
            counters.add(WorkerCounters.MALFORMED, 1);
            return;
        }
        ConnectionId id = connectionId(b, o);
        joinedRoles.remove(key(id.tgid(), id.fd()));
        counters.add(WorkerCounters.CLOSE, 1);
        sink.onClose(new ConnectionCloseEvent(id, LittleEndian.i32(b, o + HEADER_TID),
                LittleEndian.i64(b, o + HEADER_TIMESTAMP_NS),
                LittleEndian.i64(b, o + CLOSE_BYTES_SENT), LittleEndian.i64(b, o + CLOSE_BYTES_RECEIVED)));
    }

    private void decodeEstablished(byte[] b, int o, int length) {
        if (length < ESTABLISHED_SIZE) {
            counters.add(WorkerCounters.MALFORMED, 1);
            return;
        }
        counters.add(WorkerCounters.ESTABLISHED, 1);
        sink.onEstablished(new ConnectionEstablishedEvent(connectionId(b, o),
                role(LittleEndian.u8(b, o + ESTABLISHED_ROLE)),
                LittleEndian.i64(b, o + ESTABLISHED_SYN_SENT_NS),
                LittleEndian.i64(b, o + ESTABLISHED_ESTABLISHED_NS),
                LittleEndian.i64(b, o + ESTABLISHED_ACCEPTED_NS)));
    }

    private Role rememberedRole(int tgid, int fd, long generation) {
        long[] remembered = joinedRoles.get(key(tgid, fd));
        return remembered != null && remembered[0] == generation ? ROLES[(int) remembered[1]] : Role.UNKNOWN;
    }

    private static ConnectionId connectionId(byte[] b, int o) {
        return new ConnectionId(LittleEndian.i32(b, o + HEADER_TGID), LittleEndian.i32(b, o + HEADER_FD),
                LittleEndian.i64(b, o + HEADER_GENERATION));
    }

    private static Endpoint endpoint(byte[] b, int ends, int addressOffset, int portOffset) {
        boolean ipv6 = LittleEndian.u16(b, ends + ENDS_FAMILY) == AF_INET6;
        int start = ends + addressOffset;
        byte[] raw = Arrays.copyOfRange(b, start, start + (ipv6 ? ADDRESS_BYTES : 4));
        try {
            return new Endpoint(InetAddress.getByAddress(raw), LittleEndian.u16(b, ends + portOffset));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of fixed length rejected", e);
        }
    }

    private static Role role(int value) {
        return value < ROLES.length ? ROLES[value] : Role.UNKNOWN;
    }

    private static long key(int tgid, int fd) {
        return (long) tgid << 32 | (fd & 0xffffffffL);
    }
}
