package io.spanscope.capture.dispatch;

import io.spanscope.capture.event.Role;

/** Decides the role of a connection capture joined mid-stream (it saw neither connect nor accept). */
@FunctionalInterface
public interface RoleResolver {

    /** Never {@link Role#UNKNOWN} unless nothing can be told; must not block for long (cold path). */
    Role inferRole(int tgid, int localPort, int remotePort);

    RoleResolver NONE = (tgid, localPort, remotePort) -> Role.UNKNOWN;
}
