package io.spanscope.pipeline.run;

import io.spanscope.capture.dispatch.ProcessEventListener;
import io.spanscope.capture.event.FanOutSink;
import io.spanscope.capture.live.CaptureStartException;
import io.spanscope.capture.live.LiveCapture;
import io.spanscope.parsers.ConnectionTracker;
import io.spanscope.parsers.ParserConfig;
import io.spanscope.spans.SpanPipeline;
import java.util.List;

/**
 * Starts a live capture whose workers feed a span pipeline, as {@code run} and {@code agent} both do: each
 * worker gets its own connection tracker (kept in {@code trackers} for their stats) behind the set of
 * serving processes, and process exits reach the pipeline.
 */
public final class CaptureIntoPipeline {

    private CaptureIntoPipeline() {
    }

    /** @param trackers receives every worker's tracker; callers read it under its own lock */
    public static void start(LiveCapture capture, ParserConfig parserConfig, SpanPipeline pipeline,
                             List<ConnectionTracker> trackers) throws CaptureStartException {
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
}
