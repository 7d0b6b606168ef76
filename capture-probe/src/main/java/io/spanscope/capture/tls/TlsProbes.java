package io.spanscope.capture.tls;

import io.spanscope.capture.bpf.BpfException;
import io.spanscope.capture.bpf.BpfObject;
import io.spanscope.capture.bpf.UprobeLink;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attaches the TLS uprobes of the loaded BPF object to files that define OpenSSL's plaintext
 * functions: libssl (1.1, 3) and binaries that link it statically and export the symbols; and to Go
 * executables that contain crypto/tls ({@link GoTlsProbes}). Each file
 * is considered once per (device, inode), whichever process and path it is seen through; a file
 * that cannot be attached is reported once and skipped. Thread-safe; attaching runs under one lock.
 */
public final class TlsProbes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TlsProbes.class);

    /** Exported function → entry program; every function's return goes to one program. */
    private static final Map<String, String> ENTRY_PROGRAMS = orderedMap(
            "SSL_write", "ssl_write_entry",
            "SSL_read", "ssl_read_entry",
            "SSL_write_ex", "ssl_write_ex_entry",
            "SSL_read_ex", "ssl_read_ex_entry");
    private static final String RETURN_PROGRAM = "ssl_return";
    private static final Set<String> REQUIRED = Set.of("SSL_write", "SSL_read");
    /** The library name plaintext events of Go binaries carry, whatever the executable is called. */
    public static final String GO_LIBRARY_NAME = "go";

    private final BpfObject bpf;
    private final Path procRoot;
    /** Every file already decided on (attached, not TLS, or failed): the reader thread's cheap check. */
    private final Set<MappedFile.Key> decided = ConcurrentHashMap.newKeySet();
    private final Map<MappedFile.Key, AttachedFile> attached = new LinkedHashMap<>();
    private final Map<Integer, String> namesById = new ConcurrentHashMap<>();
    private final AtomicLong attachFailures = new AtomicLong();
    private final GoTlsProbes goProbes;
    private int nextId = 1;
    private boolean closed;

    private record AttachedFile(int id, String name, String path, List<UprobeLink> links) {
    }

    public TlsProbes(BpfObject bpf, Path procRoot) {
        this.bpf = bpf;
        this.procRoot = procRoot;
        this.goProbes = new GoTlsProbes(bpf);
    }

    /** True when the file was already attached, or found not to be a TLS library, or failed. */
    public boolean isDecided(MappedFile.Key key) {
        return decided.contains(key);
    }

    /** The display name of an attached file by the id its events carry ("libssl.so.3"), or "tls". */
    public String nameOf(int id) {
        return namesById.getOrDefault(id, "tls");
    }

    /**
     * Looks at one file mapped by process {@code pid}; attaches the probes if it defines the
     * functions and was not seen before.
     *
     * @return true when this call attached it
     */
    public synchronized boolean consider(int pid, MappedFile file) {
        MappedFile.Key key = file.key();
        if (closed || decided.contains(key)) {
            return false;
        }
        Path path = procRoot.resolve(Integer.toString(pid)).resolve("root").resolve(file.path().substring(1));
        Set<String> functions;
        try {
            functions = ElfDynamicSymbols.definedFunctions(path, ENTRY_PROGRAMS.keySet());
        } catch (IOException e) {
            return false; // the process exited (its root is gone): another process or event will bring it back
        } catch (RuntimeException e) {
            decided.add(key); // an ELF file the reader cannot make sense of: not a TLS library for us
            LOG.debug("cannot read the symbols of {}: {}", file.path(), e.toString());
            return false;
        }
        decided.add(key);
        if (!functions.containsAll(REQUIRED)) {
            return considerGo(pid, file, path);
        }
        int id = nextId++;
        List<UprobeLink> links = new ArrayList<>();
        try {
            for (Map.Entry<String, String> hook : ENTRY_PROGRAMS.entrySet()) {
                if (functions.contains(hook.getKey())) {
                    links.add(bpf.attachUprobe(hook.getValue(), path.toString(), hook.getKey(), false, id));
                    links.add(bpf.attachUprobe(RETURN_PROGRAM, path.toString(), hook.getKey(), true, id));
                }
            }
        } catch (BpfException e) {
            links.forEach(UprobeLink::close);
            attachFailed(pid, file, e);
            return false;
        }
        record(key, new AttachedFile(id, file.fileName(), file.path(), List.copyOf(links)));
        LOG.info("TLS uprobes attached to {} ({} functions, seen in pid {})", file.path(), links.size() / 2, pid);
        return true;
    }

    private boolean considerGo(int pid, MappedFile file, Path path) {
        int id = nextId;
        List<UprobeLink> links;
        try {
            links = goProbes.attach(path, file.path(), pid, id);
        } catch (IOException e) {
            decided.remove(file.key()); // the process exited: another process or event will bring the file back
            return false;
        } catch (RuntimeException e) {
            LOG.debug("cannot read {} as a Go executable: {}", file.path(), e.toString());
            return false; // a damaged ELF file: decided, never attached
        } catch (BpfException e) {
            attachFailed(pid, file, e);
            return false;
        }
        if (links.isEmpty()) {
            return false;
        }
        nextId++;
        record(file.key(), new AttachedFile(id, GO_LIBRARY_NAME, file.path(), links));
        return true;
    }

    private void record(MappedFile.Key key, AttachedFile file) {
        namesById.put(file.id(), file.name());
        attached.put(key, file);
    }

    private void attachFailed(int pid, MappedFile file, BpfException e) {
        attachFailures.incrementAndGet();
        LOG.warn("TLS plaintext of {} (seen in pid {}) is not captured: {}{}", file.path(), pid, e.getMessage(),
                e.libbpfLog().isEmpty() ? "" : "; libbpf: " + String.join(" | ", e.libbpfLog()));
    }

    /** Paths of the files the probes are attached to, in order of attachment. */
    public synchronized List<String> attachedFiles() {
        return attached.values().stream().map(AttachedFile::path).toList();
    }

    public long attachFailures() {
        return attachFailures.get();
    }

    /** Go executables with crypto/tls probed, and those that could not be (counted by reason). */
    public GoTlsProbeCounts goProbeCounts() {
        return new GoTlsProbeCounts(goProbes.attachedBinaries(), goProbes.returnProbes(), goProbes.strippedBinaries(),
                goProbes.unsupportedBinaries(), goProbes.undecodableBinaries(), goProbes.layoutsFromDwarf());
    }

    /**
     * @param attachedBinaries Go executables whose Conn.Write and Conn.Read are probed
     * @param returnProbes RET instructions probed in them
     * @param strippedBinaries Go executables with crypto/tls but no symbol table: not probed
     * @param unsupportedBinaries Go executables with crypto/tls for another architecture than amd64, or built
     *     before Go 1.17: not probed
     * @param undecodableBinaries Go executables whose functions could not be decoded (or no decoder): not probed
     * @param layoutsFromDwarf attached Go executables whose crypto/tls.Conn layout came from their DWARF
     */
    public record GoTlsProbeCounts(long attachedBinaries, long returnProbes, long strippedBinaries,
                                   long unsupportedBinaries, long undecodableBinaries, long layoutsFromDwarf) {
    }

    /** Detaches every probe; {@link #attachedFiles()} still tells what was attached (for final stats). */
    @Override
    public synchronized void close() {
        closed = true;
        for (AttachedFile file : attached.values()) {
            file.links().forEach(UprobeLink::close);
        }
        goProbes.close();
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
