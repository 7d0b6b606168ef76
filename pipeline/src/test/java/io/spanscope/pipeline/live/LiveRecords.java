package io.spanscope.pipeline.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.live.CaptureStartException;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.record.Record;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Live capture of the test's own ports into the parsers: one tracker per capture worker, every record kept.
 * {@link #finish()} is the common ending: everything read is parsed, pending exchanges are ended, and no
 * event may have been lost.
 */
final class LiveRecords implements AutoCloseable {

    private final LiveCapture capture;
    private final List<ConnectionTracker> trackers = new CopyOnWriteArrayList<>();
    private final List<Record> records = Collections.synchronizedList(new ArrayList<>());

    private LiveRecords(LiveCapture capture) {
        this.capture = capture;
    }

    static LiveRecords capturePorts(List<Integer> ports) throws CaptureStartException {
        LiveRecords live = new LiveRecords(LiveCapture.builder().allowPorts(ports).build());
        live.capture.start(worker -> {
            ConnectionTracker tracker = new ConnectionTracker(ParserConfig.defaults(), live.records::add);
            live.trackers.add(tracker);
            return tracker;
        });
        return live;
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
}
