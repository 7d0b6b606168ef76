package io.spanscope.capture.file;

import io.spanscope.capture.event.DataSource;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;

import java.nio.charset.StandardCharsets;

/**
 * Constants of the recorded event file ("SSCAP", version 1). All integers big-endian. The layout is
 * documented field by field in capture-probe/README.md ("pcap and event files"); keep them in step.
 *
 * <pre>
 * header (32 bytes): magic "SSCAP\r\n\u001a" (8) | version u16 | header length u16 | clock offset ns i64 |
 *                    recording started, epoch ns i64 | flags u32 (0)
 * record:            type u8 | body length u32 | body
 * </pre>
 *
 * Enum values are written as explicit codes, never ordinals, so that reordering an enum cannot change
 * the meaning of recorded files.
 */
final class EventFileFormat {

    static final byte[] MAGIC = "SSCAP\r\n\u001a".getBytes(StandardCharsets.ISO_8859_1);
    static final int VERSION = 1;
    static final int HEADER_BYTES = 32;
    static final int RECORD_PREFIX_BYTES = 5;

    static final int TYPE_OPEN = 1;
    static final int TYPE_ESTABLISHED = 2;
    static final int TYPE_DATA = 3;
    static final int TYPE_CLOSE = 4;

    /** Fixed part of a data record body, before the payload bytes. */
    static final int DATA_FIXED_BYTES = 4 + 4 + 4 + 8 + 8 + 1 + 1 + 1 + 1 + 16 + 16 + 2 + 2 + 8 + 4 + 4 + 4;
    /** Largest payload a data record may carry; a longer length field marks the record corrupt. */
    static final int MAX_PAYLOAD_BYTES = 16 << 20;
    /** Largest body of any record type. */
    static final int MAX_BODY_BYTES = DATA_FIXED_BYTES + MAX_PAYLOAD_BYTES;

    static final int FLAG_IPV6 = 1;

    private EventFileFormat() {
    }

    static int code(Role role) {
        return switch (role) {
            case UNKNOWN -> 0;
            case CLIENT -> 1;
            case SERVER -> 2;
        };
    }

    static Role role(int code) {
        return switch (code) {
            case 0 -> Role.UNKNOWN;
            case 1 -> Role.CLIENT;
            case 2 -> Role.SERVER;
            default -> null;
        };
    }

    static int code(Direction direction) {
        return direction == Direction.EGRESS ? 0 : 1;
    }

    static Direction direction(int code) {
        return switch (code) {
            case 0 -> Direction.EGRESS;
            case 1 -> Direction.INGRESS;
            default -> null;
        };
    }

    static int code(DataSource source) {
        return switch (source) {
            case SOCKET -> 0;
            case TLS -> 1;
            case PCAP -> 2;
        };
    }

    static DataSource source(int code) {
        return switch (code) {
            case 0 -> DataSource.SOCKET;
            case 1 -> DataSource.TLS;
            case 2 -> DataSource.PCAP;
            default -> null;
        };
    }
}
