package io.spanscope.capture.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * libbpf's {@code struct bpf_uprobe_opts} (libbpf 1.x, x86-64/arm64 LP64 layout), written by hand
 * rather than as a JNA Structure: five fields, of which libbpf reads only those within {@code sz}.
 */
final class UprobeOptions implements AutoCloseable {

    private static final int SIZE = 40;
    private static final int SZ = 0;
    private static final int REF_CTR_OFFSET = 8;
    private static final int BPF_COOKIE = 16;
    private static final int RETPROBE = 24;
    private static final int FUNC_NAME = 32;

    private final Memory options = new Memory(SIZE);
    private final Memory functionName;

    /** @param function the symbol libbpf resolves, or null when the caller gives the file offset itself */
    UprobeOptions(String function, boolean onReturn, long cookie) {
        if (function == null) {
            functionName = null;
        } else {
            functionName = new Memory(function.length() + 1L);
            functionName.setString(0, function, "US-ASCII");
        }
        options.clear();
        options.setLong(SZ, SIZE);
        options.setLong(REF_CTR_OFFSET, 0);
        options.setLong(BPF_COOKIE, cookie);
        options.setByte(RETPROBE, (byte) (onReturn ? 1 : 0));
        options.setPointer(FUNC_NAME, functionName); // null: no name, the offset argument is used
    }

    Pointer pointer() {
        return options;
    }

    @Override
    public void close() {
        options.close();
        if (functionName != null) {
            functionName.close();
        }
    }
}
