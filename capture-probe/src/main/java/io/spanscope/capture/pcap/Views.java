package io.spanscope.capture.pcap;

/**
 * Whose point of view the reader reports each TCP connection from. A capture sees both ends; the live
 * probe sees one process. {@link #BOTH} emits every connection twice, as its client process and as its
 * server process would have seen it, under distinct synthetic connection ids (generation 0 = client view,
 * 1 = server view).
 */
public enum Views {
    CLIENT_ONLY(true, false),
    SERVER_ONLY(false, true),
    BOTH(true, true);

    private final boolean client;
    private final boolean server;

    Views(boolean client, boolean server) {
        this.client = client;
        this.server = server;
    }

    public boolean includesClient() {
        return client;
    }

    public boolean includesServer() {
        return server;
    }
}
