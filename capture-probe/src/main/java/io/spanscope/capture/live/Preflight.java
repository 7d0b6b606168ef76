package io.spanscope.capture.live;

import io.spanscope.capture.bpf.Libc;
import io.spanscope.capture.live.CaptureStartException.Reason;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks the host can run the probe, turning each missing piece into a one-line, specific error. */
final class Preflight {

    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_PERFMON = 38;
    private static final int CAP_BPF = 39;
    private static final Path BTF = Path.of("/sys/kernel/btf/vmlinux");
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    private static final Path OS_RELEASE = Path.of("/proc/sys/kernel/osrelease");

    private Preflight() {
    }

    static void check() throws CaptureStartException {
        checkLibc();
        checkPrivileges();
        checkKernelRelease();
        if (!Files.isReadable(BTF)) {
            throw new CaptureStartException(Reason.NO_KERNEL_BTF,
                    BTF + " is missing: the kernel needs CONFIG_DEBUG_INFO_BTF=y for CO-RE");
        }
        checkLibbpf();
        ensureTracefs();
    }

    /** An unreadable or unparsable release is let through: the loader then reports what it finds. */
    private static void checkKernelRelease() throws CaptureStartException {
        String text;
        try {
            text = Files.readString(OS_RELEASE);
        } catch (IOException e) {
            return;
        }
        checkKernelRelease(text);
    }

    static void checkKernelRelease(String osRelease) throws CaptureStartException {
        var running = KernelRelease.parse(osRelease);
        if (running.isPresent() && !running.get().atLeast(KernelRelease.MINIMUM)) {
            throw new CaptureStartException(Reason.KERNEL_TOO_OLD, "kernel " + osRelease.trim() + " is too old: capture needs "
                    + KernelRelease.MINIMUM + " or newer (the BPF programs use the bpf_rdonly_cast kfunc)");
        }
    }

    private static void checkLibc() throws CaptureStartException {
        try {
            Libc.pageSize();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new CaptureStartException(Reason.LIBBPF_MISSING, "libc could not be bound through JNA: " + e, e);
        }
    }

    private static void checkPrivileges() throws CaptureStartException {
        BigInteger effective = effectiveCapabilities();
        boolean bpf = effective.testBit(CAP_BPF) && effective.testBit(CAP_PERFMON);
        if (!bpf && !effective.testBit(CAP_SYS_ADMIN)) {
            throw new CaptureStartException(Reason.NOT_PRIVILEGED,
                    "run as root or grant CAP_BPF, CAP_PERFMON (and CAP_SYS_RESOURCE, CAP_DAC_READ_SEARCH); euid="
                            + Libc.geteuid());
        }
    }

    private static BigInteger effectiveCapabilities() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return new BigInteger(line.substring("CapEff:".length()).trim(), 16);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: judge by euid alone
        }
        return Libc.geteuid() == 0 ? BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE) : BigInteger.ZERO;
    }

    private static void checkLibbpf() throws CaptureStartException {
        try {
            Class.forName("io.spanscope.capture.bpf.BpfObject");
            io.spanscope.capture.bpf.BpfMap.possibleCpus();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError | ClassNotFoundException e) {
            throw new CaptureStartException(Reason.LIBBPF_MISSING,
                    "libbpf.so.1 could not be loaded (apt-get install libbpf1): " + e.getMessage(), e);
        }
    }

    /** Tracepoint attachment needs tracefs; some hosts leave it unmounted. */
    private static void ensureTracefs() throws CaptureStartException {
        if (Files.isDirectory(TRACEFS.resolve("events"))) {
            return;
        }
        int rc = Libc.mount("nodev", TRACEFS.toString(), "tracefs", 0, null);
        if (rc != 0 && !Files.isDirectory(TRACEFS.resolve("events"))) {
            throw new CaptureStartException(Reason.NO_TRACEFS,
                    "tracefs is not mounted at " + TRACEFS + " and mounting it failed, errno " + Libc.lastErrno());
        }
    }
}
