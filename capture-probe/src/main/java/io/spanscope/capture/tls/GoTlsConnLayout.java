package io.spanscope.capture.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where, inside a {@code crypto/tls.Conn} of one Go binary, the probes find the negotiated version and
 * cipher suite ({@code vers}, {@code cipherSuite}: how many bytes a record adds to its plaintext, for
 * numbering each record a Write sends) and Go's own record state for Reads:
 * {@code rawInput} (a {@code bytes.Buffer} of received ciphertext: {@code buf}'s data pointer and length,
 * and {@code off}, where its unconsumed part starts) and {@code input} (a {@code bytes.Reader} over the
 * plaintext of the record being handed out: {@code s}'s data pointer and length, and {@code i}, how much of
 * it was read). Each offset is from the start of the Conn, summed from the member offsets the binary's
 * DWARF gives for {@code crypto/tls.Conn}, {@code bytes.Buffer}, {@code bytes.Reader} and {@code []uint8}:
 * nothing assumed about a Go release's layout. Laid out for the BPF map {@code go_tls_layouts}
 * ({@code struct st_go_conn_layout} in go_tls.bpf.h).
 */
public record GoTlsConnLayout(long version, long cipherSuite, long rawInputData, long rawInputLength, long rawInputOffset, long inputData,
                              long inputLength, long inputIndex) {

    static final String CONN = "crypto/tls.Conn";
    static final String BUFFER = "bytes.Buffer";
    static final String READER = "bytes.Reader";
    static final String BYTE_SLICE = "[]uint8";
    /** Bytes of the map value. */
    public static final int BYTES = 8 * 4;

    /** The layout from the binary's DWARF; empty when it has none (built with -ldflags=-w) or lacks a member. */
    static Optional<GoTlsConnLayout> read(ElfSections elf) throws IOException {
        Map<String, Map<String, Long>> types = DwarfStructMembers.read(elf, Set.of(CONN, BUFFER, READER, BYTE_SLICE));
        Map<String, Long> conn = types.getOrDefault(CONN, Map.of());
        Map<String, Long> buffer = types.getOrDefault(BUFFER, Map.of());
        Map<String, Long> reader = types.getOrDefault(READER, Map.of());
        Map<String, Long> slice = types.getOrDefault(BYTE_SLICE, Map.of());
        Long version = conn.get("vers");
        Long cipherSuite = conn.get("cipherSuite");
        Long rawInput = conn.get("rawInput");
        Long input = conn.get("input");
        Long buf = buffer.get("buf");
        Long off = buffer.get("off");
        Long s = reader.get("s");
        Long i = reader.get("i");
        Long array = slice.get("array");
        Long len = slice.get("len");
        if (version == null || cipherSuite == null || rawInput == null || input == null || buf == null || off == null || s == null || i == null
                || array == null || len == null) {
            return Optional.empty();
        }
        GoTlsConnLayout layout = new GoTlsConnLayout(version, cipherSuite, rawInput + buf + array, rawInput + buf + len, rawInput + off,
                input + s + array, input + s + len, input + i);
        return layout.plausible() ? Optional.of(layout) : Optional.empty();
    }

    /** Every offset within a Conn of sane size (a damaged DWARF gives no layout rather than wild reads). */
    private boolean plausible() {
        long limit = 1 << 16;
        for (long offset : offsets()) {
            if (offset < 0 || offset > limit) {
                return false;
            }
        }
        return true;
    }

    /** The value of {@code go_tls_layouts} (eight u32, little-endian, in declaration order). */
    public byte[] mapValue() {
        ByteBuffer value = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long offset : offsets()) {
            value.putInt((int) offset);
        }
        return value.array();
    }

    private long[] offsets() {
        return new long[] {version, cipherSuite, rawInputData, rawInputLength, rawInputOffset, inputData, inputLength,
            inputIndex};
    }
}
