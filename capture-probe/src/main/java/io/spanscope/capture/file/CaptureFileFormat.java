package io.spanscope.capture.file;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** What a capture file holds, told by its first bytes (for {@code spanscope replay FILE}). */
public enum CaptureFileFormat {
    /** A recorded event stream written by {@link EventFileWriter}. */
    SPANSCOPE_EVENTS,
    /** Classic libpcap, either byte order, micro- or nanosecond timestamps. */
    PCAP,
    PCAPNG,
    UNKNOWN;

    public static CaptureFileFormat detect(Path file) throws IOException {
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        return detect(head, n);
    }

    static CaptureFileFormat detect(byte[] head, int length) {
        if (length >= EventFileFormat.MAGIC.length
                && Arrays.equals(head, 0, EventFileFormat.MAGIC.length, EventFileFormat.MAGIC, 0, EventFileFormat.MAGIC.length)) {
            return SPANSCOPE_EVENTS;
        }
        if (length < 4) {
            return UNKNOWN;
        }
        int be = ByteBuffer.wrap(head).getInt(0);
        int le = Integer.reverseBytes(be);
        if (be == 0x0A0D0D0A) {
            return PCAPNG;
        }
        for (int magic : new int[] {0xA1B2C3D4, 0xA1B23C4D}) {
            if (be == magic || le == magic) {
                return PCAP;
            }
        }
        return UNKNOWN;
    }
}
