package io.spanscope.pipeline.run;

import io.spanscope.capture.event.Endpoint;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Whether a peer is on this host, where `spanscope run` traces every process: loopback or one of the
 * host's own addresses. A request from anywhere else comes from outside the traced set, so its server
 * span starts a trace at once instead of waiting for a parent that will never be published.
 */
public final class LocalAddresses implements Predicate<Endpoint> {

    private final Set<InetAddress> own;

    private LocalAddresses(Set<InetAddress> own) {
        this.own = own;
    }

    public static LocalAddresses ofHost() {
        Set<InetAddress> addresses = new HashSet<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                addresses.addAll(Collections.list(nic.getInetAddresses()));
            }
        } catch (SocketException e) {
            // loopback alone still classifies the common single-host case
        }
        return new LocalAddresses(Set.copyOf(addresses));
    }

    @Override
    public boolean test(Endpoint peer) {
        InetAddress address = peer.address();
        return address.isLoopbackAddress() || address.isAnyLocalAddress() || own.contains(address);
    }
}
