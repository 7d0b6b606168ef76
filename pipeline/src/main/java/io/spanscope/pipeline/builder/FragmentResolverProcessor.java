package io.spanscope.pipeline.builder;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.spanscope.pipeline.builder.proto.AnnouncedSpan;
import io.spanscope.pipeline.builder.proto.AnnouncedSpans;
import io.spanscope.pipeline.builder.proto.InputProbe;
import io.spanscope.pipeline.builder.proto.ResolvedFragment;
import io.spanscope.pipeline.builder.proto.SpanAnnouncement;
import io.spanscope.pipeline.wire.FragmentKeys;
import io.spanscope.pipeline.wire.WireFormatException;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.resolve.KnownSpan;
import io.spanscope.spans.resolve.ResolverStats;
import io.spanscope.spans.resolve.TraceKey;
import io.spanscope.spans.resolve.TraceResolver;
import java.io.IOException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * One partition task of the resolution: the {@link TraceResolver} of span-builder over this partition's
 * {@link StreamsResolverState}. Takes fragments (keyed by the span they wait for) and announcements (keyed
 * by their span) from the two co-partitioned topics; sends announcements of what it resolved to the
 * known-spans topic and each resolved fragment to the resolved topic. A fragment whose root span id was
 * seen within the retention is a duplicate (a re-sent record) and is not resolved again.
 *
 * <p>What exists only between tasks is sent per commit, not per span: announcements are gathered per
 * target partition ({@link AnnouncementOutbox}) and resolved fragments up to {@link #MAX_FRAGMENTS_PER_RECORD}
 * per record; the duplicate marks of a commit become one {@code seen-fragments} entry and the waits it
 * started and ended one {@code waiting-fragments} record. All of it is
 * sent from the task's pre-commit hook ({@link CommitHookStore}), inside the transaction that commits the
 * input it came from, so exactly-once holds as with one record per span. Under exactly-once a task reads
 * only committed records, so waiting for the commit delays nothing. An announcement record read is stored
 * whole in {@code known-spans} (one changelog record).
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
    /** Keeps one poll of the exporter ({@code max.poll.records} records) within its export queue. */
    static final int MAX_FRAGMENTS_PER_RECORD = 32;
    private static final int BATCH_FIELD_TAG = (SpanAnnouncement.BATCH_FIELD_NUMBER << 3) | 2;

    private final SpanBuilderSettings settings;
    private final ResolverStatsRegistry registry;
    private final int partitions;
    private final FragmentBytes fragmentBytes = new FragmentBytes();
    private ProcessorContext<byte[], byte[]> context;
    private InternalProcessorContext<byte[], byte[]> streamsContext;
    private ProcessorNode<?, ?, ?, ?> node;
    private StreamsResolverState state;
    private TraceResolver resolver;
    private SpanBatches seen;
    private final DuplicateMarks seenThisCommit = new DuplicateMarks();
    private long lastFragmentOffset = -1;
    private AnnouncementOutbox outbox;
    private final ResolvedBatch resolvedBatch = new ResolvedBatch();
    /** The awaited spans of the batch being read: (span id, entry offset) pairs, reused. */
    private final LongPairs awaited = new LongPairs();
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

    /** @param partitions partition count of the known-spans topic (announcements are batched per partition) */
    FragmentResolverProcessor(SpanBuilderSettings settings, ResolverStatsRegistry registry, int partitions) {
        this.settings = settings;
        this.registry = registry;
        this.partitions = partitions;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        // the pre-commit hook runs outside process() and punctuate(): Streams' own caches forward from it by
        // naming their node; a test's MockProcessorContext forwards from anywhere
        if (context instanceof InternalProcessorContext<?, ?> internal) {
            streamsContext = (InternalProcessorContext<byte[], byte[]>) internal;
            node = internal.currentNode();
        }
        KeyValueStore<Bytes, byte[]> knownStore = context.getStateStore(SpanBuilderTopology.KNOWN_SPANS_STORE);
        KeyValueStore<Bytes, byte[]> waitingStore = context.getStateStore(SpanBuilderTopology.WAITING_STORE);
        KeyValueStore<Bytes, byte[]> seenStore = context.getStateStore(SpanBuilderTopology.SEEN_STORE);
        CommitHookStore hook = context.getStateStore(SpanBuilderTopology.COMMIT_HOOK_STORE);
        hook.register(this::beforeCommit);
        outbox = new AnnouncementOutbox(partitions, (key, value) -> context.forward(
                new Record<>(key, value, context.currentSystemTimeMs()), KNOWN_SPANS_OUT));
        state = new StreamsResolverState(new SpanBatches(knownStore, settings.maxKnownSpans()), waitingStore,
                fragmentBytes, this::announcePending, settings);
        seen = new SpanBatches(seenStore, settings.maxSeenFragments());
        seenThisCommit.clear();
        resolvedBatch.clear();
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
        RecordMetadata metadata = context.recordMetadata().orElse(null);
        String topic = metadata != null ? metadata.topic() : settings.fragmentsTopic();
        long offset = metadata != null ? metadata.offset() : -1;
        if (record.key() != null && record.key().length == FragmentKeys.KEY_BYTES) {
            ownKey = record.key(); // it came to this partition: a probe keyed by it comes back here
        }
        try {
            if (topic.equals(settings.knownSpansTopic())) {
                onAnnouncement(record, offset);
            } else {
                lastFragmentOffset = offset;
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
        if (seenThisCommit.contains(rootId) || seen.get(rootId) != null) {
            duplicates++;
            return;
        }
        seenThisCommit.add(rootId); // stored at the commit, with the others of this commit
        if (record.key() == null || record.key().length != FragmentKeys.KEY_BYTES
                || FragmentKeys.spanIdOf(record.key()) != FragmentKeys.keySpanId(fragment)) {
            misKeyed++;
        }
        resolver.onFragment(fragment, nowNs);
    }

    private void onAnnouncement(Record<byte[], byte[]> record, long offset) {
        byte[] value = record.value();
        if (record.key() == null || record.key().length != FragmentKeys.KEY_BYTES || value == null) {
            announcements++;
            undecodableAnnouncements++;
            return;
        }
        long nowNs = nowNs();
        int batchStart = batchStart(value);
        if (batchStart >= 0) {
            // the record's offset names the batch: unique in this partition, the same when read again
            onBatch(value, batchStart, value.length - batchStart, offset, nowNs);
            return;
        }
        SpanAnnouncement a;
        try {
            a = SpanAnnouncement.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            announcements++;
            undecodableAnnouncements++;
            return;
        }
        if (a.hasProbe()) {
            announcements++;
            if (a.getProbe().getPartition() == context.taskId().partition()) {
                onProbe(a.getProbe().getSentEpochNanos(), nowNs);
            }
            return;
        }
        AnnouncedSpans spans;
        if (a.hasBatch()) {
            spans = a.getBatch(); // a batch field among others: stored encoded again
        } else if (a.hasResolved() || a.hasPending()) {
            // one span per record, as span builders before batching sent it
            AnnouncedSpan.Builder one = AnnouncedSpan.newBuilder().setSpanId(FragmentKeys.spanIdOf(record.key()));
            spans = AnnouncedSpans.newBuilder().addSpans(a.hasResolved() ? one.setResolved(a.getResolved())
                    : one.setPending(a.getPending())).build();
        } else {
            announcements++;
            undecodableAnnouncements++;
            return;
        }
        byte[] bytes = spans.toByteArray();
        onBatch(bytes, 0, bytes.length, offset, nowNs);
    }

    /**
     * Stores a batch of announced spans whole, then hands the resolver the resolved spans that fragments here
     * wait for. Only those are decoded: most announced spans have no waiter (yet), and a later fragment finds
     * its parent in the store.
     */
    private void onBatch(byte[] value, int start, int length, long batchId, long nowNs) {
        awaited.clear();
        int spans;
        try {
            spans = AnnouncedSpansWalk.forEach(value, start, length, (spanId, entryOffset, kind) -> {
                if (kind == AnnouncedSpansWalk.Kind.RESOLVED && state.isAwaited(spanId)) {
                    awaited.add(spanId, entryOffset);
                }
            });
        } catch (IOException e) {
            announcements++;
            undecodableAnnouncements++;
            return;
        }
        state.rememberBatch(batchId, value, start, length, nowNs);
        announcements += spans;
        for (int i = 0; i < awaited.size(); i++) {
            AnnouncedSpan s;
            try {
                s = AnnouncedSpan.parseFrom(AnnouncedSpansWalk.entryAt(value, (int) awaited.second(i)));
            } catch (IOException e) {
                undecodableAnnouncements++;
                continue;
            }
            resolver.onAnnouncement(awaited.first(i), KnownSpans.fromMessage(s.getResolved()), nowNs);
        }
    }

    /**
     * Where the {@code AnnouncedSpans} of a batch record start: the record is the batch field alone
     * ({@code SpanAnnouncement} has nothing else), so its bytes follow the field's tag and length.
     *
     * @return -1 when the record has another layout (a probe, a single span, or something unreadable)
     */
    private static int batchStart(byte[] value) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(value);
            if (in.readTag() != BATCH_FIELD_TAG) {
                return -1;
            }
            int length = in.readRawVarint32();
            int start = in.getTotalBytesRead();
            return start + length == value.length ? start : -1;
        } catch (IOException e) {
            return -1;
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
        outbox.flush(); // the probe comes back after every announcement sent to this partition before it
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
        resolvedBatch.add(fragment.root().spanId(), out.build());
        if (resolvedBatch.size() >= MAX_FRAGMENTS_PER_RECORD) {
            sendResolved();
        }
    }

    private void sendResolved() {
        if (resolvedBatch.size() > 0) {
            context.forward(new Record<>(FragmentKeys.spanIdKey(resolvedBatch.firstRootSpanId()),
                    resolvedBatch.toBytes(), context.currentSystemTimeMs()), RESOLVED_OUT);
            resolvedBatch.clear();
        }
    }

    private void announceResolved(long spanId, KnownSpan span, long nowNs) {
        outbox.resolved(spanId, KnownSpans.toMessage(span));
    }

    private void announcePending(long spanId, long untilNs) {
        outbox.pending(spanId, untilNs);
    }

    /**
     * Called by the commit hook: sends what the commit must include — the gathered announcements and resolved
     * fragments — and stores this commit's duplicate marks as one batch (its changelog record is in the same
     * transaction).
     */
    private void beforeCommit() {
        if (streamsContext == null) {
            flushForCommit();
            return;
        }
        ProcessorNode<?, ?, ?, ?> previousNode = streamsContext.currentNode();
        ProcessorRecordContext previousRecord = streamsContext.recordContext();
        streamsContext.setCurrentNode(node);
        streamsContext.setRecordContext(new ProcessorRecordContext(context.currentSystemTimeMs(), -1L, -1, null,
                new RecordHeaders()));
        try {
            flushForCommit();
        } finally {
            streamsContext.setCurrentNode(previousNode);
            streamsContext.setRecordContext(previousRecord);
        }
    }

    /** The commit hook's work (a benchmark without Streams' commit loop calls it directly). */
    void flushForCommit() {
        outbox.flush();
        sendResolved();
        state.commit();
        if (!seenThisCommit.isEmpty()) {
            // the last fragment's offset names the batch: unique in this partition, the same when read again
            seen.put(lastFragmentOffset, seenThisCommit.encode(), 0, seenThisCommit.encodedLength(),
                    nowNs() + settings.knownSpanRetention().toNanos());
            seenThisCommit.clear();
        }
    }

    private long nowNs() {
        return context.currentSystemTimeMs() * 1_000_000L;
    }

    ResolverCounters counters() {
        ResolverStats r = resolver.stats();
        return new ResolverCounters(fragments, duplicates, undecodableFragments, misKeyed, announcements,
                undecodableAnnouncements + state.unreadableKnownSpans(), r.resolvedAtOnce(), r.resolvedAfterWait(), r.timedOutRoots(),
                r.externalRoots(), r.stateFullRoots(), state.parkedWaits(), state.pendingAnnounced(),
                r.evictedKnownSpans(), seen.evicted(), r.waiting(), r.knownSpans(), state.restartedWaits());
    }

    @Override
    public void close() {
        if (resolver != null) {
            registry.retire(this, counters());
        }
    }
}
