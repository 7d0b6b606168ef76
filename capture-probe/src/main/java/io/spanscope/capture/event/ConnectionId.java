package io.spanscope.capture.event;

/**
 * Identity of one connection as seen by one process: the owning process, the file descriptor, and a
 * generation that tells apart successive connections reusing the same descriptor number.
 */
public record ConnectionId(int tgid, int fd, long generation) {

    /** Shard key: every event of a connection (open, data, close) maps to the same worker. */
    public int shardHash() {
        return shardHash(tgid, fd);
    }

    public static int shardHash(int tgid, int fd) {
        int h = tgid * 0x9E3779B1 ^ fd * 0x85EBCA77;
        return h ^ (h >>> 16);
    }

    @Override
    public String toString() {
        return tgid + ":" + fd + "#" + generation;
    }
}
