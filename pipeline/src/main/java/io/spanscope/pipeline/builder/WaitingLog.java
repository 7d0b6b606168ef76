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
 * the older deltas right. Since a single long wait would keep its delta, and with it every later delta that
 * removed a fragment from it, a delta of which at most a quarter still waits is carried forward: those
 * fragments are logged again in the next delta (same entry ids; a replay keeps the later copy) and the old
 * delta goes. The log then holds a few times the bytes of what waits, not everything since the oldest wait
 * began. Deadlines moved after a fragment was logged (parked or restarted waits) are not
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
        /** Its index in its delta's {@link Delta#waiters}. */
        private int positionInDelta;
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
        /** The fragments it logged, null where one stopped waiting or was carried forward. */
        final Waiter[] waiters;
        int waiting;
        int undeletedSources;
        final List<Long> removedFromBy = new ArrayList<>(0);
        boolean sparseQueued;

        Delta(Waiter[] waiters) {
            this.waiters = waiters;
            this.waiting = waiters.length;
        }

        /** At most a quarter of what it logged still waits here: worth logging those again and deleting it. */
        boolean sparse() {
            return waiting > 0 && waiting * 4 <= waiters.length;
        }
    }

    private final KeyValueStore<Bytes, byte[]> store;
    private final LongKeyMap<List<Waiter>> byParent = new LongKeyMap<>();
    private final LongKeyMap<Delta> deltas = new LongKeyMap<>();
    private final List<Waiter> added = new ArrayList<>();
    private final List<Long> removed = new ArrayList<>();
    private final LongKeyMap<Boolean> removedFrom = new LongKeyMap<>();
    private final List<Long> deletable = new ArrayList<>();
    /** Deltas that turned {@link Delta#sparse}: their waiters are carried into the next delta. */
    private final List<Long> sparse = new ArrayList<>();
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
        deltas.forEach((sequence, delta) -> {
            deletable.add(sequence); // written as tombstones at the first commit if they qualify
            if (delta.sparse()) {
                delta.sparseQueued = true;
                sparse.add(sequence);
            }
        });
    }

    private void replay(long sequence, WaitingDelta d, LongKeyMap<Waiter> byEntry) {
        Waiter[] logged = new Waiter[d.getAddedCount()];
        Delta delta = new Delta(logged);
        deltas.put(sequence, delta);
        LongKeyMap<Boolean> sources = new LongKeyMap<>();
        for (int i = 0; i < logged.length; i++) {
            WaitingEntry e = d.getAdded(i);
            Waiter w = new Waiter(e.getEntryId(), e.getParentSpanId(), e.getDeadlineEpochNanos(),
                    e.getFragment().toByteArray());
            Waiter carried = byEntry.put(w.entryId, w);
            if (carried != null) { // logged again here, carried forward from an older delta that is still kept
                undoLogged(carried, sequence, delta, sources);
            }
            w.delta = sequence;
            w.positionInDelta = i;
            logged[i] = w;
            index(w);
            nextEntryId = Math.max(nextEntryId, w.entryId + 1);
        }
        for (long id : d.getRemovedList()) {
            Waiter w = byEntry.remove(id);
            if (w != null) { // else its delta was deleted: nothing to undo
                undoLogged(w, sequence, delta, sources);
            }
        }
        nextSequence = Math.max(nextSequence, sequence + 1);
    }

    /** Replays "{@code w} stops waiting where it was logged" as delta {@code sequence} says. */
    private void undoLogged(Waiter w, long sequence, Delta delta, LongKeyMap<Boolean> sources) {
        unindex(w);
        Delta source = deltas.get(w.delta);
        source.waiting--;
        source.waiters[w.positionInDelta] = null;
        if (sources.put(w.delta, Boolean.TRUE) == null) {
            source.removedFromBy.add(sequence);
            delta.undeletedSources++;
        }
    }

    int size() {
        return size;
    }

    /** Whether a fragment waits for {@code parent} (one lookup, no copy). */
    boolean isAwaited(long parent) {
        return byParent.get(parent) != null;
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
        leave(w);
    }

    /** {@code w}, logged in its delta, is no longer there (it stopped waiting or is carried forward). */
    private void leave(Waiter w) {
        removedFrom.put(w.delta, Boolean.TRUE);
        Delta delta = deltas.get(w.delta);
        delta.waiters[w.positionInDelta] = null;
        if (--delta.waiting == 0) {
            deletable.add(w.delta);
        } else if (delta.sparse() && !delta.sparseQueued) {
            delta.sparseQueued = true;
            sparse.add(w.delta);
        }
    }

    /**
     * Logs the fragments still waiting in sparse deltas again, in the delta being written (with their entry
     * ids: a replay takes the later copy), so that those deltas can be deleted. Without this one long wait kept
     * its delta, and every later delta that removed a fragment from it, and so on: the log held every waiting
     * fragment's bytes since the oldest wait began. A delta is carried once at most (a quarter of it), so
     * what is logged again is at most a third of what is logged first.
     */
    private void carrySparseDeltas() {
        int i = 0;
        for (; i < sparse.size() && addedBytes < MAX_DELTA_BYTES; i++) {
            long sequence = sparse.get(i);
            Delta delta = deltas.get(sequence);
            if (delta == null || delta.waiting == 0) {
                continue;
            }
            for (Waiter w : delta.waiters) {
                if (w != null) {
                    leave(w);
                    w.delta = NOT_LOGGED;
                    added.add(w);
                    addedBytes += w.fragment.length;
                }
            }
        }
        sparse.subList(0, i).clear();
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
        carrySparseDeltas();
        if (!added.isEmpty() || !removed.isEmpty()) {
            long sequence = nextSequence++;
            WaitingDelta.Builder d = WaitingDelta.newBuilder().addAllRemoved(removed);
            Waiter[] logged = added.toArray(new Waiter[0]);
            for (int i = 0; i < logged.length; i++) {
                Waiter w = logged[i];
                d.addAdded(WaitingEntry.newBuilder().setEntryId(w.entryId).setParentSpanId(w.parent)
                        .setDeadlineEpochNanos(w.deadlineNs).setFragment(UnsafeByteOperations.unsafeWrap(w.fragment)));
                w.delta = sequence;
                w.positionInDelta = i;
            }
            store.put(key(sequence), d.build().toByteArray());
            Delta delta = new Delta(logged);
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
