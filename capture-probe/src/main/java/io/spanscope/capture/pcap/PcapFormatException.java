package io.spanscope.capture.pcap;

import java.io.IOException;

/** The file is not a readable pcap or pcapng capture (bad magic, unsupported version, truncated header). */
public final class PcapFormatException extends IOException {

    public PcapFormatException(String message) {
        super(message);
    }
}
