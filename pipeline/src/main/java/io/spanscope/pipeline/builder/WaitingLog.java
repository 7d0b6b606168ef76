package io.spanscope.pipeline.builder;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.spanscope.pipeline.builder.proto.WaitingDelta;
import io.spanscope.pipeline.builder.proto.WaitingEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The fragments waiting in one partition task, by parent span id, kept on the heap and logged to a
 * changelogged store one commit at a time: {@link #commit()} writes one {@code WaitingDelta} record (the
 * fragments that started waiting since the last commit, and the ids of the logged ones that stopped)
 * instead of a store write per fragment that starts and one per fragment that stops. A fragment that
 * starts and stops within one commit is never logged. At start the deltas in the store are replayed in
 * sequence order.
 *
 * <p>The log stays small: a delta is deleted (a tombstone) once none of its fragments waits any more and
 * every delta it removed fragments from is deleted — before that its removals are still needed to replay
 * the older deltas right. Deadlines moved after a fragment was logged (parked or restarted waits) are not
 * logged: a restored task restarts every due wait at its first punctuation, so a wait can only get longer
 * across a restore, never shorter. A delta is split when its fragments pass {@link #MAX_DELTA_BYTES}.
 */
final class WaitingLog {

    /** Keeps a delta record well below Kafka's default 1 MB limit. */
    static final int MAX_DELTA_BYTES = 256 * 1024;
    private static final long NOT_LOGGED = -1;

    /** A waiting fragment. Its deadline is the task's to move. */
    static final class Waiter {
        final long entryId;
        final long parent;
        final byte[] fragment;
        long deadlineNs;
        private long delta = NOT_LOGGED;
        /** Still in the log's index (a flag, not a lookup by entry id: one map fewer to probe per fragment). */
        private boolean indexed;

        private Waiter(long entryId, long parent, long deadlineNs, byte[] fragment) {
            this.entryId = entryId;
            this.parent = parent;
            this.deadlineNs = deadlineNs;
            this.fragment = fragment;
        }
    }

    /** A delta in the store. */
    private static final class Delta {
        int waiting;
        int undeletedSources;
        final List<Long> removedFromBy = new ArrayList<>(0);
    }

    private final KeyValueStore<Bytes, byte[]> store;
    private final LongKeyMap<List<Waiter>> byParent = new LongKeyMap<>();
    private final LongKeyMap<Delta> deltas = new LongKeyMap<>();
    private final List<Waiter> added = new ArrayList<>();
    private final List<Long> removed = new ArrayList<>();
    private final LongKeyMap<Boolean> removedFrom = new LongKeyMap<>();
    private final List<Long> deletable = new ArrayList<>();
    private int addedBytes;
    private int size;
    private long nextEntryId = 1;
    private long nextSequence = 1;

    WaitingLog(KeyValueStore<Bytes, byte[]> store) {
        this.store = store;
        List<KeyValue<Bytes, byte[]>> logged = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            it.forEachRemaining(logged::add);
        }
        logged.sort((a, b) -> Long.compare(sequenceOf(a.key), sequenceOf(b.key)));
        LongKeyMap<Waiter> byEntry = new LongKeyMap<>(); // only a replay looks fragments up by entry id
        for (KeyValue<Bytes, byte[]> kv : logged) {
            replay(sequenceOf(kv.key), parse(kv.value), byEntry);
        }
        deltas.forEachKey(deletable::add); // written as tombstones at the first commit if they qualify
    }

    private void replay(long sequence, WaitingDelta d, LongKeyMap<Waiter> byEntry) {
        Delta delta = new Delta();
        deltas.put(sequence, delta);
        for (WaitingEntry e : d.getAddedList()) {
            Waiter w = new Waiter(e.getEntryId(), e.getParentSpanId(), e.getDeadlineEpochNanos(),
                    e.getFragment().toByteArray());
            w.delta = sequence;
            index(w);
            byEntry.put(w.entryId, w);
            delta.waiting++;
            nextEntryId = Math.max(nextEntryId, w.entryId + 1);
        }
        LongKeyMap<Boolean> sources = new LongKeyMap<>();
        for (long id : d.getRemovedList()) {
            Waiter w = byEntry.remove(id);
            if (w != null) { // else its delta was deleted: nothing to undo
                unindex(w);
                deltas.get(w.delta).waiting--;
                if (sources.put(w.delta, Boolean.TRUE) == null) {
                    deltas.get(w.delta).removedFromBy.add(sequence);
                    delta.undeletedSources++;
                }
            }
        }
        nextSequence = Math.max(nextSequence, sequence + 1);
    }

    int size() {
        return size;
    }

    /** The fragments waiting for {@code parent}, oldest first; a copy, or an empty list. */
    List<Waiter> at(long parent) {
        List<Waiter> ws = byParent.get(parent);
        return ws == null ? List.of() : new ArrayList<>(ws);
    }

    void forEach(Consumer<Waiter> action) {
        byParent.forEach((parent, ws) -> ws.forEach(action));
    }

    Waiter add(long parent, long deadlineNs, byte[] fragment) {
        Waiter w = new Waiter(nextEntryId++, parent, deadlineNs, fragment);
        index(w);
        added.add(w);
        addedBytes += fragment.length;
        if (addedBytes > MAX_DELTA_BYTES) {
            commit();
        }
        return w;
    }

    void remove(Waiter w) {
        if (!w.indexed) {
            return;
        }
        unindex(w);
        logRemoval(w);
    }

    private void logRemoval(Waiter w) {
        if (w.delta == NOT_LOGGED) {
            addedBytes -= w.fragment.length; // left out of the delta by commit(); removing it here would scan
            return;
        }
        removed.add(w.entryId);
        removedFrom.put(w.delta, Boolean.TRUE);
        if (--deltas.get(w.delta).waiting == 0) {
            deletable.add(w.delta);
        }
    }

    /** Removes and returns every fragment waiting for {@code parent}. */
    List<Waiter> removeAll(long parent) {
        List<Waiter> ws = byParent.remove(parent);
        if (ws == null) {
            return List.of();
        }
        for (int i = 0; i < ws.size(); i++) {
            Waiter w = ws.get(i);
            w.indexed = false;
            size--;
            logRemoval(w);
        }
        return ws;
    }

    /** Logs what changed since the last commit as one delta, then deletes the deltas that are no longer needed. */
    void commit() {
        added.removeIf(w -> !w.indexed); // started and ended within this commit: never logged
        if (!added.isEmpty() || !removed.isEmpty()) {
            long sequence = nextSequence++;
            WaitingDelta.Builder d = WaitingDelta.newBuilder().addAllRemoved(removed);
            for (Waiter w : added) {
                d.addAdded(WaitingEntry.newBuilder().setEntryId(w.entryId).setParentSpanId(w.parent)
                        .setDeadlineEpochNanos(w.deadlineNs).setFragment(UnsafeByteOperations.unsafeWrap(w.fragment)));
                w.delta = sequence;
            }
            store.put(key(sequence), d.build().toByteArray());
            Delta delta = new Delta();
            delta.waiting = added.size();
            deltas.put(sequence, delta);
            removedFrom.forEachKey(source -> {
                Delta s = deltas.get(source);
                if (s != null) {
                    s.removedFromBy.add(sequence);
                    delta.undeletedSources++;
                }
            });
            deletable.add(sequence);
            added.clear();
            removed.clear();
            removedFrom.clear();
            addedBytes = 0;
        }
        for (int i = 0; i < deletable.size(); i++) {
            deleteIfDone(deletable.get(i));
        }
        deletable.clear();
    }

    private void deleteIfDone(long sequence) {
        Delta delta = deltas.get(sequence);
        if (delta == null || delta.waiting > 0 || delta.undeletedSources > 0) {
            return;
        }
        deltas.remove(sequence);
        store.delete(key(sequence));
        for (long later : delta.removedFromBy) {
            Delta l = deltas.get(later);
            if (l != null) {
                l.undeletedSources--;
                deleteIfDone(later);
            }
        }
    }

    private void index(Waiter w) {
        List<Waiter> ws = byParent.get(w.parent);
        if (ws == null) {
            ws = new ArrayList<>(1);
            byParent.put(w.parent, ws);
        }
        ws.add(w);
        w.indexed = true;
        size++;
    }

    private void unindex(Waiter w) {
        List<Waiter> ws = byParent.get(w.parent);
        ws.remove(w);
        if (ws.isEmpty()) {
            byParent.remove(w.parent);
        }
        w.indexed = false;
        size--;
    }

    /** Deltas in the store now (for tests). */
    int loggedDeltas() {
        return deltas.size();
    }

    private static Bytes key(long sequence) {
        return HashKeyValueStore.idKey(sequence);
    }

    private static long sequenceOf(Bytes key) {
        return java.nio.ByteBuffer.wrap(key.get()).getLong();
    }

    private static WaitingDelta parse(byte[] value) {
        try {
            return WaitingDelta.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt waiting-fragments store entry", e);
        }
    }
}
