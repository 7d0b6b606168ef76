package io.spanscope.capture.event;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Bytes a traced process sent or received on a TCP connection: one chunk of one syscall.
 *
 * <p>The event stands for the stream range {@code [tcpSequence, tcpSequence + byteCount)} in its
 * direction. The first {@link #payloadLength()} bytes of that range are present in the payload; when the
 * capture cap cut the syscall short, {@code payloadLength < byteCount} and the rest is a hole of known
 * length ({@link #isTruncated()}), never silently missing.
 *
 * <p>Instances are mutable flyweights that sources reuse from one event to the next (to keep the hot
 * path free of allocation); consumers that keep an event past the callback take {@link #copy()}.
 */
public final class DataEvent {

    public static final int ADDRESS_BYTES = 16;

    private int tgid;
    private int tid;
    private int fd;
    private long generation;
    private long timestampNs;
    private Direction direction = Direction.EGRESS;
    private Role role = Role.UNKNOWN;
    private DataSource source = DataSource.SOCKET;
    private String tlsLibrary;
    private boolean ipv6;
    private final byte[] localAddress = new byte[ADDRESS_BYTES];
    private final byte[] remoteAddress = new byte[ADDRESS_BYTES];
    private int localPort;
    private int remotePort;
    private long cgroupId;
    private int tcpSequence;
    private boolean sequenceKnown = true;
    private int byteCount;
    private byte[] payload = new byte[0];
    private int payloadOffset;
    private int payloadLength;
    private long causeGeneration;
    private int causeSequence;
    private long completedCallGeneration;
    private int completedCallSequence;
    private long clientWokenNs;

    public DataEvent setConnection(int tgid, int tid, int fd, long generation) {
        this.tgid = tgid;
        this.tid = tid;
        this.fd = fd;
        this.generation = generation;
        return this;
    }

    public DataEvent setTimestampNs(long timestampNs) {
        this.timestampNs = timestampNs;
        return this;
    }

    public DataEvent setDirection(Direction direction) {
        this.direction = direction;
        return this;
    }

    public DataEvent setRole(Role role) {
        this.role = role;
        return this;
    }

    public DataEvent setSource(DataSource source) {
        this.source = source;
        return this;
    }

    /** For {@link DataSource#TLS} events, the file that supplied the plaintext (e.g. "libssl.so.3"); else null. */
    public DataEvent setTlsLibrary(String tlsLibrary) {
        this.tlsLibrary = tlsLibrary;
        return this;
    }

    public DataEvent setCgroupId(long cgroupId) {
        this.cgroupId = cgroupId;
        return this;
    }

    /**
     * Sets both endpoints. IPv4 addresses are passed in their 4 bytes at offset 0 of a 16-byte field
     * ({@code ipv6 == false}); IPv6 in all 16.
     */
    public DataEvent setEndpoints(boolean ipv6, byte[] local, int localOffset, int localPort,
                                  byte[] remote, int remoteOffset, int remotePort) {
        this.ipv6 = ipv6;
        int n = ipv6 ? ADDRESS_BYTES : 4;
        System.arraycopy(local, localOffset, this.localAddress, 0, n);
        System.arraycopy(remote, remoteOffset, this.remoteAddress, 0, n);
        this.localPort = localPort;
        this.remotePort = remotePort;
        return this;
    }

    /** The stream range this event stands for: TCP sequence number of its first byte, and its length. */
    public DataEvent setRange(int tcpSequence, int byteCount) {
        this.tcpSequence = tcpSequence;
        this.byteCount = byteCount;
        return this;
    }

    /**
     * Whether {@link #tcpSequence()} is the stream's own number for the first byte (the default). False only
     * for TLS plaintext whose record the capture could not find: the number then still orders the event's
     * bytes, but names no byte of the stream and must not pair this exchange with the peer's.
     */
    public DataEvent setSequenceKnown(boolean sequenceKnown) {
        this.sequenceKnown = sequenceKnown;
        return this;
    }

    /** Points at payload bytes without copying; {@code length <= byteCount}. */
    public DataEvent setPayload(byte[] bytes, int offset, int length) {
        this.payload = bytes;
        this.payloadOffset = offset;
        this.payloadLength = length;
        return this;
    }

    /**
     * The server request the writing thread worked on behalf of, as the kernel followed it across thread
     * wakeups: the generation of that server connection (of the same process) and the TCP sequence number of
     * the request's first byte. {@code generation == 0}: no cause known (the default; pcap sources never
     * know one).
     */
    public DataEvent setCause(long generation, int sequence) {
        this.causeGeneration = generation;
        this.causeSequence = sequence;
        return this;
    }

    /**
     * On the response of a server connection: the client call of the same process whose completion woke the
     * writing thread (the kernel followed the wakeups from the thread that read that call's response): the
     * generation of that client connection and the TCP sequence number of the first byte of the call's
     * response. {@code generation == 0}: none known (the default).
     */
    public DataEvent setCompletedCall(long generation, int responseSequence) {
        this.completedCallGeneration = generation;
        this.completedCallSequence = responseSequence;
        return this;
    }

    /**
     * On the first chunk of a server connection's response, written by the thread that read the request: when
     * (monotonic ns, the clock of {@link #timestampNs()}) a client thread of its process (one that has written
     * requests or read responses on client connections: an HTTP client's worker or selector) last woke it while
     * it served the request. The thread slept then, and a client's machinery ended the wait. 0 when the capture
     * knows no such wakeup (the default; pcap sources never know one).
     */
    public DataEvent setClientWokenNs(long clientWokenNs) {
        this.clientWokenNs = clientWokenNs;
        return this;
    }

    public int tgid() {
        return tgid;
    }

    public int tid() {
        return tid;
    }

    public int fd() {
        return fd;
    }

    public long generation() {
        return generation;
    }

    /** Allocates; prefer {@link #tgid()}, {@link #fd()}, {@link #generation()} on hot paths. */
    public ConnectionId connectionId() {
        return new ConnectionId(tgid, fd, generation);
    }

    public long timestampNs() {
        return timestampNs;
    }

    public Direction direction() {
        return direction;
    }

    public Role role() {
        return role;
    }

    public DataSource source() {
        return source;
    }

    /** The TLS library (file name) that supplied a {@link DataSource#TLS} event's plaintext; null otherwise. */
    public String tlsLibrary() {
        return tlsLibrary;
    }

    public long cgroupId() {
        return cgroupId;
    }

    public boolean isIpv6() {
        return ipv6;
    }

    public int localPort() {
        return localPort;
    }

    public int remotePort() {
        return remotePort;
    }

    /** Allocates. */
    public Endpoint localEndpoint() {
        return new Endpoint(address(localAddress), localPort);
    }

    /** Allocates. */
    public Endpoint remoteEndpoint() {
        return new Endpoint(address(remoteAddress), remotePort);
    }

    /**
     * Copies the 16-byte local address field (IPv4 in its first 4 bytes) into {@code target} at
     * {@code offset}, without allocating (unlike {@link #localEndpoint()}).
     */
    public void copyLocalAddress(byte[] target, int offset) {
        System.arraycopy(localAddress, 0, target, offset, ADDRESS_BYTES);
    }

    /** Like {@link #copyLocalAddress}, for the remote address. */
    public void copyRemoteAddress(byte[] target, int offset) {
        System.arraycopy(remoteAddress, 0, target, offset, ADDRESS_BYTES);
    }

    /** TCP sequence number of the first byte of this event's range, as the kernel's 32-bit value. */
    public int tcpSequence() {
        return tcpSequence;
    }

    /** {@link #tcpSequence()} as an unsigned value. */
    public long tcpSequenceUnsigned() {
        return Integer.toUnsignedLong(tcpSequence);
    }

    /** Bytes of the stream this event stands for (captured or not). */
    /** See {@link #setSequenceKnown}. */
    public boolean sequenceKnown() {
        return sequenceKnown;
    }

    public int byteCount() {
        return byteCount;
    }

    public byte[] payload() {
        return payload;
    }

    public int payloadOffset() {
        return payloadOffset;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /** True when some of this event's bytes were not captured (payload cap): a hole of known length. */
    public boolean isTruncated() {
        return payloadLength < byteCount;
    }

    /** Whether {@link #causeGeneration()} and {@link #causeSequence()} name a server request. */
    public boolean hasCause() {
        return causeGeneration != 0;
    }

    /** Generation of the server connection whose request caused this data; 0 when unknown. */
    public long causeGeneration() {
        return causeGeneration;
    }

    /** TCP sequence number of the first byte of the causing server request (meaningful when {@link #hasCause()}). */
    public int causeSequence() {
        return causeSequence;
    }

    /** Whether {@link #completedCallGeneration()} and {@link #completedCallSequence()} name a client call. */
    public boolean hasCompletedCall() {
        return completedCallGeneration != 0;
    }

    /** Generation of the client connection whose call's completion woke the writer; 0 when unknown. */
    public long completedCallGeneration() {
        return completedCallGeneration;
    }

    /** TCP sequence number of the first byte of that call's response (meaningful when {@link #hasCompletedCall()}). */
    public int completedCallSequence() {
        return completedCallSequence;
    }

    /** When a client thread last woke the responding thread (see {@link #setClientWokenNs}); 0 when unknown. */
    public long clientWokenNs() {
        return clientWokenNs;
    }

    /** A detached copy that owns its payload. */
    public DataEvent copy() {
        DataEvent c = new DataEvent();
        c.tgid = tgid;
        c.tid = tid;
        c.fd = fd;
        c.generation = generation;
        c.timestampNs = timestampNs;
        c.direction = direction;
        c.role = role;
        c.source = source;
        c.tlsLibrary = tlsLibrary;
        c.ipv6 = ipv6;
        System.arraycopy(localAddress, 0, c.localAddress, 0, ADDRESS_BYTES);
        System.arraycopy(remoteAddress, 0, c.remoteAddress, 0, ADDRESS_BYTES);
        c.localPort = localPort;
        c.remotePort = remotePort;
        c.cgroupId = cgroupId;
        c.tcpSequence = tcpSequence;
        c.sequenceKnown = sequenceKnown;
        c.byteCount = byteCount;
        c.payload = Arrays.copyOfRange(payload, payloadOffset, payloadOffset + payloadLength);
        c.payloadOffset = 0;
        c.payloadLength = payloadLength;
        c.causeGeneration = causeGeneration;
        c.causeSequence = causeSequence;
        c.completedCallGeneration = completedCallGeneration;
        c.completedCallSequence = completedCallSequence;
        c.clientWokenNs = clientWokenNs;
        return c;
    }

    private InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(ipv6 ? raw.clone() : Arrays.copyOf(raw, 4));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of fixed length rejected", e);
        }
    }

    @Override
    public String toString() {
        return "DataEvent{" + tgid + ":" + fd + "#" + generation + " tid=" + tid + " " + direction + " " + role
                + " " + source + " seq=" + tcpSequenceUnsigned() + " bytes=" + byteCount
                + " captured=" + payloadLength + " t=" + timestampNs + "}";
    }
}
