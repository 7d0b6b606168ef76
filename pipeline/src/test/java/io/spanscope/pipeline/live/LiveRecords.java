package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.DataSource;
import io.spanscope.capture.live.CaptureStartException;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.capture.live.LiveCaptureStats;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.DropReason;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Record;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live capture of the test's own ports into the parsers: one tracker per capture worker, every record kept.
 * {@link #finish()} is the common ending: everything read is parsed, pending exchanges are ended, and no
 * event may have been lost.
 */
final class LiveRecords implements AutoCloseable {

    private final LiveCapture capture;
    private final List<ConnectionTracker> trackers = new CopyOnWriteArrayList<>();
    private final List<Record> records = Collections.synchronizedList(new ArrayList<>());
    private final Map<Integer, LongAdder> tlsPlaintextEvents = new ConcurrentHashMap<>();
    private final Map<Integer, Set<String>> tlsLibraries = new ConcurrentHashMap<>();

    private LiveRecords(LiveCapture capture) {
        this.capture = capture;
    }

    static LiveRecords capturePorts(List<Integer> ports) throws CaptureStartException {
        LiveRecords live = new LiveRecords(LiveCapture.builder().allowPorts(ports).build());
        live.capture.start(worker -> {
            ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), live.records::add);
            live.trackers.add(tracker);
            return live.new TlsCounting(tracker);
        });
        return live;
    }

    /**
     * Waits until the TLS uprobes are on libssl: attaching is asynchronous, and an SSL call entered before
     * it has no return probe. Uprobes are per file, so every process using that libssl is covered after.
     */
    void awaitLibsslAttached(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (capture.stats().tls().attachedFiles().stream().noneMatch(file -> file.contains("libssl.so"))) {
            assertThat(System.nanoTime()).as("libssl attached; %s", capture.stats().tls()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Waits until the TLS uprobes (OpenSSL or Go crypto/tls) are on {@code file}; attaching is asynchronous. */
    void awaitTlsAttached(Path file, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!capture.stats().tls().attachedFiles().contains(file.toString())) {
            assertThat(System.nanoTime()).as("%s attached; %s", file, capture.stats().tls()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** The TLS libraries that supplied plaintext of process {@code tgid} ("libssl.so.3", "go"). */
    Set<String> tlsLibraries(long tgid) {
        return Set.copyOf(tlsLibraries.getOrDefault((int) tgid, Set.of()));
    }

    /** The capture's counters (TLS included). */
    LiveCaptureStats captureStats() {
        return capture.stats();
    }

    /** Data events of process {@code tgid} that were TLS plaintext (from SSL_read/SSL_write). */
    long tlsPlaintextEvents(long tgid) {
        LongAdder count = tlsPlaintextEvents.get((int) tgid);
        return count == null ? 0 : count.sum();
    }

    /** A drop counter summed over the trackers. */
    long drops(DropReason reason) {
        return trackers.stream().mapToLong(t -> t.stats().drops(reason)).sum();
    }

    /** Stops capture once it has handed on everything read, ends every connection, asserts nothing was lost. */
    List<Record> finish() throws InterruptedException {
        assertThat(capture.awaitDrained(Duration.ofSeconds(10))).as("capture drained").isTrue();
        capture.close();
        trackers.forEach(ConnectionTracker::endAll);
        assertThat(capture.stats().eventsLost()).as("lost events: %s", capture.stats()).isZero();
        return List.copyOf(records);
    }

    @Override
    public void close() {
        capture.close();
    }

    /** Counts the TLS plaintext events per process on their way to the tracker. */
    private final class TlsCounting implements CaptureEventSink {
        private final ConnectionTracker tracker;

        TlsCounting(ConnectionTracker tracker) {
            this.tracker = tracker;
        }

        @Override
        public void onOpen(ConnectionOpenEvent event) {
            tracker.onOpen(event);
        }

        @Override
        public void onEstablished(ConnectionEstablishedEvent event) {
            tracker.onEstablished(event);
        }

        @Override
        public void onData(DataEvent event) {
            if (event.source() == DataSource.TLS) {
                tlsPlaintextEvents.computeIfAbsent(event.tgid(), tgid -> new LongAdder()).increment();
                tlsLibraries.computeIfAbsent(event.tgid(), tgid -> ConcurrentHashMap.newKeySet()).add(event.tlsLibrary());
            }
            tracker.onData(event);
        }

        @Override
        public void onClose(ConnectionCloseEvent event) {
            tracker.onClose(event);
        }
    }
}
