package io.spanscope.pipeline.builder;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.spanscope.pipeline.builder.proto.InputProbe;
import io.spanscope.pipeline.builder.proto.PendingSpan;
import io.spanscope.pipeline.builder.proto.ResolvedFragment;
import io.spanscope.pipeline.builder.proto.SpanAnnouncement;
import io.spanscope.pipeline.wire.FragmentKeys;
import io.spanscope.pipeline.wire.WireFormatException;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.resolve.KnownSpan;
import io.spanscope.spans.resolve.ResolverStats;
import io.spanscope.spans.resolve.TraceKey;
import io.spanscope.spans.resolve.TraceResolver;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One partition task of the resolution: the {@link TraceResolver} of span-builder over this partition's
 * {@link StreamsResolverState}. Takes fragments (keyed by the span they wait for) and announcements (keyed
 * by their span) from the two co-partitioned topics; sends announcements of what it resolved to the
 * known-spans topic and each resolved fragment to the resolved topic. A fragment whose root span id was
 * seen within the retention is a duplicate (a re-sent record) and is not resolved again.
 *
 * <p>A wall-clock punctuator roots the waits that ran out, but only as far as the task has read its input:
 * when waits fall due it sends itself an {@code InputProbe} through the known-spans topic and lets them
 * run out when the probe is read back, after anything appended before it (the parent's announcement
 * included). A punctuation late by more than a fifth of the wait, or a probe that took that long to come
 * back, means the task could not read meanwhile (stream thread blocked in a commit while the broker is
 * down, task restored elsewhere): the due waits then start again.
 */
final class FragmentResolverProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    static final String KNOWN_SPANS_OUT = "known-spans-out";
    static final String RESOLVED_OUT = "resolved-out";
    private static final byte[] SEEN = new byte[0];

    private final SpanBuilderSettings settings;
    private final ResolverStatsRegistry registry;
    private final FragmentBytes fragmentBytes = new FragmentBytes();
    private ProcessorContext<byte[], byte[]> context;
    private StreamsResolverState state;
    private TraceResolver resolver;
    private ExpiringStore seen;
    private long fragments;
    private long duplicates;
    private long undecodableFragments;
    private long misKeyed;
    private long announcements;
    private long undecodableAnnouncements;
    private long stallNs;
    private long lastTickNs;
    private long probeSentNs;
    private byte[] ownKey;

    FragmentResolverProcessor(SpanBuilderSettings settings, ResolverStatsRegistry registry) {
        this.settings = settings;
        this.registry = registry;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        KeyValueStore<Bytes, byte[]> knownStore = context.getStateStore(SpanBuilderTopology.KNOWN_SPANS_STORE);
        KeyValueStore<Bytes, byte[]> waitingStore = context.getStateStore(SpanBuilderTopology.WAITING_STORE);
        KeyValueStore<Bytes, byte[]> seenStore = context.getStateStore(SpanBuilderTopology.SEEN_STORE);
        state = new StreamsResolverState(knownStore, waitingStore, fragmentBytes, this::announcePending, settings);
        seen = new ExpiringStore(seenStore, settings.maxSeenFragments());
        // without traced networks configured every caller may be traced, so a fragment from outside becomes
        // a root only after the wait (its callees' waits are parked meanwhile)
        resolver = new TraceResolver(state, settings.parentWait().toNanos(), settings.tracedNetworks(),
                this::emitResolved, this::announceResolved);
        stallNs = Math.max(settings.parentWait().toNanos() / 5, 2 * settings.tickInterval().toNanos());
        lastTickNs = 0; // the first punctuation counts as after a stall: restored waits start again
        probeSentNs = -1;
        ownKey = null;
        context.schedule(settings.tickInterval(), PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse(settings.fragmentsTopic());
        if (record.key() != null && record.key().length == FragmentKeys.KEY_BYTES) {
            ownKey = record.key(); // it came to this partition: a probe keyed by it comes back here
        }
        try {
            if (topic.equals(settings.knownSpansTopic())) {
                onAnnouncement(record);
            } else {
                onFragment(record);
            }
        } finally {
            fragmentBytes.forget();
        }
    }

    private void onFragment(Record<byte[], byte[]> record) {
        fragments++;
        Fragment fragment;
        try {
            fragment = fragmentBytes.decode(record.value());
        } catch (WireFormatException | NullPointerException e) {
            undecodableFragments++;
            return;
        }
        long nowNs = nowNs();
        long rootId = fragment.root().spanId();
        if (seen.get(rootId) != null) {
            duplicates++;
            return;
        }
        seen.put(rootId, SEEN, nowNs + settings.knownSpanRetention().toNanos());
        if (record.key() == null || record.key().length != FragmentKeys.KEY_BYTES
                || FragmentKeys.spanIdOf(record.key()) != FragmentKeys.keySpanId(fragment)) {
            misKeyed++;
        }
        resolver.onFragment(fragment, nowNs);
    }

    private void onAnnouncement(Record<byte[], byte[]> record) {
        announcements++;
        SpanAnnouncement a;
        try {
            if (record.key() == null || record.key().length != FragmentKeys.KEY_BYTES || record.value() == null) {
                throw new InvalidProtocolBufferException("no span id key or no value");
            }
            a = SpanAnnouncement.parseFrom(record.value());
        } catch (InvalidProtocolBufferException e) {
            undecodableAnnouncements++;
            return;
        }
        long spanId = FragmentKeys.spanIdOf(record.key());
        if (a.hasResolved()) {
            resolver.onAnnouncement(spanId, KnownSpans.fromMessage(a.getResolved()), nowNs());
        } else if (a.hasPending()) {
            state.rememberPending(spanId, a.getPending().getUntilEpochNanos());
        } else if (a.hasProbe()) {
            if (a.getProbe().getPartition() == context.taskId().partition()) {
                onProbe(a.getProbe().getSentEpochNanos(), nowNs());
            }
        } else {
            undecodableAnnouncements++;
        }
    }

    private void tick(long wallClockMs) {
        long nowNs = wallClockMs * 1_000_000L;
        try {
            if (nowNs - lastTickNs > stallNs) {
                state.restartDueWaits(nowNs);
            }
            lastTickNs = nowNs;
            if (state.waitsDue(nowNs) && (probeSentNs < 0 || nowNs - probeSentNs > settings.parentWait().toNanos())) {
                sendProbe(nowNs);
            }
            resolver.tick(nowNs); // forgets old known spans; waits run out only as far as a probe came back
            seen.expire(nowNs);
        } finally {
            fragmentBytes.forget();
        }
        registry.publish(this, counters());
    }

    private void sendProbe(long nowNs) {
        probeSentNs = nowNs;
        byte[] key = ownKey != null ? ownKey : FragmentKeys.spanIdKey(state.firstDueParent());
        byte[] value = SpanAnnouncement.newBuilder().setProbe(InputProbe.newBuilder().setSentEpochNanos(nowNs)
                .setPartition(context.taskId().partition())).build().toByteArray();
        context.forward(new Record<>(key, value, context.currentSystemTimeMs()), KNOWN_SPANS_OUT);
    }

    /** The task read back its probe sent at {@code sentNs}: everything appended before it was read. */
    private void onProbe(long sentNs, long nowNs) {
        if (sentNs >= probeSentNs) {
            probeSentNs = -1;
        }
        if (nowNs - sentNs > stallNs) {
            state.restartDueWaits(nowNs);
        } else {
            state.inputReadUpTo(sentNs);
        }
        resolver.tick(nowNs);
    }

    private void emitResolved(Fragment fragment, TraceKey trace, long rootParentSpanId, KnownSpan caller) {
        ResolvedFragment.Builder out = ResolvedFragment.newBuilder()
                .setTraceIdHigh(trace.high())
                .setTraceIdLow(trace.low())
                .setRootParentSpanId(rootParentSpanId)
                .setFragment(UnsafeByteOperations.unsafeWrap(fragmentBytes.of(fragment)));
        if (caller != null) {
            out.setCaller(KnownSpans.toMessage(caller));
        }
        forward(RESOLVED_OUT, fragment.root().spanId(), out.build().toByteArray());
    }

    private void announceResolved(long spanId, KnownSpan span, long nowNs) {
        forward(KNOWN_SPANS_OUT, spanId,
                SpanAnnouncement.newBuilder().setResolved(KnownSpans.toMessage(span)).build().toByteArray());
    }

    private void announcePending(long spanId, long untilNs) {
        forward(KNOWN_SPANS_OUT, spanId, SpanAnnouncement.newBuilder()
                .setPending(PendingSpan.newBuilder().setUntilEpochNanos(untilNs)).build().toByteArray());
    }

    private void forward(String sink, long spanId, byte[] value) {
        context.forward(new Record<>(FragmentKeys.spanIdKey(spanId), value, context.currentSystemTimeMs()), sink);
    }

    private long nowNs() {
        return context.currentSystemTimeMs() * 1_000_000L;
    }

    ResolverCounters counters() {
        ResolverStats r = resolver.stats();
        return new ResolverCounters(fragments, duplicates, undecodableFragments, misKeyed, announcements,
                undecodableAnnouncements, r.resolvedAtOnce(), r.resolvedAfterWait(), r.timedOutRoots(),
                r.externalRoots(), r.stateFullRoots(), state.parkedWaits(), state.pendingAnnounced(), r.evictedKnownSpans(),
                seen.evicted(), r.waiting(), r.knownSpans(), state.restartedWaits());
    }

    @Override
    public void close() {
        if (resolver != null) {
            registry.retire(this, counters());
        }
    }
}
