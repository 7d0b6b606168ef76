package io.spanscope.capture.tls;

import io.spanscope.capture.bpf.BpfException;
import io.spanscope.capture.bpf.BpfObject;
import io.spanscope.capture.bpf.UprobeLink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Go crypto/tls side of {@link TlsProbes}: inspects a file found in a process's mappings and, for
 * a Go amd64 executable with a symbol table, attaches a plain uprobe at the entry of
 * {@code crypto/tls.(*Conn).Write}, {@code Read} and {@code handshakeContext} and one at each of their RET
 * instructions (no
 * uretprobes: see ssl_trace.bpf.c). Files that are Go with crypto/tls but cannot be attached (stripped,
 * another architecture, built before Go 1.17, no decoder, undecodable) are logged once each and counted. Used under the lock
 * of {@link TlsProbes}.
 */
final class GoTlsProbes implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GoTlsProbes.class);
    private static final String WRITE_ENTRY = "go_tls_write_entry";
    private static final String READ_ENTRY = "go_tls_read_entry";
    private static final String RETURN = "go_tls_return";
    private static final String HANDSHAKE_ENTRY = "go_tls_handshake_entry";
    private static final String HANDSHAKE_RETURN = "go_tls_handshake_return";
    private static final String LAYOUTS = "go_tls_layouts";

    private final BpfObject bpf;
    private X86ReturnFinder decoder;
    private final AtomicLong attachedBinaries = new AtomicLong();
    private final AtomicLong returnProbes = new AtomicLong();
    private final AtomicLong strippedBinaries = new AtomicLong();
    private final AtomicLong unsupportedBinaries = new AtomicLong();
    private final AtomicLong undecodableBinaries = new AtomicLong();
    private final AtomicLong layoutsFromDwarf = new AtomicLong();

    GoTlsProbes(BpfObject bpf) {
        this.bpf = bpf;
    }

    /**
     * Attaches the probes when {@code path} is a Go executable using crypto/tls that can be probed.
     *
     * @return the links; empty when the file is not one (or cannot be probed: counted, logged)
     * @throws BpfException when attaching failed (nothing stays attached)
     * @throws IOException when the file cannot be read
     */
    List<UprobeLink> attach(Path path, String shownPath, int pid, int cookie) throws BpfException, IOException {
        GoTlsBinary.Inspection inspection = GoTlsBinary.inspect(path, this::decoder);
        switch (inspection.verdict()) {
            case NOT_GO, NO_TLS -> {
                return List.of();
            }
            case STRIPPED -> strippedBinaries.incrementAndGet();
            case UNSUPPORTED_ARCHITECTURE, UNSUPPORTED_GO_VERSION -> unsupportedBinaries.incrementAndGet();
            case NO_DECODER, UNDECODABLE -> undecodableBinaries.incrementAndGet();
            case ATTACHABLE -> {
                return attach(path, shownPath, pid, cookie, inspection);
            }
        }
        LOG.warn("Go TLS plaintext of {} (seen in pid {}) is not captured: {}", shownPath, pid, inspection.detail());
        return List.of();
    }

    private List<UprobeLink> attach(Path path, String shownPath, int pid, int cookie,
                                    GoTlsBinary.Inspection inspection) throws BpfException {
        // before the probes: a Read must never run without the layout its binary has
        boolean layout = inspection.connLayout().isPresent() && putLayout(cookie, inspection.connLayout().get(), shownPath);
        List<UprobeLink> links = new ArrayList<>();
        int returns = 0;
        try {
            for (GoTlsBinary.Function function : inspection.functions()) {
                boolean handshake = function.name().equals(GoTlsBinary.HANDSHAKE);
                String entry = handshake ? HANDSHAKE_ENTRY
                        : function.name().equals(GoTlsBinary.WRITE) ? WRITE_ENTRY : READ_ENTRY;
                links.add(bpf.attachUprobeAt(entry, path.toString(), function.entryOffset(), cookie));
                for (long ret : function.returnOffsets()) {
                    links.add(bpf.attachUprobeAt(handshake ? HANDSHAKE_RETURN : RETURN, path.toString(), ret, cookie));
                    returns++;
                }
            }
        } catch (BpfException e) {
            links.forEach(UprobeLink::close);
            throw e;
        }
        attachedBinaries.incrementAndGet();
        returnProbes.addAndGet(returns);
        if (layout) {
            layoutsFromDwarf.incrementAndGet();
        } else if (inspection.connLayout().isEmpty()) {
            LOG.warn("Go TLS: {} has no DWARF (built with -ldflags=-w?): Reads served from Go's buffer may be "
                    + "numbered by the wrong TLS record, which loses their span links", shownPath);
        }
        LOG.info("Go TLS uprobes attached to {} ({} functions, {} RETs, Conn layout {}; seen in pid {})", shownPath,
                inspection.functions().size(), returns, inspection.connLayout().map(Object::toString).orElse("none"), pid);
        return List.copyOf(links);
    }

    /** The binary's Conn layout into go_tls_layouts under its cookie; false (logged) when the map refuses it. */
    private boolean putLayout(int cookie, GoTlsConnLayout layout, String shownPath) {
        byte[] key = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(cookie).array();
        try {
            bpf.map(LAYOUTS).put(key, layout.mapValue());
            return true;
        } catch (BpfException e) {
            LOG.warn("Go TLS: the Conn layout of {} was not stored ({}): its Reads are numbered by record length",
                    shownPath, e.getMessage());
            return false;
        }
    }

    private X86ReturnFinder decoder() throws X86ReturnFinder.UnavailableException {
        if (decoder == null) {
            decoder = X86ReturnFinder.open();
        }
        return decoder;
    }

    long attachedBinaries() {
        return attachedBinaries.get();
    }

    long returnProbes() {
        return returnProbes.get();
    }

    long strippedBinaries() {
        return strippedBinaries.get();
    }

    long unsupportedBinaries() {
        return unsupportedBinaries.get();
    }

    long undecodableBinaries() {
        return undecodableBinaries.get();
    }

    long layoutsFromDwarf() {
        return layoutsFromDwarf.get();
    }

    @Override
    public void close() {
        if (decoder != null) {
            decoder.close();
            decoder = null;
        }
    }
}
