package io.spanscope.pipeline.run;

import io.spanscope.capture.dispatch.ProcessEventListener;
import io.spanscope.capture.event.FanOutSink;
import io.spanscope.capture.live.CaptureStartException;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.ParserStats;
import io.spanscope.spans.SpanPipeline;
import java.util.ArrayList;
import java.util.List;

/**
 * A live capture whose workers feed a span pipeline, as {@code run} and {@code agent} both do: each worker
 * gets its own connection tracker behind the set of serving processes, and process exits reach the
 * pipeline. Holds the trackers for their stats and for ending their connections at close.
 */
public final class CaptureIntoPipeline {

    private final List<ConnectionTracker> trackers = new ArrayList<>();

    public void start(LiveCapture capture, ParserConfig parserConfig, SpanPipeline pipeline)
            throws CaptureStartException {
        capture.start(worker -> {
            ConnectionTracker tracker = new ConnectionTracker(parserConfig, pipeline.recordSink());
            synchronized (trackers) {
                trackers.add(tracker);
            }
            return new FanOutSink(List.of(new ServingProcesses(pipeline), tracker));
        }, new ProcessEventListener() {
            @Override
            public void onExec(int tgid) {
                // same process, same sockets: the service name is re-read through the metadata cache
            }

            @Override
            public void onExit(int tgid) {
                pipeline.forgetProcess(tgid);
            }
        });
    }

    /** One snapshot per parser worker (each tracker's counters are its own). */
    public List<ParserStats.Snapshot> parserStats() {
        synchronized (trackers) {
            return trackers.stream().map(t -> t.stats().snapshot()).toList();
        }
    }

    /** Ends every connection: pending exchanges are emitted, flagged. Call after the capture stopped. */
    public void endAll() {
        synchronized (trackers) {
            for (ConnectionTracker tracker : trackers) {
                tracker.endAll();
            }
        }
    }
}
