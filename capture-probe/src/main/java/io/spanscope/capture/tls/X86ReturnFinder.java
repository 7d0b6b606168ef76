package io.spanscope.capture.tls;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the RET instructions of an x86-64 function by decoding it instruction by instruction with
 * Capstone (libcapstone 4 or 5, the distribution's package, BSD licence), bound with JNA like libbpf.
 * A byte 0xC3 is as often part of another instruction (an immediate, a displacement, a ModRM byte) as
 * a RET, and a uprobe placed inside an instruction corrupts the program: only a real decode will do.
 *
 * <p>Not thread-safe (one Capstone handle and one instruction buffer); {@link #close()} frees them.
 */
public final class X86ReturnFinder implements AutoCloseable {

    private static final int CS_ARCH_X86 = 3;
    private static final int CS_MODE_64 = 1 << 3;
    private static final String[] LIBRARY_NAMES = {"capstone", "libcapstone.so.5", "libcapstone.so.4"};

    private final Capstone capstone;
    private final long handle;
    private final Pointer instruction;
    private boolean closed;

    /** The decoder cannot be used: the library is missing or refused to open. */
    public static final class UnavailableException extends Exception {
        UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The bytes did not decode as a whole number of x86-64 instructions. */
    public static final class UndecodableException extends Exception {
        UndecodableException(String message) {
            super(message);
        }
    }

    /** The part of Capstone's C API used here; interface mapping (the library is found at run time). */
    interface Capstone extends com.sun.jna.Library {
        int cs_open(int arch, int mode, LongByReference handle);

        Pointer cs_malloc(long handle);

        boolean cs_disasm_iter(long handle, Pointer code, LongByReference size, LongByReference address,
                               Pointer instruction);

        String cs_insn_name(long handle, int instructionId);

        void cs_free(Pointer instructions, long count);

        int cs_close(LongByReference handle);
    }

    private X86ReturnFinder(Capstone capstone, long handle, Pointer instruction) {
        this.capstone = capstone;
        this.handle = handle;
        this.instruction = instruction;
    }

    /** Opens an x86-64 decoder. */
    public static X86ReturnFinder open() throws UnavailableException {
        Capstone capstone = load();
        LongByReference handle = new LongByReference();
        int err = capstone.cs_open(CS_ARCH_X86, CS_MODE_64, handle);
        if (err != 0) {
            throw new UnavailableException("capstone refused an x86-64 decoder (cs_err " + err + ")", null);
        }
        Pointer instruction = capstone.cs_malloc(handle.getValue());
        if (instruction == null) {
            capstone.cs_close(handle);
            throw new UnavailableException("capstone could not allocate an instruction", null);
        }
        return new X86ReturnFinder(capstone, handle.getValue(), instruction);
    }

    private static Capstone load() throws UnavailableException {
        UnsatisfiedLinkError last = null;
        for (String name : LIBRARY_NAMES) {
            try {
                return Native.load(name, Capstone.class);
            } catch (UnsatisfiedLinkError e) {
                last = e;
            }
        }
        throw new UnavailableException("libcapstone is not installed (Debian/Ubuntu: apt-get install libcapstone4)",
                last);
    }

    /**
     * Offsets, from the start of {@code code}, of every RET instruction in it (near, with or without
     * an immediate), in order.
     *
     * @param code the whole body of one function: it must decode completely, up to its last byte
     * @param address the virtual address of {@code code[0]} (relative branches decode against it)
     */
    public List<Integer> returnOffsets(byte[] code, long address) throws UndecodableException {
        if (closed) {
            throw new IllegalStateException("decoder closed");
        }
        List<Integer> returns = new ArrayList<>();
        if (code.length == 0) {
            return returns;
        }
        try (Memory bytes = new Memory(code.length); Memory cursor = new Memory(Native.POINTER_SIZE)) {
            bytes.write(0, code, 0, code.length);
            cursor.setPointer(0, bytes);
            LongByReference left = new LongByReference(code.length);
            LongByReference next = new LongByReference(address);
            while (left.getValue() > 0) {
                long at = next.getValue() - address;
                if (!capstone.cs_disasm_iter(handle, cursor, left, next, instruction)) {
                    throw new UndecodableException("no valid instruction at offset " + at + " of " + code.length);
                }
                String name = capstone.cs_insn_name(handle, instruction.getInt(0));
                if ("ret".equals(name)) {
                    returns.add((int) at);
                }
            }
        }
        return returns;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        capstone.cs_free(instruction, 1);
        capstone.cs_close(new LongByReference(handle));
    }
}
