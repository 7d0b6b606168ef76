package io.spanscope.parsers.record;

/** What went wrong while an exchange was rebuilt; consumers decide how much to trust the record. */
public enum RecordFlag {
    /** Request bytes were lost where framing mattered (start line or headers); attributes may be missing. */
    GAP_IN_REQUEST,
    /** Response bytes were lost where framing mattered; status or attributes may be missing. */
    GAP_IN_RESPONSE,
    /** Body bytes were not captured (lost or cut by the capture cap); sizes still count them. */
    TRUNCATED_BODY,
    /** The connection ended (closed, evicted, or pending limit) before a response was seen. */
    RESPONSE_MISSING,
    /** The request never completed (connection ended mid-request, or the server answered early). */
    REQUEST_INCOMPLETE,
    /** The response started but never completed. */
    RESPONSE_INCOMPLETE,
    /** Capture joined the connection after it was opened; earlier exchanges were not seen. */
    JOINED_MID_STREAM,
    /** A message broke a protocol rule or a parser limit (header size/count, chunk size); it was cut short. */
    MALFORMED
}
