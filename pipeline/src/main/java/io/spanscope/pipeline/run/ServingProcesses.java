package io.spanscope.pipeline.run;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Role;
import io.spanscope.spans.SpanPipeline;

/**
 * Tells the span pipeline which processes accept connections, as soon as capture sees the accept: their
 * outbound calls must wait for the server exchange that caused them, whose record comes later.
 */
final class ServingProcesses implements CaptureEventSink {

    private final SpanPipeline pipeline;

    ServingProcesses(SpanPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public void onOpen(ConnectionOpenEvent event) {
        if (event.role() == Role.SERVER) {
            pipeline.noteServingProcess(event.id().tgid());
        }
    }

    @Override
    public void onData(DataEvent event) {
    }

    @Override
    public void onClose(ConnectionCloseEvent event) {
    }
}
