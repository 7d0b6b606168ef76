package io.spanscope.parsers.detect;

/** Recognises a protocol from the first bytes one direction of a connection carries. */
public interface ProtocolDetector {

    /** Looks at bytes starting at a message boundary; must not throw and must not keep the buffer. */
    Detection detect(byte[] buffer, int offset, int length);

    /**
     * For connections joined mid-stream: the offset of the first place in the buffer where a message of
     * this protocol plausibly starts (possibly incomplete, to be confirmed by {@link #detect}), or -1.
     * Protocols without recognisable boundaries keep the default.
     */
    default int findMessageStart(byte[] buffer, int offset, int length) {
        return -1;
    }
}
