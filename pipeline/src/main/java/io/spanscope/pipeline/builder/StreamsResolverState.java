package io.spanscope.pipeline.builder;

import com.google.protobuf.InvalidProtocolBufferException;
import io.spanscope.pipeline.builder.proto.AnnouncedSpan;
import io.spanscope.spans.link.Fragment;
import io.spanscope.spans.resolve.KnownSpan;
import io.spanscope.spans.resolve.ResolverState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The resolver state of one partition task, in two changelogged stores: the spans announced to this
 * partition ({@code known-spans}: resolved ones, and "pending" markers for spans of fragments that are
 * themselves still waiting; stored a whole announcement record at a time by the processor, see
 * {@link SpanBatches}) and the fragments waiting here for a parent ({@code waiting-fragments}: a
 * {@link WaitingLog}, logged one commit at a time; keyed
 * by that parent). Fragments keyed by their parent and announcements keyed by their span meet in this
 * partition, so every lookup is local.
 *
 * <p>A fragment still waiting {@code pendingAnnouncementDelay} after it arrived announces its own spans as
 * pending (through {@link PendingAnnouncer}, to the partitions that own them); most waits end sooner, so
 * most fragments never announce anything pending (markers go out in the task's per-partition records). A
 * waiter whose deadline passes while its parent is pending here is
 * parked — its deadline moved on by one wait — instead of becoming a root: the pending fragment will either
 * be resolved or time out itself and then release it, so a chain whose root never comes still times out as
 * one trace, as in {@code run}, as long as the parent's fragment arrives within the wait minus that delay
 * of its child. A pending marker lapses after the known-span retention, which bounds a park (ids that
 * collide into a cycle included).
 *
 * <p>Waits run out by the task's input, not by the wall clock alone: a due wait runs out only up to
 * {@link #inputReadUpTo} (when the task's probe, sent after the deadline, was read back, so the parent's
 * announcement had its chance to arrive first), and {@link #restartDueWaits} gives the due waits a fresh
 * wait when the task could not read meanwhile. Otherwise a broker outage rooted every fragment whose parent
 * was announced (or still held by an agent) just before it, before the announcement could be read.
 *
 * <p>Waiting fragments are kept only as the bytes they arrived as and read again as outlines when released
 * or timed out (cheap: {@link FragmentOutlineDecoder}). A decoded copy on the heap beside the store was
 * tried: it made the young collections copy every waiting fragment's objects, and the GC cost more than the
 * decoding it saved.
 */
final class StreamsResolverState implements ResolverState {

    /** Sends "span {@code spanId} belongs to a waiting fragment" to the partition that owns the span. */
    @FunctionalInterface
    interface PendingAnnouncer {
        void announcePending(long spanId, long untilNs);
    }

    private final SpanBatches known;
    private final WaitingLog waiting;
    private final ExpiryQueue byDeadline = new ExpiryQueue();
    /** (instant a waiter's spans are to be announced pending, its parent). */
    private final ExpiryQueue byPendingAnnouncement = new ExpiryQueue();
    private final FragmentBytes fragmentBytes;
    private final PendingAnnouncer pendingAnnouncer;
    private final long retentionNs;
    private final long parentWaitNs;
    private final long pendingDelayNs;
    private final int maxWaitingFragments;
    private long parked;
    private long pendingAnnounced;
    private long restarted;
    private long unreadableKnownSpans;
    private long inputReadUpToNs = Long.MIN_VALUE;

    StreamsResolverState(SpanBatches known, KeyValueStore<Bytes, byte[]> waitingStore,
                         FragmentBytes fragmentBytes, PendingAnnouncer pendingAnnouncer,
                         SpanBuilderSettings settings) {
        this.known = known;
        this.waiting = new WaitingLog(waitingStore);
        this.fragmentBytes = fragmentBytes;
        this.pendingAnnouncer = pendingAnnouncer;
        this.retentionNs = settings.knownSpanRetention().toNanos();
        this.parentWaitNs = settings.parentWait().toNanos();
        this.pendingDelayNs = settings.pendingAnnouncementDelay().toNanos();
        this.maxWaitingFragments = settings.maxWaitingFragments();
        waiting.forEach(w -> {
            byDeadline.add(w.deadlineNs, w.parent);
            // announced again if it was before the restart: a marker is idempotent
            byPendingAnnouncement.add(pendingInstant(w.deadlineNs), w.parent);
        });
        byDeadline.sort();
        byPendingAnnouncement.sort();
    }

    @Override
    public KnownSpan lookup(long spanId) {
        AnnouncedSpan a = announcement(spanId);
        return a != null && a.hasResolved() ? KnownSpans.fromMessage(a.getResolved()) : null;
    }

    /** Keeps the spans of one announcement record read ({@code AnnouncedSpans} bytes) as possible parents. */
    void rememberBatch(long batchId, byte[] bytes, int offset, int length, long nowNs) {
        known.put(batchId, bytes, offset, length, nowNs + retentionNs);
    }

    /**
     * Nothing to do: the announcement came in a record that the processor stored whole in {@code known-spans}
     * before handing its spans to the resolver (pending markers of that record included).
     */
    @Override
    public void remember(long spanId, KnownSpan span, long nowNs) {
    }

    @Override
    public boolean await(long parentSpanId, Fragment fragment, long deadlineNs) {
        if (waiting.size() >= maxWaitingFragments) {
            return false;
        }
        waiting.add(parentSpanId, deadlineNs, fragmentBytes.of(fragment));
        byDeadline.add(deadlineNs, parentSpanId);
        byPendingAnnouncement.add(pendingInstant(deadlineNs), parentSpanId);
        return true;
    }

    @Override
    public List<Fragment> release(long parentSpanId) {
        List<WaitingLog.Waiter> ws = waiting.removeAll(parentSpanId);
        if (ws.isEmpty()) {
            return List.of();
        }
        List<Fragment> out = new ArrayList<>(ws.size());
        for (int i = 0; i < ws.size(); i++) {
            out.add(decode(ws.get(i)));
        }
        return out; // their deadline pairs are skipped when met: nothing waits at that key any more
    }

    /** Logs the waits started and ended since the last commit (call before each commit). */
    void commit() {
        waiting.commit();
    }

    /** Whether a wait is due by {@code nowNs} (it runs out once the task's input is read up to its deadline). */
    boolean waitsDue(long nowNs) {
        return !byDeadline.isEmpty() && byDeadline.peekInstant() <= nowNs;
    }

    /** The parent id of the wait due first, as a key of this partition (call when {@link #waitsDue}). */
    long firstDueParent() {
        return byDeadline.peekId();
    }

    /** Everything appended to this partition up to {@code sentNs} has been read: waits due by then may run out. */
    void inputReadUpTo(long sentNs) {
        inputReadUpToNs = Math.max(inputReadUpToNs, sentNs);
    }

    /**
     * The task could not read its input until {@code nowNs} (stalled, or the broker was down): every wait due
     * by then waits once more from now, since what it waits for may have been held up with the input. Its
     * spans are announced pending again after the delay (a marker is idempotent; the first may have been
     * held up too).
     */
    void restartDueWaits(long nowNs) {
        long next = nowNs + parentWaitNs;
        while (!byDeadline.isEmpty() && byDeadline.peekInstant() <= nowNs) {
            long parent = byDeadline.peekId();
            byDeadline.remove();
            boolean changed = false;
            for (WaitingLog.Waiter w : waiting.at(parent)) {
                if (w.deadlineNs <= nowNs) {
                    w.deadlineNs = next; // not logged: a restored task restarts due waits itself
                    restarted++;
                    changed = true;
                }
            }
            if (changed) {
                byDeadline.add(next, parent);
                byPendingAnnouncement.add(pendingInstant(next), parent);
            }
        }
    }

    @Override
    public void expire(long nowNs, Consumer<Fragment> timedOut) {
        known.expire(nowNs);
        while (!byPendingAnnouncement.isEmpty() && byPendingAnnouncement.peekInstant() <= nowNs) {
            long instant = byPendingAnnouncement.peekInstant();
            long parent = byPendingAnnouncement.peekId();
            byPendingAnnouncement.remove();
            announcePendingAt(parent, instant);
        }
        List<Fragment> rooted = new ArrayList<>();
        long readUpTo = Math.min(nowNs, inputReadUpToNs);
        while (!byDeadline.isEmpty() && byDeadline.peekInstant() <= readUpTo) {
            long parent = byDeadline.peekId();
            byDeadline.remove();
            expireWaitersOf(parent, readUpTo, nowNs, rooted);
        }
        rooted.forEach(timedOut);
    }

    /** Announces pending the spans of the waiters at {@code parent} whose announcement falls at {@code instant}. */
    private void announcePendingAt(long parent, long instant) {
        for (WaitingLog.Waiter w : waiting.at(parent)) { // none when released or timed out before the delay
            if (pendingInstant(w.deadlineNs) != instant) {
                continue; // another waiter's announcement, or one parked (announced before its park)
            }
            long untilNs = w.deadlineNs + retentionNs;
            // its span ids only: an outline here would be a third decode of a long waiter
            FragmentOutlineDecoder.forEachSpanId(w.fragment,
                    spanId -> pendingAnnouncer.announcePending(spanId, untilNs));
            pendingAnnounced++;
        }
    }

    private void expireWaitersOf(long parent, long dueNs, long nowNs, List<Fragment> rooted) {
        List<WaitingLog.Waiter> ws = waiting.at(parent);
        if (ws.isEmpty()) {
            return;
        }
        boolean parentPending = isPending(parent, nowNs);
        for (WaitingLog.Waiter w : ws) {
            if (w.deadlineNs > dueNs) {
                continue;
            }
            if (parentPending) {
                w.deadlineNs = nowNs + parentWaitNs;
                byDeadline.add(w.deadlineNs, parent);
                parked++;
            } else {
                waiting.remove(w);
                rooted.add(decode(w));
            }
        }
    }

    @Override
    public void drainWaiting(Consumer<Fragment> fragments) {
        List<WaitingLog.Waiter> all = new ArrayList<>();
        waiting.forEach(all::add);
        List<Fragment> out = new ArrayList<>(all.size());
        for (WaitingLog.Waiter w : all) {
            waiting.remove(w);
            out.add(decode(w));
        }
        out.forEach(fragments);
    }

    @Override
    public int knownSpans() {
        return (int) known.size();
    }

    @Override
    public int waitingFragments() {
        return waiting.size();
    }

    @Override
    public long evictedKnownSpans() {
        return known.evicted();
    }

    /** Whether a fragment here waits for span {@code spanId}. */
    boolean isAwaited(long spanId) {
        return waiting.isAwaited(spanId);
    }

    /** Lookups that found a stored announcement they could not read (and treated as no announcement). */
    long unreadableKnownSpans() {
        return unreadableKnownSpans;
    }

    /** Waits extended because the parent's own fragment was still waiting. */
    long parkedWaits() {
        return parked;
    }

    /** Due waits started again because the task could not read its input meanwhile. */
    long restartedWaits() {
        return restarted;
    }

    /** Waiting fragments that announced their spans as pending (they waited longer than the delay). */
    long pendingAnnounced() {
        return pendingAnnounced;
    }

    private long pendingInstant(long deadlineNs) {
        return deadlineNs - parentWaitNs + pendingDelayNs;
    }

    /** A waiting fragment's outline; its bytes are kept for forwarding it once resolved. */
    private Fragment decode(WaitingLog.Waiter w) {
        return fragmentBytes.decode(w.fragment);
    }

    /** A marker lapses at its own instant even while the batch that brought it is still kept. */
    private boolean isPending(long spanId, long nowNs) {
        AnnouncedSpan a = announcement(spanId);
        return a != null && a.hasPending() && a.getPending().getUntilEpochNanos() > nowNs;
    }

    /** The announcement of {@code spanId}, or null; one that cannot be read counts as none (and is counted). */
    private AnnouncedSpan announcement(long spanId) {
        byte[] value = known.get(spanId);
        if (value == null) {
            return null;
        }
        try {
            return AnnouncedSpan.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            unreadableKnownSpans++; // its batch was stored by field walk, which does not check strings
            return null;
        }
    }

}
