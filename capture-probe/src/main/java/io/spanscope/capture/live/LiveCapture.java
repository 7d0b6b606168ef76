package io.spanscope.capture.live;

import static io.spanscope.capture.ringbuf.EventLayout.*;

import io.spanscope.capture.bpf.BpfException;
import io.spanscope.capture.bpf.BpfMap;
import io.spanscope.capture.bpf.BpfObject;
import io.spanscope.capture.dispatch.DecodePathWarmup;
import io.spanscope.capture.dispatch.EventDispatcher;
import io.spanscope.capture.dispatch.ProcessEventListener;
import io.spanscope.capture.dispatch.WorkerCounters;
import io.spanscope.capture.event.CaptureClock;
import io.spanscope.capture.event.CaptureEventSink;
import io.spanscope.capture.live.CaptureStartException.Reason;
import io.spanscope.capture.proc.ListeningPorts;
import io.spanscope.capture.proc.ProcessMetadataCache;
import io.spanscope.capture.ringbuf.RingBufferMapping;
import io.spanscope.capture.ringbuf.RingBufferReader;
import io.spanscope.capture.tls.TlsDiscovery;
import io.spanscope.capture.tls.TlsProbes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live capture of TCP traffic of the host's processes through the eBPF socket tracer.
 *
 * <pre>{@code
 * try (LiveCapture capture = LiveCapture.builder().payloadCapBytes(64 * 1024).workers(2).build()) {
 *     capture.start(worker -> new MySink());   // one sink per worker thread
 *     ...
 *     LiveCaptureStats stats = capture.stats();
 * }
 * }</pre>
 *
 * <p>Each connection's events reach exactly one sink, on that worker's thread, in kernel order.
 * A capture starts once; {@link #close()} detaches the probes, lets the workers finish what was read
 * and releases everything.
 */
public final class LiveCapture implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LiveCapture.class);
    private static final String BPF_OBJECT_RESOURCE = "/bpf/spanscope.bpf.o";
    // short: the kernel side wakes the reader only once a batch is waiting (KernelSettings.wakeupBytes)
    private static final int POLL_TIMEOUT_MILLIS = 10;
    /** The scheduler programs of handoff.bpf.h, left unloaded when hand-offs are not followed. */
    private static final List<String> HANDOFF_PROGRAMS = List.of("handoff_waking", "handoff_wakeup_new",
            "handoff_hardirq_entry", "handoff_hardirq_exit", "handoff_softirq_entry", "handoff_softirq_exit",
            "handoff_hrtimer_entry", "handoff_hrtimer_exit");
    private static final Path PROC = Path.of("/proc");
    /* enough for the JIT's optimizing tier to compile the per-record path; bounded in time on a slow host */
    private static final int WARMUP_RECORDS = 200_000;
    private static final Duration WARMUP_TIME_LIMIT = Duration.ofSeconds(2);

    /** Immutable configuration, as built. */
    public record Settings(int payloadCapBytes, int ringBufferBytes, int workers, int workerQueueBytes,
                           Set<Integer> allowPids, Set<Integer> denyPids, Set<Long> allowCgroups,
                           Set<Long> denyCgroups, Set<Integer> allowPorts, Set<Integer> denyPorts,
                           Set<Integer> excludePorts, boolean traceOwnProcess, boolean followThreadHandoffs,
                           Duration handoffCauseTtl, boolean tlsPlaintext) {
        public Settings {
            allowPids = Set.copyOf(allowPids);
            denyPids = Set.copyOf(denyPids);
            allowCgroups = Set.copyOf(allowCgroups);
            denyCgroups = Set.copyOf(denyCgroups);
            allowPorts = Set.copyOf(allowPorts);
            denyPorts = Set.copyOf(denyPorts);
            excludePorts = Set.copyOf(excludePorts);
        }
    }

    private final Settings settings;
    private final ProcessMetadataCache processes = ProcessMetadataCache.ofHost();
    private BpfObject bpf;
    private BpfMap counters;
    /** The kernel counters as they were when the maps were released, so stats after close stay true. */
    private long[] finalKernelCounters;
    private RingBufferMapping mapping;
    private RingBufferReader reader;
    private EventDispatcher dispatcher;
    private Thread readerThread;
    private TlsProbes tlsProbes;
    private TlsDiscovery tlsDiscovery;
    /** Anchored when the capture is built, so consumers can be wired before it starts. */
    private final CaptureClock clock = CaptureClock.monotonicAnchoredNow();
    private volatile boolean running;
    private boolean started;

    private LiveCapture(Settings settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Loads and attaches the probes and starts the reader and worker threads.
     *
     * @param sinkPerWorker called once per worker index (0 .. workers-1) for the sink that worker feeds
     */
    public void start(IntFunction<CaptureEventSink> sinkPerWorker) throws CaptureStartException {
        start(sinkPerWorker, ProcessEventListener.NONE);
    }

    /**
     * As {@link #start(IntFunction)}, also telling {@code processEvents} of every exec and exit (after the
     * process metadata cache has forgotten the process), on the reader thread.
     */
    public synchronized void start(IntFunction<CaptureEventSink> sinkPerWorker, ProcessEventListener processEvents)
            throws CaptureStartException {
        if (started) {
            throw new IllegalStateException("a LiveCapture starts once");
        }
        started = true;
        Preflight.check();
        byte[] elf = bpfObjectBytes();
        try {
            bpf = BpfObject.open(elf);
            bpf.setMaxEntries("events", settings.ringBufferBytes());
            if (!settings.followThreadHandoffs()) {
                bpf.setAutoload(HANDOFF_PROGRAMS, false);
            }
            loadAndConfigure();
            warmUpDecodePath();
            ProcessEventListener listeners = both(processes, processEvents);
            if (settings.tlsPlaintext()) {
                tlsProbes = new TlsProbes(bpf, PROC);
                tlsDiscovery = new TlsDiscovery(tlsProbes, PROC);
                listeners = both(listeners, tlsDiscovery);
            }
            TlsProbes names = tlsProbes;
            dispatcher = new EventDispatcher(settings.workers(), settings.workerQueueBytes(), sinkPerWorker,
                    new ListeningPorts(PROC), listeners, id -> names == null ? "tls" : names.nameOf(id));
            mapping = RingBufferMapping.ofBpfMap(bpf.map("events").fd(), settings.ringBufferBytes());
            reader = new RingBufferReader(mapping, bpf.map("events").fd());
            RingBufferReader ring = reader;
            long roomyBacklog = settings.ringBufferBytes() / 2;
            dispatcher.waitForQueueSpaceWhile(() -> running && ring.backlogBytes() < roomyBacklog);
            counters = bpf.map("counters");
            dispatcher.start();
            running = true;
            readerThread = new Thread(this::readLoop, "spanscope-capture-reader");
            readerThread.setDaemon(true);
            readerThread.start();
            attach();
            startTlsDiscovery();
        } catch (BpfException e) {
            close();
            throw new CaptureStartException(Reason.LOAD_REJECTED, oneLine(e), e);
        } catch (IOException e) {
            close();
            throw new CaptureStartException(Reason.RING_BUFFER_MAPPING_FAILED, e.getMessage(), e);
        } catch (CaptureStartException e) {
            close();
            throw e;
        }
        LOG.info("live capture started: {} programs, ring {} bytes, payload cap {} bytes, {} workers",
                bpf.attachedPrograms(), settings.ringBufferBytes(), settings.payloadCapBytes(), settings.workers());
    }

    private void loadAndConfigure() throws BpfException {
        bpf.load();
        int self = settings.traceOwnProcess() ? 0 : (int) ProcessHandle.current().pid();
        KernelSettings.write(bpf, settings, self);
    }

    /*
     * Before anything is attached: the first events may come at full rate (a busy host), and an
     * interpreted decode path could not keep up with them.
     */
    private static void warmUpDecodePath() {
        DecodePathWarmup.Result warmup = DecodePathWarmup.run(WARMUP_RECORDS, WARMUP_TIME_LIMIT);
        LOG.debug("decode path warmed up: {} synthetic records in {} ms", warmup.recordsDecoded(),
                warmup.elapsed().toMillis());
    }

    /* Last: filters and config are in place before the first event can be produced. */
    private void attach() throws CaptureStartException {
        try {
            bpf.attachAll();
        } catch (BpfException e) {
            close();
            throw new CaptureStartException(Reason.ATTACH_FAILED, oneLine(e), e);
        }
    }

    /* After the socket hooks are live: a connection a TLS call touches is then always known. */
    private void startTlsDiscovery() {
        if (tlsDiscovery != null) {
            tlsDiscovery.start();
            try {
                tlsDiscovery.scanAllProcesses();
            } catch (IllegalStateException e) {
                // socket capture goes on; processes still reach discovery through exec and mmap events
                LOG.warn("TLS libraries of running processes not searched: {}", e.getMessage());
            }
            LOG.info("TLS uprobes attached to {} files", tlsProbes.attachedFiles().size());
        }
    }

    private void readLoop() {
        while (running) {
            int drained = reader.drain(dispatcher);
            dispatcher.endOfDrain();
            if (drained == 0) {
                reader.await(POLL_TIMEOUT_MILLIS);
            }
        }
        reader.drain(dispatcher);
        dispatcher.endOfDrain();
    }

    private static ProcessEventListener both(ProcessEventListener first, ProcessEventListener second) {
        return second == ProcessEventListener.NONE ? first : new ProcessEventListener() {
            @Override
            public void onExec(int tgid) {
                first.onExec(tgid);
                second.onExec(tgid);
            }

            @Override
            public void onExit(int tgid) {
                first.onExit(tgid);
                second.onExit(tgid);
            }

            @Override
            public void onExecutableMapped(int tgid, long device, long inode) {
                first.onExecutableMapped(tgid, device, inode);
                second.onExecutableMapped(tgid, device, inode);
            }
        };
    }

    /** The clock that turns event timestamps (CLOCK_MONOTONIC) into wall-clock time; anchored when built. */
    public CaptureClock clock() {
        return clock;
    }

    /** Process metadata (exe, command line, container) of traced pids, invalidated on exec/exit. */
    public ProcessMetadataCache processes() {
        return processes;
    }

    /**
     * Waits until everything the kernel produced so far has been read and handed to the sinks.
     *
     * @return false when the timeout passed first
     */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (reader == null || (!reader.hasPendingForOtherThreads() && dispatcher.isIdle())) {
                return true;
            }
            Thread.sleep(5);
        }
        return false;
    }

    public LiveCaptureStats stats() {
        if (dispatcher == null) {
            throw new IllegalStateException("capture not started");
        }
        List<WorkerCounters> workers = dispatcher.workerCounters();
        return new LiveCaptureStats(
                dispatcher.recordsRead(),
                sum(workers, WorkerCounters::dataEvents),
                sum(workers, WorkerCounters::openEvents),
                sum(workers, WorkerCounters::closeEvents),
                sum(workers, WorkerCounters::establishedEvents),
                dispatcher.processEvents(),
                sum(workers, WorkerCounters::capturedPayloadBytes),
                kernelCounter(COUNTER_RINGBUF_DROPS),
                kernelCounter(COUNTER_RINGBUF_DROP_BYTES),
                kernelCounter(COUNTER_TRUNCATED_BYTES),
                kernelCounter(COUNTER_UNIX_BYTES),
                kernelCounter(COUNTER_READ_FAULTS),
                kernelCounter(COUNTER_ACTIVE_DROPS),
                kernelCounter(COUNTER_MMSG_CALLS),
                kernelCounter(COUNTER_SENDFILE_BYTES),
                dispatcher.queueDropsPerWorker(),
                dispatcher.malformedRecords(),
                sum(workers, WorkerCounters::sinkFailures),
                sum(workers, WorkerCounters::missedWakeups),
                dispatcher.queueWaits(),
                tlsStats(workers));
    }

    private TlsCaptureStats tlsStats(List<WorkerCounters> workers) {
        if (tlsProbes == null) {
            return TlsCaptureStats.DISABLED;
        }
        List<String> files = tlsProbes.attachedFiles();
        return new TlsCaptureStats(files, files.size(), tlsProbes.attachFailures(),
                sum(workers, WorkerCounters::tlsDataEvents), kernelCounter(COUNTER_TLS_CIPHERTEXT_BYTES),
                kernelCounter(COUNTER_TLS_UNASSOCIATED), kernelCounter(COUNTER_TLS_NESTING_DROPS),
                tlsDiscovery.queueDrops(), goTlsStats());
    }

    private GoTlsCaptureStats goTlsStats() {
        TlsProbes.GoTlsProbeCounts probes = tlsProbes.goProbeCounts();
        return new GoTlsCaptureStats(probes.attachedBinaries(), probes.returnProbes(), probes.strippedBinaries(),
                probes.unsupportedBinaries(), probes.undecodableBinaries(), kernelCounter(COUNTER_GO_TLS_UNASSOCIATED),
                kernelCounter(COUNTER_GO_TLS_TABLE_DROPS), probes.layoutsFromDwarf(), kernelCounter(COUNTER_GO_TLS_UNNUMBERED));
    }

    /** What the kernel did while following thread hand-offs (all zero when switched off). */
    public HandoffStats handoffStats() {
        if (dispatcher == null) {
            throw new IllegalStateException("capture not started");
        }
        return new HandoffStats(kernelCounter(COUNTER_CAUSE_WAKEUPS), kernelCounter(COUNTER_CAUSE_CONFLICTS),
                kernelCounter(COUNTER_CAUSE_TABLE_FULL), kernelCounter(COUNTER_COMPLETIONS_DELIVERED),
                kernelCounter(COUNTER_COMPLETION_CONFLICTS), kernelCounter(COUNTER_MULTIPLEXERS),
                kernelCounter(COUNTER_INTERRUPT_WAKEUPS));
    }

    private long kernelCounter(int index) {
        if (counters == null) {
            return finalKernelCounters == null ? 0 : finalKernelCounters[index];
        }
        try {
            return counters.sumPerCpuLong(index);
        } catch (BpfException e) {
            LOG.warn("cannot read kernel counter {}: {}", index, e.getMessage());
            return -1;
        }
    }

    private static long sum(List<WorkerCounters> workers, java.util.function.ToLongFunction<WorkerCounters> f) {
        return workers.stream().mapToLong(f).sum();
    }

    @Override
    public synchronized void close() {
        running = false;
        if (tlsDiscovery != null) {
            tlsDiscovery.close();
        }
        if (tlsProbes != null) {
            tlsProbes.close();
        }
        if (readerThread != null) {
            try {
                readerThread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            readerThread = null;
        }
        if (dispatcher != null) {
            try {
                dispatcher.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (mapping != null) {
            mapping.close();
            mapping = null;
            reader = null;
        }
        if (bpf != null) {
            if (counters != null) {
                long[] last = new long[COUNTER_COUNT];
                for (int i = 0; i < COUNTER_COUNT; i++) {
                    last[i] = kernelCounter(i);
                }
                finalKernelCounters = last;
            }
            bpf.close();
            bpf = null;
            counters = null;
        }
    }

    private static byte[] bpfObjectBytes() throws CaptureStartException {
        try (InputStream in = LiveCapture.class.getResourceAsStream(BPF_OBJECT_RESOURCE)) {
            if (in == null) {
                throw new CaptureStartException(Reason.BPF_OBJECT_MISSING,
                        BPF_OBJECT_RESOURCE + " is not on the classpath: build capture-probe with clang and bpftool");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CaptureStartException(Reason.BPF_OBJECT_MISSING, "cannot read " + BPF_OBJECT_RESOURCE, e);
        }
    }

    private static String oneLine(BpfException e) {
        List<String> log = e.libbpfLog();
        int from = Math.max(0, log.size() - 8);
        return log.isEmpty() ? e.getMessage() : e.getMessage() + "; libbpf: " + String.join(" | ", log.subList(from, log.size()));
    }

    /** Builder; every setting has a default that suits a node agent. */
    public static final class Builder {
        private int payloadCapBytes = 16 * 1024;
        private int ringBufferBytes = 8 << 20;
        private int workers = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        private int workerQueueBytes = 8 << 20;
        private final Set<Integer> allowPids = new HashSet<>();
        private final Set<Integer> denyPids = new HashSet<>();
        private final Set<Long> allowCgroups = new HashSet<>();
        private final Set<Long> denyCgroups = new HashSet<>();
        private final Set<Integer> allowPorts = new HashSet<>();
        private final Set<Integer> denyPorts = new HashSet<>();
        private final Set<Integer> excludePorts = new HashSet<>();
        private boolean traceOwnProcess;
        private boolean followThreadHandoffs = true;
        private Duration handoffCauseTtl = Duration.ofSeconds(1);
        private boolean tlsPlaintext = true;

        private Builder() {
        }

        /** Payload bytes captured per syscall (0 .. 64 MiB); the rest is reported as a known-length hole. */
        public Builder payloadCapBytes(int bytes) {
            if (bytes < 0 || bytes > MAX_PAYLOAD_CAP) {
                throw new IllegalArgumentException("payload cap must be 0.." + MAX_PAYLOAD_CAP + ": " + bytes);
            }
            this.payloadCapBytes = bytes;
            return this;
        }

        /** Kernel ring buffer size: a power of 2, at least one page, at most 256 MiB. */
        public Builder ringBufferBytes(int bytes) {
            if (bytes < 4096 || Integer.bitCount(bytes) != 1 || bytes > (256 << 20)) {
                throw new IllegalArgumentException("ring buffer must be a power of 2 in [4 KiB, 256 MiB]: " + bytes);
            }
            this.ringBufferBytes = bytes;
            return this;
        }

        /** Worker threads (and sinks); connections are sharded over them. */
        public Builder workers(int count) {
            if (count < 1 || count > 256) {
                throw new IllegalArgumentException("workers must be 1..256: " + count);
            }
            this.workers = count;
            return this;
        }

        /** Bytes of each worker's queue (a power of 2, at least 64 KiB); when full, records are dropped and counted. */
        public Builder workerQueueBytes(int bytes) {
            if (bytes < (64 << 10) || Integer.bitCount(bytes) != 1) {
                throw new IllegalArgumentException("worker queue must be a power of 2 >= 64 KiB: " + bytes);
            }
            this.workerQueueBytes = bytes;
            return this;
        }

        /** Trace only these processes (tgid); may be called repeatedly. */
        public Builder allowPids(Collection<Integer> pids) {
            allowPids.addAll(pids);
            return this;
        }

        public Builder denyPids(Collection<Integer> pids) {
            denyPids.addAll(pids);
            return this;
        }

        /** Trace only processes in these cgroup v2 ids. */
        public Builder allowCgroups(Collection<Long> cgroupIds) {
            allowCgroups.addAll(cgroupIds);
            return this;
        }

        public Builder denyCgroups(Collection<Long> cgroupIds) {
            denyCgroups.addAll(cgroupIds);
            return this;
        }

        /** Trace only connections with one of these ports on either end. */
        public Builder allowPorts(Collection<Integer> ports) {
            allowPorts.addAll(checkPorts(ports));
            return this;
        }

        public Builder denyPorts(Collection<Integer> ports) {
            denyPorts.addAll(checkPorts(ports));
            return this;
        }

        /** The agent's own sinks (OTLP endpoint, Kafka brokers): never traced, on either end. */
        public Builder excludePorts(Collection<Integer> ports) {
            excludePorts.addAll(checkPorts(ports));
            return this;
        }

        /** By default the capturing JVM itself is excluded in the kernel; tests that trace their own sockets say true. */
        public Builder traceOwnProcess(boolean trace) {
            this.traceOwnProcess = trace;
            return this;
        }

        /**
         * Whether the kernel follows which server request each thread works on across the scheduler's wakeups
         * within a process ({@code sched_waking}, {@code sched_wakeup_new}) and stamps it on client requests
         * ({@link io.spanscope.capture.event.DataEvent#causeGeneration()}). On by default; off, the two
         * scheduler programs are not even loaded.
         */
        public Builder followThreadHandoffs(boolean follow) {
            this.followThreadHandoffs = follow;
            return this;
        }

        /** How long a thread's cause lasts without being renewed (and how long an ambiguity lasts). */
        public Builder handoffCauseTtl(Duration ttl) {
            if (ttl.isNegative() || ttl.isZero() || ttl.toSeconds() > 3600) {
                throw new IllegalArgumentException("cause ttl must be in (0, 1 h]: " + ttl);
            }
            this.handoffCauseTtl = ttl;
            return this;
        }

        /** Capture the plaintext of OpenSSL calls through uprobes (default true). */
        public Builder tlsPlaintext(boolean capture) {
            this.tlsPlaintext = capture;
            return this;
        }

        public LiveCapture build() {
            return new LiveCapture(new Settings(payloadCapBytes, ringBufferBytes, workers, workerQueueBytes,
                    allowPids, denyPids, allowCgroups, denyCgroups, allowPorts, denyPorts, excludePorts,
                    traceOwnProcess, followThreadHandoffs, handoffCauseTtl, tlsPlaintext));
        }

        private static Collection<Integer> checkPorts(Collection<Integer> ports) {
            for (int port : ports) {
                if (port < 1 || port > 65535) {
                    throw new IllegalArgumentException("port out of range: " + port);
                }
            }
            return ports;
        }
    }
}
