package io.spanscope.capture.event;

/**
 * The seam between capture (live eBPF probe, pcap reader, recorded event file) and everything that
 * consumes bytes. For one connection, events arrive on one thread, in the order the source saw them:
 * open, then established / data in any number, then close. Sources may omit open (joined connections
 * are always announced with {@code joinedMidStream}) and close (capture stopped).
 *
 * <p>The {@link DataEvent} passed to {@link #onData} is a reused flyweight: it and its payload are valid
 * only during the call. Keep {@link DataEvent#copy()} if it must outlive it.
 */
public interface CaptureEventSink {

    void onOpen(ConnectionOpenEvent event);

    default void onEstablished(ConnectionEstablishedEvent event) {
    }

    void onData(DataEvent event);

    void onClose(ConnectionCloseEvent event);
}
