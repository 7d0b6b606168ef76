package io.spanscope.capture.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One BPF object file through its life: opened from bytes (e.g. a jar resource), sized, loaded
 * (verified) into the kernel, its programs attached; {@link #close()} detaches and unloads.
 * Not thread-safe; a cold-path type used by one owner.
 */
public final class BpfObject implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BpfObject.class);

    private final Pointer object;
    /* libbpf may keep pointing into the ELF image until close: keep it reachable. */
    private final Memory image;
    private final List<Pointer> links = new ArrayList<>();
    private final List<UprobeLink> uprobeLinks = new ArrayList<>();
    private boolean loaded;
    private boolean closed;

    private BpfObject(Pointer object, Memory image) {
        this.object = object;
        this.image = image;
    }

    /** Parses an ELF BPF object; nothing reaches the kernel yet. */
    public static BpfObject open(byte[] elf) throws BpfException {
        LibBpfLog.install();
        Memory image = new Memory(elf.length);
        image.write(0, elf, 0, elf.length);
        Pointer object = LibBpf.bpf_object__open_mem(image, elf.length, null);
        if (object == null) {
            throw new BpfException("libbpf could not open the BPF object", Libc.lastErrno(),
                    LibBpfLog.drainRecentWarnings());
        }
        return new BpfObject(object, image);
    }

    /** Before {@link #load()}: sets a map's size (for a ring buffer, its data bytes: a power-of-2 page multiple). */
    public void setMaxEntries(String mapName, int maxEntries) throws BpfException {
        int rc = LibBpf.bpf_map__set_max_entries(requireMap(mapName), maxEntries);
        if (rc != 0) {
            throw new BpfException("cannot size map " + mapName + " to " + maxEntries, -rc,
                    LibBpfLog.drainRecentWarnings());
        }
    }

    /** Before {@link #load()}: whether these programs are loaded (and later attached) at all. */
    public void setAutoload(java.util.Collection<String> programNames, boolean autoload) throws BpfException {
        for (String name : programNames) {
            Pointer program = LibBpf.bpf_object__find_program_by_name(object, name);
            if (program == null) {
                throw new BpfException("no program named " + name + " in the BPF object", 0, List.of());
            }
            int rc = LibBpf.bpf_program__set_autoload(program, autoload);
            if (rc != 0) {
                throw new BpfException("cannot set autoload of " + name, -rc, LibBpfLog.drainRecentWarnings());
            }
        }
    }

    /** Creates the maps and loads every program; the verifier's complaint ends up in the exception. */
    public void load() throws BpfException {
        int rc = LibBpf.bpf_object__load(object);
        if (rc != 0) {
            throw new BpfException("the kernel rejected the BPF object", -rc, LibBpfLog.drainRecentWarnings());
        }
        loaded = true;
    }

    /**
     * Attaches every loaded program that has a fixed target in its section name (tracepoint/...); all
     * or nothing. Uprobe programs are left out: their targets are files found at run time
     * ({@link #attachUprobe}).
     */
    public void attachAll() throws BpfException {
        requireLoaded();
        // exits first: a program pair that counts entries and exits (interrupt depth, syscall stashes) then
        // never sees an entry whose exit it missed
        for (boolean exits : new boolean[] {true, false}) {
            for (Pointer program = LibBpf.bpf_object__next_program(object, null); program != null;
                 program = LibBpf.bpf_object__next_program(object, program)) {
                String section = LibBpf.bpf_program__section_name(program);
                if (!LibBpf.bpf_program__autoload(program) || isUprobe(section) || section.endsWith("_exit") != exits) {
                    continue;
                }
                Pointer link = LibBpf.bpf_program__attach(program);
                if (link == null) {
                    int errno = Libc.lastErrno();
                    detachAll();
                    throw new BpfException("cannot attach program " + LibBpf.bpf_program__name(program), errno,
                            LibBpfLog.drainRecentWarnings());
                }
                links.add(link);
            }
        }
        LOG.debug("attached {} BPF programs", links.size());
    }

    private static boolean isUprobe(String section) {
        return section != null && (section.startsWith("uprobe") || section.startsWith("uretprobe"));
    }

    /**
     * Attaches a uprobe program to a function of an ELF file, for every process that maps it (the
     * kernel keys uprobes by inode). libbpf finds the function's offset by name in the file's symbol
     * tables.
     *
     * @param cookie what the program reads with {@code bpf_get_attach_cookie}
     * @return the link; close it to detach (closing this object detaches it too)
     */
    public UprobeLink attachUprobe(String programName, String binaryPath, String functionName, boolean onReturn,
                                   long cookie) throws BpfException {
        return attach(programName, binaryPath, functionName, 0, onReturn, cookie);
    }

    /**
     * Attaches a uprobe program at a file offset of an ELF file: an instruction inside a function
     * (Go's RETs, where no return probe may be used), or a function found by other means than libbpf's
     * symbol lookup. The offset must be the start of an instruction.
     *
     * @param fileOffset offset in the file (not a virtual address)
     */
    public UprobeLink attachUprobeAt(String programName, String binaryPath, long fileOffset, long cookie)
            throws BpfException {
        return attach(programName, binaryPath, null, fileOffset, false, cookie);
    }

    private UprobeLink attach(String programName, String binaryPath, String functionName, long offset,
                              boolean onReturn, long cookie) throws BpfException {
        requireLoaded();
        Pointer program = LibBpf.bpf_object__find_program_by_name(object, programName);
        if (program == null) {
            throw new BpfException("no program named " + programName + " in the BPF object", 0, List.of());
        }
        try (UprobeOptions options = new UprobeOptions(functionName, onReturn, cookie)) {
            Pointer link = LibBpf.bpf_program__attach_uprobe_opts(program, -1, binaryPath, offset, options.pointer());
            if (link == null) {
                String target = functionName != null ? functionName : "offset 0x" + Long.toHexString(offset);
                throw new BpfException("cannot attach " + programName + " to " + target + " in " + binaryPath,
                        Libc.lastErrno(), LibBpfLog.drainRecentWarnings());
            }
            UprobeLink handle = new UprobeLink(link, uprobeLinks);
            uprobeLinks.add(handle);
            return handle;
        }
    }

    public int attachedPrograms() {
        return links.size();
    }

    public BpfMap map(String name) throws BpfException {
        requireLoaded();
        int fd = LibBpf.bpf_map__fd(requireMap(name));
        if (fd < 0) {
            throw new BpfException("map " + name + " has no file descriptor", -fd, List.of());
        }
        return new BpfMap(name, fd);
    }

    private Pointer requireMap(String name) throws BpfException {
        Pointer map = LibBpf.bpf_object__find_map_by_name(object, name);
        if (map == null) {
            throw new BpfException("no map named " + name + " in the BPF object", 0, List.of());
        }
        return map;
    }

    private void requireLoaded() {
        if (!loaded || closed) {
            throw new IllegalStateException("BPF object is not loaded");
        }
    }

    private void detachAll() {
        for (Pointer link : links) {
            LibBpf.bpf_link__destroy(link);
        }
        links.clear();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (UprobeLink link : List.copyOf(uprobeLinks)) {
            link.close();
        }
        detachAll();
        LibBpf.bpf_object__close(object);
        image.close();
    }
}
