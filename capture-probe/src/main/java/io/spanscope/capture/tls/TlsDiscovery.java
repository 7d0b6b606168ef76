package io.spanscope.capture.tls;

import io.spanscope.capture.dispatch.ProcessEventListener;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds the files to attach the TLS uprobes to: every process's executable mappings at start, then a
 * process again when it execs (the kernel maps a statically linked binary itself) and when it maps a
 * file executable that was not decided on yet (the dynamic loader bringing in libssl after exec, or
 * dlopen later; reported by the mmap tracepoint). Events arrive on the ring-buffer reader thread and
 * only queue the pid; the maps are read on this class's own thread. A full queue drops the pid (counted).
 */
public final class TlsDiscovery implements ProcessEventListener, AutoCloseable {

    private static final int QUEUE_CAPACITY = 4096;

    private final TlsProbes probes;
    private final Path procRoot;
    private final int selfPid = (int) ProcessHandle.current().pid();
    private final BlockingQueue<Integer> pending = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Set<Integer> queued = ConcurrentHashMap.newKeySet();
    private final AtomicLong queueDrops = new AtomicLong();
    private final AtomicLong processesScanned = new AtomicLong();
    private volatile boolean running;
    private Thread thread;

    public TlsDiscovery(TlsProbes probes, Path procRoot) {
        this.probes = probes;
        this.procRoot = procRoot;
    }

    /** Scans every process now, on the caller's thread. */
    public void scanAllProcesses() {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(procRoot, "[0-9]*")) {
            for (Path entry : entries) {
                scan(Integer.parseInt(entry.getFileName().toString()));
            }
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("cannot list " + procRoot, e);
        }
    }

    public synchronized void start() {
        running = true;
        thread = new Thread(this::run, "spanscope-tls-discovery");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void onExec(int tgid) {
        enqueue(tgid);
    }

    @Override
    public void onExit(int tgid) {
        // uprobes belong to files, not processes: nothing to undo
    }

    @Override
    public void onExecutableMapped(int tgid, long device, long inode) {
        if (!probes.isDecided(new MappedFile.Key(device, inode))) {
            enqueue(tgid);
        }
    }

    /** Pids dropped because the queue was full. */
    public long queueDrops() {
        return queueDrops.get();
    }

    public long processesScanned() {
        return processesScanned.get();
    }

    /** True when no pid waits to be scanned. */
    public boolean isIdle() {
        return queued.isEmpty();
    }

    private void enqueue(int tgid) {
        if (tgid == selfPid || !queued.add(tgid)) {
            return;
        }
        if (!pending.offer(tgid)) {
            queued.remove(tgid);
            queueDrops.incrementAndGet();
        }
    }

    private void run() {
        while (running) {
            try {
                Integer pid = pending.poll(100, TimeUnit.MILLISECONDS);
                if (pid != null) {
                    // leave the set first: a mapping made while we read the maps queues the pid again
                    queued.remove(pid);
                    scan(pid);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void scan(int pid) {
        if (pid == selfPid) {
            return;
        }
        String maps;
        try {
            maps = Files.readString(procRoot.resolve(Integer.toString(pid)).resolve("maps"));
        } catch (IOException | RuntimeException e) {
            return; // exited, or a kernel thread
        }
        processesScanned.incrementAndGet();
        for (MappedFile file : MappedFile.executableMappings(maps)) {
            probes.consider(pid, file);
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }
}
