package io.spanscope.capture.event;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** One end of a TCP connection. */
public record Endpoint(InetAddress address, int port) {

    public Endpoint {
        if (address == null) {
            throw new IllegalArgumentException("address is required");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(address, port);
    }

    @Override
    public String toString() {
        String host = address.getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
