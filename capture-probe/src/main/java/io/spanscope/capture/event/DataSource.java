package io.spanscope.capture.event;

/** Where the bytes of a data event were taken from. */
public enum DataSource {
    /** A socket syscall's buffer (plaintext, or ciphertext of an untraced TLS connection). */
    SOCKET,
    /** The plaintext side of a TLS library call (SSL_read / SSL_write), sequence numbers from the nested syscall. */
    TLS,
    /** Reconstructed from a packet capture. */
    PCAP
}
