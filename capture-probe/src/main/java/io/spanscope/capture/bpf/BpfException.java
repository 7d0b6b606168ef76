package io.spanscope.capture.bpf;

import java.util.List;

/** A libbpf call failed; {@link #libbpfLog()} holds libbpf's last warning lines (e.g. the verifier's). */
public final class BpfException extends Exception {

    private final int errno;
    private final List<String> libbpfLog;

    BpfException(String message, int errno, List<String> libbpfLog) {
        super(message + (errno != 0 ? " (errno " + errno + ")" : ""));
        this.errno = errno;
        this.libbpfLog = List.copyOf(libbpfLog);
    }

    public int errno() {
        return errno;
    }

    public List<String> libbpfLog() {
        return libbpfLog;
    }
}
