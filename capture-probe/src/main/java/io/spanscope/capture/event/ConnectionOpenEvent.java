package io.spanscope.capture.event;

/**
 * A connection became known: returned by connect() or accept(), or first seen carrying data when it was
 * already open before capture started ({@code joinedMidStream}).
 *
 * @param timestampNs when the connection became known, on the source's clock (see {@link CaptureClock})
 * @param tid thread that connected or accepted (or first touched a joined connection)
 * @param cgroupId cgroup v2 id of the process, 0 when unknown
 */
public record ConnectionOpenEvent(
        ConnectionId id,
        int tid,
        long timestampNs,
        Role role,
        Endpoint local,
        Endpoint remote,
        boolean joinedMidStream,
        long cgroupId) {
}
