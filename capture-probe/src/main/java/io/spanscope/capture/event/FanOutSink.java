package io.spanscope.capture.event;

import java.util.List;

/** Hands every event to several sinks, in order. */
public final class FanOutSink implements CaptureEventSink {

    private final CaptureEventSink[] sinks;

    public FanOutSink(List<? extends CaptureEventSink> sinks) {
        this.sinks = sinks.toArray(new CaptureEventSink[0]);
    }

    public FanOutSink(CaptureEventSink... sinks) {
        this.sinks = sinks.clone();
    }

    @Override
    public void onOpen(ConnectionOpenEvent event) {
        for (CaptureEventSink s : sinks) {
            s.onOpen(event);
        }
    }

    @Override
    public void onEstablished(ConnectionEstablishedEvent event) {
        for (CaptureEventSink s : sinks) {
            s.onEstablished(event);
        }
    }

    @Override
    public void onData(DataEvent event) {
        for (CaptureEventSink s : sinks) {
            s.onData(event);
        }
    }

    @Override
    public void onClose(ConnectionCloseEvent event) {
        for (CaptureEventSink s : sinks) {
            s.onClose(event);
        }
    }
}
