package io.spanscope.pipeline.cli;

import io.spanscope.capture.live.LiveCapture;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** What to capture and how: the filters and tuning shared by {@code capture} and {@code run}. */
public final class CaptureOptions {

    @Option(names = "--pid", split = ",", paramLabel = "PID", description = "Only these processes (repeatable).")
    List<Integer> pids = new ArrayList<>();

    @Option(names = "--exclude-pid", split = ",", paramLabel = "PID", description = "Never these processes.")
    List<Integer> excludePids = new ArrayList<>();

    @Option(names = "--port", split = ",", paramLabel = "PORT", description = "Only connections with this local or remote port.")
    List<Integer> ports = new ArrayList<>();

    @Option(names = "--exclude-port", split = ",", paramLabel = "PORT", description = "Never connections with this port.")
    List<Integer> excludePorts = new ArrayList<>();

    @Option(names = "--cgroup", split = ",", paramLabel = "CGROUP", converter = CgroupConverter.class,
            description = "Only processes in this cgroup (v2 id or directory).")
    List<Long> cgroups = new ArrayList<>();

    @Option(names = "--exclude-cgroup", split = ",", paramLabel = "CGROUP", converter = CgroupConverter.class,
            description = "Never processes in this cgroup.")
    List<Long> excludeCgroups = new ArrayList<>();

    @Option(names = "--payload-cap", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "Payload bytes copied per syscall; the rest is counted as truncated (default 16KiB).")
    Long payloadCap;

    @Option(names = "--ring-buffer", paramLabel = "SIZE", converter = ByteSizeConverter.class,
            description = "BPF ring buffer size, a power of two (default 8MiB).")
    Long ringBuffer;

    @Option(names = "--workers", paramLabel = "N", description = "Worker threads, sharded by connection (default: half the cores).")
    Integer workers;

    @Option(names = "--no-follow-handoffs", description = "Do not follow requests across thread wakeups in the kernel "
            + "(the scheduler programs are not loaded; calls from pool threads are then linked by time alone).")
    boolean noFollowHandoffs;

    @Option(names = "--no-tls", description = "Do not capture TLS plaintext (no uprobes on OpenSSL); TLS connections are then seen as ciphertext only.")
    boolean noTls;

    void validate() {
        if (payloadCap != null && (payloadCap < 0 || payloadCap > (64L << 20))) {
            throw new SpanscopeCommand.UsageException("--payload-cap must be between 0 and 64MiB");
        }
        if (ringBuffer != null && (ringBuffer < 4096 || Long.bitCount(ringBuffer) != 1 || ringBuffer > (1L << 30))) {
            throw new SpanscopeCommand.UsageException("--ring-buffer must be a power of two between 4KiB and 1GiB");
        }
        if (workers != null && (workers < 1 || workers > 64)) {
            throw new SpanscopeCommand.UsageException("--workers must be between 1 and 64");
        }
        for (List<Integer> list : List.of(ports, excludePorts)) {
            for (int p : list) {
                if (p < 1 || p > 65535) {
                    throw new SpanscopeCommand.UsageException("port out of range: " + p);
                }
            }
        }
    }

    /** A capture builder with these filters and settings; callers may add their own exclusions. */
    LiveCapture.Builder captureBuilder() {
        LiveCapture.Builder b = LiveCapture.builder()
                .allowPids(pids).denyPids(excludePids)
                .allowPorts(ports).denyPorts(excludePorts)
                .allowCgroups(cgroups).denyCgroups(excludeCgroups)
                .tlsPlaintext(!noTls);
        if (payloadCap != null) {
            b.payloadCapBytes(payloadCap.intValue());
        }
        if (ringBuffer != null) {
            b.ringBufferBytes(ringBuffer.intValue());
        }
        if (workers != null) {
            b.workers(workers);
        }
        b.followThreadHandoffs(!noFollowHandoffs);
        return b;
    }

    String describeFilters() {
        List<String> parts = new ArrayList<>();
        if (!pids.isEmpty()) {
            parts.add("pids " + pids);
        }
        if (!ports.isEmpty()) {
            parts.add("ports " + ports);
        }
        if (!cgroups.isEmpty()) {
            parts.add("cgroups " + cgroups);
        }
        if (!excludePids.isEmpty() || !excludePorts.isEmpty() || !excludeCgroups.isEmpty()) {
            parts.add("with exclusions");
        }
        if (noTls) {
            parts.add("no TLS plaintext");
        }
        return parts.isEmpty() ? "every process" : String.join(", ", parts);
    }
}
