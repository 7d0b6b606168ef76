package io.spanscope.capture.bpf;

import com.sun.jna.Memory;

/** A loaded BPF map, by file descriptor. Cold path: every call goes through libbpf. */
public final class BpfMap {

    private static final int ANY = 0;

    private final String name;
    private final int fd;

    BpfMap(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    public String name() {
        return name;
    }

    public int fd() {
        return fd;
    }

    /** Inserts or replaces {@code key -> value} (both in the map's native layout). */
    public void put(byte[] key, byte[] value) throws BpfException {
        Memory k = copyOf(key);
        Memory v = copyOf(value);
        int rc = LibBpf.bpf_map_update_elem(fd, k, v, ANY);
        if (rc != 0) {
            throw new BpfException("update of map " + name + " failed", -rc, LibBpfLog.drainRecentWarnings());
        }
    }

    /**
     * Sums a per-CPU {@code u64} value over all possible CPUs (the layout of per-CPU counter arrays:
     * one 8-byte slot per CPU).
     */
    public long sumPerCpuLong(int index) throws BpfException {
        int cpus = possibleCpus();
        Memory key = new Memory(4);
        key.setInt(0, index);
        Memory values = new Memory(8L * cpus);
        int rc = LibBpf.bpf_map_lookup_elem(fd, key, values);
        if (rc != 0) {
            throw new BpfException("lookup in map " + name + " failed", -rc, LibBpfLog.drainRecentWarnings());
        }
        long sum = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
            sum += values.getLong(8L * cpu);
        }
        return sum;
    }

    public static int possibleCpus() {
        return LibBpf.libbpf_num_possible_cpus();
    }

    private static Memory copyOf(byte[] bytes) {
        Memory memory = new Memory(bytes.length);
        memory.write(0, bytes, 0, bytes.length);
        return memory;
    }
}
