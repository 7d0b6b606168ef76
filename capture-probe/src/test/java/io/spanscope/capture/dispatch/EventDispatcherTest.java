package io.spanscope.capture.dispatch;

import static io.spanscope.capture.ringbuf.EventLayout.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The dispatcher and its workers, fed by this test as the reader thread. */
class EventDispatcherTest {

    private static final int TGID = 4242;

    @Test
    void recordsQueuedAfterTheWorkersWentIdleAreAllDeliveredInOrderPerConnection() throws Exception {
        ConcurrentLinkedQueue<ConnectionCloseEvent> delivered = new ConcurrentLinkedQueue<>();
        EventDispatcher dispatcher = new EventDispatcher(2, 1 << 16, worker -> closesInto(delivered),
                RoleResolver.NONE, ProcessEventListener.NONE, library -> "");
        dispatcher.start();
        ByteBuffer record = ByteBuffer.allocate(CLOSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int rounds = 20;
        int perRound = 40;
        try {
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < perRound; i++) {
                    int fd = 10 + i % 8;
                    long generation = (long) round * perRound + i;
                    writeClose(record, fd, generation);
                    dispatcher.onRecord(record, 0, CLOSE_SIZE);
                }
                dispatcher.endOfDrain();
                Thread.sleep(3); // well past the workers' spin: they park between rounds
            }
            long waitUntil = System.nanoTime() + 10_000_000_000L;
            while (delivered.size() < rounds * perRound && System.nanoTime() < waitUntil) {
                Thread.sleep(1);
            }
        } finally {
            dispatcher.close();
        }

        assertThat(delivered).hasSize(rounds * perRound);
        Map<Integer, List<Long>> generationsByFd = new TreeMap<>();
        for (ConnectionCloseEvent e : delivered) {
            assertThat(e.id().tgid()).isEqualTo(TGID);
            assertThat(e.bytesSent()).isEqualTo(e.id().generation() * 3);
            generationsByFd.computeIfAbsent(e.id().fd(), fd -> new ArrayList<>()).add(e.id().generation());
        }
        assertThat(generationsByFd).hasSize(8);
        generationsByFd.values().forEach(generations -> assertThat(generations).isSorted().hasSize(rounds * perRound / 8));
        assertThat(dispatcher.queueDropsPerWorker()).containsOnly(0L);
        assertThat(dispatcher.isIdle()).isTrue();
        assertThat(dispatcher.workerCounters()).allSatisfy(c -> assertThat(c.missedWakeups()).isZero());
    }

    @Test
    void aRecordQueuedWithoutAWakeUpIsDeliveredByTheSafetyNetAndCountedAsAMissedWakeUp() throws Exception {
        ConcurrentLinkedQueue<ConnectionCloseEvent> delivered = new ConcurrentLinkedQueue<>();
        SpscByteQueue queue = new SpscByteQueue(1 << 12);
        WorkerCounters counters = new WorkerCounters();
        DispatchWorker worker = new DispatchWorker(queue,
                new EventDecoder(closesInto(delivered), RoleResolver.NONE, counters, library -> ""), counters);
        Thread thread = new Thread(worker, "missed-wakeup-test-worker");
        thread.start();
        int offered = 0;
        try {
            ByteBuffer record = ByteBuffer.allocate(CLOSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            // a busy machine may deschedule this thread until the worker's park has timed out: try again
            while (counters.missedWakeups() == 0 && offered < 20) {
                awaitParked(thread);
                writeClose(record, 10, ++offered);
                assertThat(queue.offer(record, 0, CLOSE_SIZE)).isTrue(); // as a reader that forgot wakeIfParked
                awaitSize(delivered, offered);
            }
        } finally {
            worker.stop();
            thread.join(10_000);
        }
        assertThat(delivered).hasSize(offered);
        assertThat(counters.missedWakeups()).isEqualTo(1);
    }

    @Test
    void aFullQueueMakesTheReaderWaitWhileTheRingHasRoomAndNothingIsLost() throws Exception {
        ConcurrentLinkedQueue<ConnectionCloseEvent> delivered = new ConcurrentLinkedQueue<>();
        CountDownLatch sinkReleased = new CountDownLatch(1);
        // a worker that cannot keep up at first: its sink blocks until the reader has filled the queue
        EventDispatcher dispatcher = new EventDispatcher(1, 1 << 12, worker -> blockingCloses(delivered, sinkReleased),
                RoleResolver.NONE, ProcessEventListener.NONE, library -> "");
        dispatcher.waitForQueueSpaceWhile(() -> true);
        dispatcher.start();
        int records = 1_000; // 48-byte records, 56 with the length: 73 fit in the queue
        ByteBuffer record = ByteBuffer.allocate(CLOSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sinkReleased.countDown();
        });
        releaser.start();
        try {
            for (int i = 1; i <= records; i++) {
                writeClose(record, 10, i);
                dispatcher.onRecord(record, 0, CLOSE_SIZE);
            }
            dispatcher.endOfDrain();
            awaitSize(delivered, records);
        } finally {
            releaser.join();
            dispatcher.close();
        }

        assertThat(delivered).hasSize(records);
        assertThat(delivered).extracting(e -> e.id().generation()).isSorted();
        assertThat(dispatcher.queueDropsPerWorker()).containsExactly(0L);
        assertThat(dispatcher.queueWaits()).isPositive();
    }

    @Test
    void whenTheRingHasNoRoomLeftAFullQueueDropsAndCounts() throws Exception {
        ConcurrentLinkedQueue<ConnectionCloseEvent> delivered = new ConcurrentLinkedQueue<>();
        CountDownLatch sinkReleased = new CountDownLatch(1);
        EventDispatcher dispatcher = new EventDispatcher(1, 1 << 12, worker -> blockingCloses(delivered, sinkReleased),
                RoleResolver.NONE, ProcessEventListener.NONE, library -> "");
        // room for a few waits only, as a ring filling up while the reader waits
        AtomicInteger roomLeft = new AtomicInteger(50);
        dispatcher.waitForQueueSpaceWhile(() -> roomLeft.decrementAndGet() > 0);
        dispatcher.start();
        int records = 1_000;
        ByteBuffer record = ByteBuffer.allocate(CLOSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        try {
            for (int i = 1; i <= records; i++) {
                writeClose(record, 10, i);
                dispatcher.onRecord(record, 0, CLOSE_SIZE);
            }
            sinkReleased.countDown();
            dispatcher.endOfDrain();
            long waitUntil = System.nanoTime() + 10_000_000_000L;
            while (!dispatcher.isIdle() && System.nanoTime() < waitUntil) {
                Thread.sleep(1);
            }
        } finally {
            sinkReleased.countDown();
            dispatcher.close();
        }

        long dropped = dispatcher.queueDropsPerWorker().get(0);
        assertThat(dropped).isPositive();
        assertThat(delivered.size() + dropped).isEqualTo(records);
        assertThat(dispatcher.queueWaits()).isPositive();
    }

    private static void awaitParked(Thread worker) throws InterruptedException {
        long waitUntil = System.nanoTime() + 10_000_000_000L;
        while (worker.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < waitUntil) {
            Thread.sleep(1);
        }
    }

    private static void awaitSize(ConcurrentLinkedQueue<?> delivered, int size) throws InterruptedException {
        long waitUntil = System.nanoTime() + 10_000_000_000L;
        while (delivered.size() < size && System.nanoTime() < waitUntil) {
            Thread.sleep(1);
        }
    }

    private static void writeClose(ByteBuffer record, int fd, long generation) {
        record.putInt(HEADER_TYPE, TYPE_CLOSE)
                .putInt(HEADER_TGID, TGID)
                .putInt(HEADER_TID, TGID)
                .putInt(HEADER_FD, fd)
                .putLong(HEADER_TIMESTAMP_NS, 1_000 + generation)
                .putLong(HEADER_GENERATION, generation)
                .putLong(CLOSE_BYTES_SENT, generation * 3)
                .putLong(CLOSE_BYTES_RECEIVED, generation * 5);
    }

    private static CaptureEventSink closesInto(ConcurrentLinkedQueue<ConnectionCloseEvent> delivered) {
        return blockingCloses(delivered, new CountDownLatch(0));
    }

    /** Collects close events, each only once {@code released} opens: a worker that falls behind. */
    private static CaptureEventSink blockingCloses(ConcurrentLinkedQueue<ConnectionCloseEvent> delivered,
                                                   CountDownLatch released) {
        return new CaptureEventSink() {
            @Override
            public void onOpen(ConnectionOpenEvent event) {
            }

            @Override
            public void onData(DataEvent event) {
            }

            @Override
            public void onClose(ConnectionCloseEvent event) {
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                delivered.add(event);
            }
        };
    }
}
