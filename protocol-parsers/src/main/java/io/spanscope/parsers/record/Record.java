package io.spanscope.parsers.record;

import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.capture.event.Role;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One request/response exchange as the observing process saw it. Timestamps are on the capture
 * source's clock ({@link io.spanscope.capture.event.CaptureClock}); a timestamp is 0 and a sequence
 * number -1 when that side of the exchange was not seen. Sequence numbers are the unsigned 32-bit TCP
 * sequence numbers of the first byte of the request and of the response: both ends of the connection
 * observe the same values, which is what span linking relies on.
 */
public final class Record {

    private static final byte[] NO_BODY = new byte[0];
    private static final RecordFlag[] FLAGS = RecordFlag.values();

    private final Protocol protocol;
    private final ConnectionId connectionId;
    private final Role role;
    private final Endpoint client;
    private final Endpoint server;
    private final int requestTid;
    private final int responseTid;
    private final long requestStartNs;
    private final long requestEndNs;
    private final long responseStartNs;
    private final long responseEndNs;
    private final long requestSequence;
    private final long responseSequence;
    private final long requestBytes;
    private final long responseBytes;
    private final Attributes attributes;
    private final int flagBits;
    private final byte[] requestBody;
    private final byte[] responseBody;
    private final ConnectionSetup connectionSetup;
    private final long causeGeneration;
    private final long causeSequence;
    private final long completedCallGeneration;
    private final long completedCallSequence;
    private final long clientWokenNs;

    private Record(Builder b) {
        this.protocol = Objects.requireNonNull(b.protocol, "protocol");
        this.connectionId = Objects.requireNonNull(b.connectionId, "connectionId");
        this.role = b.role;
        this.client = b.client;
        this.server = b.server;
        this.requestTid = b.requestTid;
        this.responseTid = b.responseTid;
        this.requestStartNs = b.requestStartNs;
        this.requestEndNs = b.requestEndNs;
        this.responseStartNs = b.responseStartNs;
        this.responseEndNs = b.responseEndNs;
        this.requestSequence = b.requestSequence;
        this.responseSequence = b.responseSequence;
        this.requestBytes = b.requestBytes;
        this.responseBytes = b.responseBytes;
        this.attributes = b.attributes;
        this.flagBits = b.flagBits;
        this.requestBody = b.requestBody;
        this.responseBody = b.responseBody;
        this.connectionSetup = b.connectionSetup;
        this.causeGeneration = b.causeGeneration;
        this.causeSequence = b.causeSequence;
        this.completedCallGeneration = b.completedCallGeneration;
        this.completedCallSequence = b.completedCallSequence;
        this.clientWokenNs = b.clientWokenNs;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Protocol protocol() {
        return protocol;
    }

    public ConnectionId connectionId() {
        return connectionId;
    }

    /** Process id (tgid) of the observing process. */
    public int tgid() {
        return connectionId.tgid();
    }

    /** Role of the observing process on this connection. */
    public Role role() {
        return role;
    }

    public Endpoint client() {
        return client;
    }

    public Endpoint server() {
        return server;
    }

    /** Thread that moved the first request byte (wrote it as a client, read it as a server). */
    public int requestTid() {
        return requestTid;
    }

    /** Thread that moved the first response byte. */
    public int responseTid() {
        return responseTid;
    }

    public long requestStartNs() {
        return requestStartNs;
    }

    public long requestEndNs() {
        return requestEndNs;
    }

    public long responseStartNs() {
        return responseStartNs;
    }

    public long responseEndNs() {
        return responseEndNs;
    }

    /** Unsigned 32-bit TCP sequence number of the request's first byte, or -1. */
    public long requestSequence() {
        return requestSequence;
    }

    /** Unsigned 32-bit TCP sequence number of the response's first byte, or -1. */
    public long responseSequence() {
        return responseSequence;
    }

    /** Whole request size on the wire (start line, headers, framing and body), captured or not. */
    public long requestBytes() {
        return requestBytes;
    }

    public long responseBytes() {
        return responseBytes;
    }

    public Attributes attributes() {
        return attributes;
    }

    public boolean hasFlag(RecordFlag flag) {
        return (flagBits & (1 << flag.ordinal())) != 0;
    }

    /** True when no damage flag other than {@link RecordFlag#JOINED_MID_STREAM} is set. */
    public boolean isIntact() {
        return (flagBits & ~(1 << RecordFlag.JOINED_MID_STREAM.ordinal())) == 0;
    }

    /** Allocates an unmodifiable set. */
    public Set<RecordFlag> flags() {
        EnumSet<RecordFlag> set = EnumSet.noneOf(RecordFlag.class);
        for (RecordFlag f : FLAGS) {
            if (hasFlag(f)) {
                set.add(f);
            }
        }
        return Collections.unmodifiableSet(set);
    }

    /** Kept request body bytes (at most the configured cap; empty by default). A copy. */
    public byte[] requestBody() {
        return requestBody.length == 0 ? NO_BODY : requestBody.clone();
    }

    public byte[] responseBody() {
        return responseBody.length == 0 ? NO_BODY : responseBody.clone();
    }

    /**
     * How the connection was set up, when this exchange was the first on a connection whose setup was
     * captured; null otherwise.
     */
    public ConnectionSetup connectionSetup() {
        return connectionSetup;
    }

    /**
     * Client exchanges: whether the capture knows which server request of the same process the thread that
     * wrote this request worked on behalf of (followed by the kernel across thread wakeups).
     */
    public boolean hasCause() {
        return causeGeneration != 0;
    }

    /** Generation of the connection ({@link ConnectionId#generation()}) of the causing server request; 0 if none. */
    public long causeGeneration() {
        return causeGeneration;
    }

    /** Unsigned 32-bit TCP sequence number of the causing server request's first byte, or -1. */
    public long causeSequence() {
        return causeSequence;
    }

    /**
     * Server exchanges: whether the capture knows the client call of the same process whose completion woke
     * the thread that wrote this response (followed by the kernel across thread wakeups): the call was made
     * on behalf of this request.
     */
    public boolean hasCompletedCall() {
        return completedCallGeneration != 0;
    }

    /** Generation of the client connection of that call; 0 if none. */
    public long completedCallGeneration() {
        return completedCallGeneration;
    }

    /** Unsigned 32-bit TCP sequence number of the first byte of that call's response, or -1. */
    public long completedCallSequence() {
        return completedCallSequence;
    }

    /**
     * Server exchanges: when (monotonic ns) the thread that read the request and wrote this response was last
     * woken, while it served, by a client thread of its process (one that has written requests or read responses
     * on client connections); 0 when no such wakeup is known. Until then the thread was asleep, waiting on the
     * client's machinery.
     */
    public long clientWokenNs() {
        return clientWokenNs;
    }

    /** A builder holding this record's values, to derive a modified copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.protocol = protocol;
        b.connectionId = connectionId;
        b.role = role;
        b.client = client;
        b.server = server;
        b.requestTid = requestTid;
        b.responseTid = responseTid;
        b.requestStartNs = requestStartNs;
        b.requestEndNs = requestEndNs;
        b.responseStartNs = responseStartNs;
        b.responseEndNs = responseEndNs;
        b.requestSequence = requestSequence;
        b.responseSequence = responseSequence;
        b.requestBytes = requestBytes;
        b.responseBytes = responseBytes;
        b.attributes = attributes;
        b.flagBits = flagBits;
        b.requestBody = requestBody;
        b.responseBody = responseBody;
        b.connectionSetup = connectionSetup;
        b.causeGeneration = causeGeneration;
        b.causeSequence = causeSequence;
        b.completedCallGeneration = completedCallGeneration;
        b.completedCallSequence = completedCallSequence;
        b.clientWokenNs = clientWokenNs;
        return b;
    }

    @Override
    public String toString() {
        return "Record{" + protocol + " " + connectionId + " " + role + " " + client + "->" + server
                + " req[seq=" + requestSequence + " t=" + requestStartNs + ".." + requestEndNs + " tid=" + requestTid
                + " bytes=" + requestBytes + "] resp[seq=" + responseSequence + " t=" + responseStartNs + ".."
                + responseEndNs + " tid=" + responseTid + " bytes=" + responseBytes + "] " + attributes
                + (flagBits == 0 ? "" : " " + flags())
                + (hasCause() ? " cause=" + causeGeneration + "/" + causeSequence : "")
                + (hasCompletedCall() ? " completedCall=" + completedCallGeneration + "/" + completedCallSequence : "")
                + (clientWokenNs != 0 ? " clientWoken=" + clientWokenNs : "")
                + "}";
    }

    /** Builds a {@link Record}; protocol and connectionId are required. */
    public static final class Builder {
        private Protocol protocol;
        private ConnectionId connectionId;
        private Role role = Role.UNKNOWN;
        private Endpoint client;
        private Endpoint server;
        private int requestTid;
        private int responseTid;
        private long requestStartNs;
        private long requestEndNs;
        private long responseStartNs;
        private long responseEndNs;
        private long requestSequence = -1;
        private long responseSequence = -1;
        private long requestBytes;
        private long responseBytes;
        private Attributes attributes = Attributes.empty();
        private int flagBits;
        private byte[] requestBody = NO_BODY;
        private byte[] responseBody = NO_BODY;
        private ConnectionSetup connectionSetup;
        private long causeGeneration;
        private long causeSequence = -1;
        private long completedCallGeneration;
        private long completedCallSequence = -1;
        private long clientWokenNs;

        private Builder() {
        }

        public Builder protocol(Protocol protocol) {
            this.protocol = protocol;
            return this;
        }

        /** Sets connection id, role and both endpoints from what is known about the connection. */
        public Builder connection(ConnectionInfo info) {
            this.connectionId = info.id();
            this.role = info.role();
            this.client = info.client();
            this.server = info.server();
            return this;
        }

        public Builder connectionId(ConnectionId connectionId) {
            this.connectionId = connectionId;
            return this;
        }

        public Builder role(Role role) {
            this.role = role;
            return this;
        }

        public Builder client(Endpoint client) {
            this.client = client;
            return this;
        }

        public Builder server(Endpoint server) {
            this.server = server;
            return this;
        }

        public Builder request(int tid, long startNs, long endNs, long sequence, long bytes) {
            this.requestTid = tid;
            this.requestStartNs = startNs;
            this.requestEndNs = endNs;
            this.requestSequence = sequence;
            this.requestBytes = bytes;
            return this;
        }

        public Builder response(int tid, long startNs, long endNs, long sequence, long bytes) {
            this.responseTid = tid;
            this.responseStartNs = startNs;
            this.responseEndNs = endNs;
            this.responseSequence = sequence;
            this.responseBytes = bytes;
            return this;
        }

        public Builder attributes(Attributes attributes) {
            this.attributes = Objects.requireNonNull(attributes, "attributes");
            return this;
        }

        public Builder flag(RecordFlag flag) {
            this.flagBits |= 1 << flag.ordinal();
            return this;
        }

        public Builder requestBody(byte[] body) {
            this.requestBody = body == null || body.length == 0 ? NO_BODY : body.clone();
            return this;
        }

        public Builder responseBody(byte[] body) {
            this.responseBody = body == null || body.length == 0 ? NO_BODY : body.clone();
            return this;
        }

        public Builder connectionSetup(ConnectionSetup setup) {
            this.connectionSetup = setup;
            return this;
        }

        /**
         * The server request that caused this client request: its connection's generation (0 = none) and the
         * unsigned TCP sequence number of its first byte.
         */
        public Builder cause(long generation, long sequence) {
            this.causeGeneration = generation;
            this.causeSequence = generation == 0 ? -1 : sequence;
            return this;
        }

        /**
         * The client call whose completion woke the thread that wrote this server response: its connection's
         * generation (0 = none) and the unsigned TCP sequence number of its response's first byte.
         */
        public Builder completedCall(long generation, long responseSequence) {
            this.completedCallGeneration = generation;
            this.completedCallSequence = generation == 0 ? -1 : responseSequence;
            return this;
        }

        /** See {@link Record#clientWokenNs()}; 0 = none known. */
        public Builder clientWokenNs(long wokenNs) {
            this.clientWokenNs = wokenNs;
            return this;
        }

        public Record build() {
            return new Record(this);
        }
    }
}
