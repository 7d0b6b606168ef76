package io.spanscope.spans.ids;

/**
 * Deterministic span and trace ids.
 *
 * <p>Both ends of a TCP connection see the same sequence numbers, even through NAT: the request's first
 * byte has sequence number {@code q} and the response's first byte {@code r} on the client and on the
 * server. So the client span of an exchange is {@code H(client, q, r)} and the server span
 * {@code H(server, q, r)}, and the server side can name its parent (the client span) without ever talking
 * to the client side's agent.
 *
 * <p>Collisions. {@code (q, r)} is 64 bits of input and {@code H} is a bijection of 64-bit values (the
 * SplitMix64 finaliser over {@code q << 32 | r}, xor-ed with a per-role constant), so two different
 * exchanges get the same span id only if they share both sequence numbers exactly. Initial sequence
 * numbers are random 32-bit values chosen per connection by the kernel, so among N exchanges the
 * linker and resolver hold at once (seconds to minutes of traffic) a clash has probability about
 * N²/2⁶⁵: below one in a million for a million exchanges in flight. Exchanges missing one of the numbers
 * (a side not captured) cannot be matched across processes anyway; they get an id from their connection
 * identity and start time instead, under a third role constant.
 */
public final class SpanIds {

    /** The invalid (all-zero) span id; never returned by this class. */
    public static final long INVALID = 0;

    private static final long CLIENT = 0x6a09e667f3bcc908L;
    private static final long SERVER = 0xbb67ae8584caa73bL;
    private static final long LOCAL = 0x3c6ef372fe94f82bL;
    private static final long TRACE_HIGH = 0xa54ff53a5f1d36f1L;
    private static final long TRACE_LOW = 0x510e527fade682d1L;

    private SpanIds() {
    }

    /** True when both sequence numbers were seen, so both ends of the connection can compute the ids. */
    public static boolean linkable(long requestSequence, long responseSequence) {
        return requestSequence >= 0 && responseSequence >= 0;
    }

    /** Span id of the client side of the exchange {@code (q, r)} (unsigned 32-bit sequence numbers). */
    public static long client(long requestSequence, long responseSequence) {
        return nonZero(mix(key(requestSequence, responseSequence) ^ CLIENT));
    }

    /** Span id of the server side of the exchange {@code (q, r)}. */
    public static long server(long requestSequence, long responseSequence) {
        return nonZero(mix(key(requestSequence, responseSequence) ^ SERVER));
    }

    /** Span id of an exchange that cannot be linked across processes: from where and when it was seen. */
    public static long local(long connectionKey, long requestStartNs) {
        return nonZero(mix(mix(connectionKey ^ LOCAL) ^ requestStartNs));
    }

    /** High half of the trace id of a trace whose root span is {@code rootSpanId}. */
    public static long traceHigh(long rootSpanId) {
        return mix(rootSpanId ^ TRACE_HIGH);
    }

    /** Low half of the trace id of a trace whose root span is {@code rootSpanId}; never zero with the high half. */
    public static long traceLow(long rootSpanId) {
        return nonZero(mix(rootSpanId ^ TRACE_LOW));
    }

    private static long key(long requestSequence, long responseSequence) {
        return (requestSequence & 0xFFFF_FFFFL) << 32 | (responseSequence & 0xFFFF_FFFFL);
    }

    /** SplitMix64's finaliser: a bijection with full avalanche, so distinct keys keep distinct ids. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static long nonZero(long id) {
        return id == 0 ? 1 : id;
    }
}
