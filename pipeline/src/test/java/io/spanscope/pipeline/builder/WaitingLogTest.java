package io.spanscope.pipeline.builder;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;

/** The waiting fragments' log: one store write per commit, and a restore that gives back what waited. */
class WaitingLogTest {

    private static byte[] fragment(long id) {
        return ("fragment-" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** entry id → "parent/deadline/fragment" of everything waiting. */
    private static TreeMap<Long, String> contents(WaitingLog log) {
        TreeMap<Long, String> out = new TreeMap<>();
        log.forEach(w -> out.put(w.entryId, w.parent + "/" + w.deadlineNs + "/" + new String(w.fragment,
                java.nio.charset.StandardCharsets.UTF_8)));
        return out;
    }

    private static WaitingLog restored(List<KeyValue<Bytes, byte[]>> changelog) {
        HashKeyValueStore store = new HashKeyValueStore("waiting");
        changelog.forEach(kv -> store.put(kv.key, kv.value)); // what the restore callback does
        return new WaitingLog(store);
    }

    @Test
    void aCommitIsOneWriteAndWaitsThatStartAndEndWithinItAreNeverLogged() {
        RecordingStore store = new RecordingStore(new HashKeyValueStore("waiting"));
        WaitingLog log = new WaitingLog(store);
        List<WaitingLog.Waiter> ws = new ArrayList<>();
        for (long i = 1; i <= 50; i++) {
            ws.add(log.add(i % 7, 1_000 + i, fragment(i)));
        }
        log.remove(ws.get(0)); // released before the commit
        log.commit();
        assertThat(store.changelog).hasSize(1);
        assertThat(log.size()).isEqualTo(49);
        assertThat(contents(restored(store.changelog))).isEqualTo(contents(log));

        log.removeAll(3);
        log.commit();
        assertThat(store.changelog).hasSize(2);
        assertThat(contents(restored(store.changelog))).isEqualTo(contents(log));
    }

    @Test
    void deltasAreDeletedOnceNothingInThemWaitsAndTheirRemovalsAreMoot() {
        RecordingStore store = new RecordingStore(new HashKeyValueStore("waiting"));
        WaitingLog log = new WaitingLog(store);
        WaitingLog.Waiter a = log.add(1, 100, fragment(1));
        WaitingLog.Waiter b = log.add(2, 100, fragment(2));
        log.commit(); // delta 1: a, b
        log.remove(a);
        WaitingLog.Waiter c = log.add(3, 200, fragment(3));
        log.commit(); // delta 2: c, removes a — both deltas stay (b and c wait)
        assertThat(log.loggedDeltas()).isEqualTo(2);
        log.remove(b);
        log.commit(); // delta 3 removes b: delta 1 is done, then delta 3 (its removal is moot); delta 2 holds c
        assertThat(log.loggedDeltas()).isEqualTo(1);
        assertThat(store.compacted()).hasSize(1);
        assertThat(contents(restored(store.compacted()))).isEqualTo(contents(log));
        log.remove(c);
        log.commit();
        assertThat(log.loggedDeltas()).isZero();
        assertThat(store.compacted()).isEmpty();
    }

    @Test
    void anyHistoryRestoresToWhatWaitedAtTheLastCommitFromTheWholeOrTheCompactedLog() {
        Random random = new Random(11);
        RecordingStore store = new RecordingStore(new HashKeyValueStore("waiting"));
        WaitingLog log = new WaitingLog(store);
        long next = 1;
        for (int step = 0; step < 8_000; step++) {
            int op = random.nextInt(10);
            if (op < 5) {
                log.add(random.nextInt(300) + 1, step, fragment(next++));
            } else if (op < 8) {
                log.removeAll(random.nextInt(300) + 1);
            } else if (op == 8) {
                log.commit();
                assertThat(contents(restored(store.compacted()))).isEqualTo(contents(log));
            } else if (op == 9 && random.nextInt(50) == 0) {
                // a restart: the log is rebuilt from the store and goes on from there
                log.commit();
                log = new WaitingLog(store);
            }
        }
        log.commit();
        TreeMap<Long, String> expected = contents(log);
        assertThat(contents(restored(store.changelog))).isEqualTo(expected);
        assertThat(contents(restored(store.compacted()))).isEqualTo(expected);
        assertThat(store.compacted()).hasSize(log.loggedDeltas());
        // once nothing waits, nothing is left in the log
        List<WaitingLog.Waiter> all = new ArrayList<>();
        log.forEach(all::add);
        all.forEach(log::remove);
        log.commit();
        assertThat(store.compacted()).isEmpty();
    }

    @Test
    void aLongWaitIsCarriedForwardInsteadOfKeepingEveryLaterDelta() {
        RecordingStore store = new RecordingStore(new HashKeyValueStore("waiting"));
        WaitingLog log = new WaitingLog(store);
        long longWaitParent = 1;
        log.add(longWaitParent, 1_000_000, fragment(0));
        long next = 1;
        long previousParent = -1;
        for (int commit = 0; commit < 200; commit++) {
            long parent = 1_000 + commit; // ten fragments wait for it, released in the next commit
            for (int i = 0; i < 10; i++) {
                log.add(parent, commit, fragment(next++));
            }
            if (previousParent > 0) {
                assertThat(log.removeAll(previousParent)).hasSize(10);
            }
            previousParent = parent;
            log.commit();
            assertThat(log.loggedDeltas()).as("commit %d", commit).isLessThanOrEqualTo(3);
        }
        assertThat(store.compacted()).hasSize(log.loggedDeltas());
        TreeMap<Long, String> expected = contents(log);
        assertThat(expected).hasSize(11);
        assertThat(contents(restored(store.compacted()))).isEqualTo(expected);
        assertThat(contents(restored(store.changelog))).isEqualTo(expected);
        // each delta of 11 was carried once (a single fragment): the log wrote it about once per commit
        long loggedAgain = store.changelog.stream().filter(kv -> kv.value != null)
                .mapToLong(kv -> new String(kv.value, java.nio.charset.StandardCharsets.ISO_8859_1)
                        .split("fragment-0", -1).length - 1).sum();
        assertThat(loggedAgain).isBetween(150L, 201L);
        // restored, it goes on carrying and deleting
        WaitingLog again = new WaitingLog(store);
        again.removeAll(previousParent);
        again.commit();
        assertThat(again.loggedDeltas()).isLessThanOrEqualTo(2);
        assertThat(contents(restored(store.compacted()))).isEqualTo(contents(again));
    }
}
