package io.spanscope.parsers.record;

import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.capture.event.Role;

/**
 * What is known about a connection independent of its protocol, as the observing process sees it.
 *
 * @param role role of the observing process; inferred from the protocol when capture did not know it
 * @param local the observing process's end
 * @param remote the peer's end
 */
public record ConnectionInfo(
        ConnectionId id,
        Role role,
        Endpoint local,
        Endpoint remote,
        boolean joinedMidStream) {

    public int tgid() {
        return id.tgid();
    }

    /** The connecting end: local when the process is the client, remote otherwise. */
    public Endpoint client() {
        return role == Role.SERVER ? remote : local;
    }

    /** The accepting end. */
    public Endpoint server() {
        return role == Role.SERVER ? local : remote;
    }

    public ConnectionInfo withRole(Role newRole) {
        return newRole == role ? this : new ConnectionInfo(id, newRole, local, remote, joinedMidStream);
    }
}
