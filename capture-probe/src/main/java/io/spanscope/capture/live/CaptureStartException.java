package io.spanscope.capture.live;

/** Live capture could not start; {@link #reason()} says which precondition failed, the message says what to do. */
public final class CaptureStartException extends Exception {

    public enum Reason {
        /** Neither root nor CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN). */
        NOT_PRIVILEGED,
        /** /sys/kernel/btf/vmlinux is missing: the kernel was built without BTF, CO-RE cannot relocate. */
        NO_KERNEL_BTF,
        /** The kernel is older than the BPF programs need (6.2: bpf_rdonly_cast). */
        KERNEL_TOO_OLD,
        /** libbpf.so.1 could not be loaded. */
        LIBBPF_MISSING,
        /** tracefs is not mounted and could not be mounted. */
        NO_TRACEFS,
        /** The BPF object is missing from the jar (a build without clang). */
        BPF_OBJECT_MISSING,
        /** The verifier rejected a program, or a map could not be created. */
        LOAD_REJECTED,
        /** A tracepoint could not be attached. */
        ATTACH_FAILED,
        /** The ring buffer could not be memory-mapped. */
        RING_BUFFER_MAPPING_FAILED
    }

    private final Reason reason;

    public CaptureStartException(Reason reason, String message) {
        this(reason, message, null);
    }

    public CaptureStartException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
