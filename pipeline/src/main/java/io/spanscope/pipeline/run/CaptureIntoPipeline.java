package io.spanscope.pipeline.run;

import io.spanscope.capture.dispatch.ProcessEventListener;
import io.spanscope.capture.event.FanOutSink;
import io.spanscope.capture.live.CaptureStartException;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.ParserStats;
import io.spanscope.pipeline.console.StatsJson;
import io.spanscope.pipeline.http.StatsMetrics;
import io.spanscope.spans.SpanPipeline;
import io.spanscope.spans.metrics.PrometheusWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A live capture whose workers feed a span pipeline, as {@code run} and {@code agent} both do: each worker
 * gets its own connection tracker behind the set of serving processes, and process exits reach the
 * pipeline. Holds the trackers for their stats and for ending their connections at close.
 */
public final class CaptureIntoPipeline {

    private final List<ConnectionTracker> trackers = new ArrayList<>();
    private LiveCapture capture;
    private SpanPipeline pipeline;

    public void start(LiveCapture capture, ParserConfig parserConfig, SpanPipeline pipeline)
            throws CaptureStartException {
        this.capture = capture;
        this.pipeline = pipeline;
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

    /**
     * The capture's, hand-offs', parsers' and spans' counters, under the same names in {@code run} and
     * {@code agent} (and, through the agent's heartbeats, at the span builder).
     */
    public void writeMetrics(PrometheusWriter w) {
        StatsMetrics.write(w, "spanscope_capture", capture.stats());
        StatsMetrics.write(w, "spanscope_capture_handoff", capture.handoffStats());
        StatsMetrics.write(w, "spanscope_parser", parserStats());
        StatsMetrics.write(w, "spanscope_spans", pipeline.stats());
    }

    /** The same counters as JSON members, for {@code /status}. */
    public String statusJsonMembers() {
        List<String> parsers = parserStats().stream().map(StatsJson::of).toList();
        return "\"capture\":" + StatsJson.of(capture.stats()) + ",\"handoffs\":" + StatsJson.of(capture.handoffStats())
                + ",\"parsers\":[" + String.join(",", parsers) + "]"
                + ",\"spans\":" + StatsJson.of(pipeline.stats());
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
