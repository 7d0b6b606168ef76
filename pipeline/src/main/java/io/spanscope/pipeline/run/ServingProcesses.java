package io.spanscope.pipeline.run;

import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Role;
import io.spanscope.spans.SpanPipeline;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Tells the span pipeline which server connections processes hold, as soon as capture sees the accept and
 * the close: a serving process's outbound calls must wait for the server exchange that caused them (whose
 * record comes later), and how many connections it serves at once bounds how many requests can be in
 * flight. One per capture worker (a connection's events all reach one worker), so its set needs no lock.
 */
public final class ServingProcesses implements CaptureEventSink {

    private final SpanPipeline pipeline;
    /**
     * Bounded: connections of processes that exit are closed by the kernel without a close() call, so
     * some entries never leave. The oldest are forgotten past the bound; their process then still counts
     * them as open, which only makes the linker more cautious.
     */
    private static final int MAX_TRACKED = 65_536;
    private final Set<ConnectionId> serverConnections = new LinkedHashSet<>();

    public ServingProcesses(SpanPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public void onOpen(ConnectionOpenEvent event) {
        if (event.role() == Role.SERVER && serverConnections.add(event.id())) {
            if (serverConnections.size() > MAX_TRACKED) {
                Iterator<ConnectionId> eldest = serverConnections.iterator();
                eldest.next();
                eldest.remove();
            }
            pipeline.noteServerConnectionOpened(event.id().tgid(), event.timestampNs());
        }
    }

    @Override
    public void onData(DataEvent event) {
    }

    @Override
    public void onClose(ConnectionCloseEvent event) {
        if (serverConnections.remove(event.id())) {
            pipeline.noteServerConnectionClosed(event.id().tgid(), event.timestampNs());
        }
    }
}
