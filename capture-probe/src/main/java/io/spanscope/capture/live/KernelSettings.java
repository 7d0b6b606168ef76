package io.spanscope.capture.live;

import static io.spanscope.capture.ringbuf.EventLayout.*;

import io.spanscope.capture.bpf.BpfException;
import io.spanscope.capture.bpf.BpfObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Writes the capture's configuration and filter lists into the BPF maps (before programs attach). */
final class KernelSettings {

    private KernelSettings() {
    }

    static void write(BpfObject bpf, LiveCapture.Settings s, int selfTgid) throws BpfException {
        Map<Integer, Byte> pids = verdicts(s.allowPids(), s.denyPids());
        Map<Long, Byte> cgroups = verdicts(s.allowCgroups(), s.denyCgroups());
        int flags = (s.allowPids().isEmpty() ? 0 : FILTER_PID_ALLOW_ACTIVE)
                | (s.allowCgroups().isEmpty() ? 0 : FILTER_CGROUP_ALLOW_ACTIVE)
                | (s.allowPorts().isEmpty() ? 0 : FILTER_PORT_ALLOW_ACTIVE)
                | (pids.isEmpty() ? 0 : FILTER_PID_LISTED)
                | (cgroups.isEmpty() ? 0 : FILTER_CGROUP_LISTED);
        ByteBuffer config = le(CONFIG_SIZE)
                .putInt(CONFIG_SELF_TGID, selfTgid)
                .putInt(CONFIG_PAYLOAD_CAP, s.payloadCapBytes())
                .putInt(CONFIG_FILTER_FLAGS, flags)
                .putInt(CONFIG_WAKEUP_BYTES, wakeupBytes(s.ringBufferBytes()))
                .putInt(CONFIG_HANDOFF_FLAGS, s.followThreadHandoffs() ? HANDOFF_ENABLED : 0)
                .putLong(CONFIG_CAUSE_TTL_NS, s.handoffCauseTtl().toNanos());
        bpf.map("settings").put(le(4).putInt(0, 0).array(), config.array());

        var pidMap = bpf.map("pid_filter");
        for (Map.Entry<Integer, Byte> e : pids.entrySet()) {
            pidMap.put(le(4).putInt(0, e.getKey()).array(), new byte[] {e.getValue()});
        }
        var cgroupMap = bpf.map("cgroup_filter");
        for (Map.Entry<Long, Byte> e : cgroups.entrySet()) {
            cgroupMap.put(le(8).putLong(0, e.getKey()).array(), new byte[] {e.getValue()});
        }
        var portMap = bpf.map("port_filter");
        Set<Integer> denied = new java.util.HashSet<>(s.denyPorts());
        denied.addAll(s.excludePorts());
        for (Map.Entry<Integer, Byte> e : verdicts(s.allowPorts(), denied).entrySet()) {
            portMap.put(le(2).putShort(0, (short) e.getKey().intValue()).array(), new byte[] {e.getValue()});
        }
    }

    /**
     * A sixteenth of the ring: the reader is woken a few hundred times a second at most under load and
     * still has fifteen sixteenths of the ring left to absorb its wake-up latency. A power of two (the
     * kernel side tests crossings of its multiples with a mask, not a division per event).
     */
    static int wakeupBytes(int ringBufferBytes) {
        return Integer.highestOneBit(Math.max(ringBufferBytes / 16, 1));
    }

    /** One verdict per key: allow and deny bits; deny wins in the kernel. */
    private static <K> Map<K, Byte> verdicts(Set<K> allow, Set<K> deny) {
        Map<K, Byte> verdicts = new HashMap<>();
        allow.forEach(k -> verdicts.merge(k, (byte) FILTER_ALLOW, (a, b) -> (byte) (a | b)));
        deny.forEach(k -> verdicts.merge(k, (byte) FILTER_DENY, (a, b) -> (byte) (a | b)));
        return verdicts;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
