package io.spanscope.capture.bpf;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few libc calls capture needs (memory mapping, waiting, formatting libbpf's va_list messages),
 * bound with JNA direct mapping. Internal to capture-probe.
 */
public final class Libc {

    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final short POLLIN = 0x1;
    public static final Pointer MAP_FAILED = new Pointer(-1);
    private static final int SC_PAGESIZE = 30;

    static {
        Native.register("c");
    }

    private Libc() {
    }

    public static native Pointer mmap(Pointer address, long length, int protection, int flags, int fd, long offset);

    public static native int munmap(Pointer address, long length);

    /** {@code fds} points at {@code count} {@code struct pollfd} (int fd, short events, short revents). */
    public static native int poll(Pointer fds, long count, int timeoutMillis);

    public static native int vsnprintf(byte[] buffer, long size, String format, Pointer vaList);

    public static native int memfd_create(String name, int flags);

    public static native int ftruncate(int fd, long length);

    public static native int close(int fd);

    public static native long sysconf(int name);

    public static native int geteuid();

    public static native int mount(String source, String target, String filesystemType, long flags, Pointer data);

    public static long pageSize() {
        return sysconf(SC_PAGESIZE);
    }

    public static int lastErrno() {
        return Native.getLastError();
    }
}
