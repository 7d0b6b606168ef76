package io.spanscope.capture.pcap;

import java.io.IOException;

/** Iterates the packet records of one capture file format. */
interface PacketRecordReader {

    /**
     * Reads the next packet into {@code record}. Corrupt records that the format can frame are counted
     * and skipped; when framing is lost, the reader counts it and reports the end.
     *
     * @return false at the end of the file (or of what could be framed)
     */
    boolean next(PacketRecord record) throws IOException;
}
