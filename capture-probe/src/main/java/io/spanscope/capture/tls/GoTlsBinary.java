package io.spanscope.capture.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a file offers the Go crypto/tls probes: whether it is a Go executable (it has the
 * {@code .go.buildinfo} section every Go linker since 1.13 writes), whether its full symbol table names
 * {@code crypto/tls.(*Conn).Write} and {@code Read} (and {@code handshakeContext}), and for each the file
 * offset of its entry and of every RET instruction in its body, found by decoding it.
 */
public final class GoTlsBinary {

    static final String WRITE = "crypto/tls.(*Conn).Write";
    static final String READ = "crypto/tls.(*Conn).Read";
    /** Every handshake runs it (Go 1.17 and later); probed when present: see ssl_trace.bpf.c. */
    static final String HANDSHAKE = "crypto/tls.(*Conn).handshakeContext";
    private static final Set<String> REQUIRED = Set.of(WRITE, READ);
    private static final Set<String> FUNCTIONS = Set.of(WRITE, READ, HANDSHAKE);
    private static final long MAX_BUILD_INFO_BYTES = 1 << 20;

    /** Why a file is or is not attached. */
    public enum Verdict {
        /** Not an ELF file or not built by Go. */
        NOT_GO,
        /** A Go executable that does not contain crypto/tls's Conn (it makes no TLS connections). */
        NO_TLS,
        /** A Go executable without a symbol table (built with -ldflags=-s, or stripped): the functions cannot be found. */
        STRIPPED,
        /** A Go executable with crypto/tls for an architecture other than amd64. */
        UNSUPPORTED_ARCHITECTURE,
        /** A Go executable with crypto/tls built before Go 1.17 (arguments on the stack), or whose version is unreadable. */
        UNSUPPORTED_GO_VERSION,
        /** The functions were found but no x86-64 decoder is available (libcapstone missing). */
        NO_DECODER,
        /** The functions were found but could not be decoded whole. */
        UNDECODABLE,
        /** Probes can be attached: see {@link Inspection#functions()}. */
        ATTACHABLE,
    }

    /**
     * One function to probe.
     *
     * @param name the Go symbol name
     * @param entryOffset file offset of its first instruction
     * @param returnOffsets file offsets of each of its RET instructions
     */
    public record Function(String name, long entryOffset, List<Long> returnOffsets) {
        public Function {
            returnOffsets = List.copyOf(returnOffsets);
        }
    }

    /**
     * The outcome for one file; {@code functions} is non-empty only when {@link Verdict#ATTACHABLE}.
     * {@code connLayout}: where Go's record state lies in a Conn, from the binary's DWARF (empty without
     * DWARF: its Reads served from Go's buffer are then numbered by the fallback, see go_tls.bpf.h).
     */
    public record Inspection(Verdict verdict, List<Function> functions, Optional<GoTlsConnLayout> connLayout,
                             String detail) {
        public Inspection {
            functions = List.copyOf(functions);
        }

        static Inspection of(Verdict verdict, String detail) {
            return new Inspection(verdict, List.of(), Optional.empty(), detail);
        }

        public Optional<Function> function(String name) {
            return functions.stream().filter(f -> f.name().equals(name)).findFirst();
        }
    }

    /** Gives the decoder when first needed: most files are not Go binaries with crypto/tls. */
    @FunctionalInterface
    public interface DecoderSource {
        X86ReturnFinder decoder() throws X86ReturnFinder.UnavailableException;
    }

    private GoTlsBinary() {
    }

    /**
     * Inspects one file.
     *
     * @param decoders asked for the decoder only for a Go amd64 binary that has the functions
     * @throws IOException when the file cannot be read (gone with its process)
     */
    public static Inspection inspect(Path file, DecoderSource decoders) throws IOException {
        Optional<ElfSections> opened = ElfSections.open(file);
        if (opened.isEmpty()) {
            return Inspection.of(Verdict.NOT_GO, "not a 64-bit little-endian ELF file");
        }
        try (ElfSections elf = opened.get()) {
            if (elf.section(".go.buildinfo").isEmpty()) {
                return Inspection.of(Verdict.NOT_GO, "no .go.buildinfo section");
            }
            if (!elf.hasSymbolTable()) {
                return Inspection.of(Verdict.STRIPPED, "Go executable without a symbol table (.symtab)");
            }
            Map<String, ElfSections.FunctionSymbol> found = elf.functions(FUNCTIONS);
            if (!found.keySet().containsAll(REQUIRED)) {
                return Inspection.of(Verdict.NO_TLS, "no " + WRITE + " / " + READ);
            }
            if (elf.machine() != ElfSections.EM_X86_64) {
                return Inspection.of(Verdict.UNSUPPORTED_ARCHITECTURE,
                        "ELF machine " + elf.machine() + ": only amd64 (62) is supported");
            }
            Optional<GoBuildVersion> version = version(elf);
            if (version.isEmpty() || !version.get().hasRegisterAbi()) {
                return Inspection.of(Verdict.UNSUPPORTED_GO_VERSION, "built by "
                        + version.map(GoBuildVersion::toString).orElse("an unreadable Go version")
                        + ": the probes read Go's register ABI (Go 1.17 and later)");
            }
            X86ReturnFinder decoder;
            try {
                decoder = decoders.decoder();
            } catch (X86ReturnFinder.UnavailableException e) {
                return Inspection.of(Verdict.NO_DECODER, e.getMessage());
            }
            List<Function> functions = new ArrayList<>();
            for (String name : List.of(WRITE, READ, HANDSHAKE)) {
                ElfSections.FunctionSymbol symbol = found.get(name);
                if (symbol == null) {
                    continue; // the handshake: optional
                }
                Optional<Function> function = locate(elf, symbol, decoder);
                if (function.isEmpty()) {
                    return Inspection.of(Verdict.UNDECODABLE, name + " at 0x" + Long.toHexString(symbol.address())
                            + " (" + symbol.size() + " bytes) does not decode whole, or has no RET");
                }
                functions.add(function.get());
            }
            return new Inspection(Verdict.ATTACHABLE, functions, GoTlsConnLayout.read(elf), "");
        }
    }

    private static Optional<GoBuildVersion> version(ElfSections elf) throws IOException {
        ElfSections.Section buildInfo = elf.section(".go.buildinfo").orElseThrow();
        byte[] bytes = buildInfo.size() > 0 && buildInfo.size() <= MAX_BUILD_INFO_BYTES
                ? elf.bytesAt(buildInfo.offset(), (int) buildInfo.size()) : null;
        return GoBuildVersion.parse(bytes, (address, length) -> {
            try {
                Optional<Long> offset = elf.fileOffsetOf(address);
                return offset.isEmpty() ? null : elf.bytesAt(offset.get(), length);
            } catch (IOException e) {
                return null;
            }
        });
    }

    private static Optional<Function> locate(ElfSections elf, ElfSections.FunctionSymbol symbol,
                                             X86ReturnFinder decoder) throws IOException {
        Optional<Long> entry = elf.fileOffsetOf(symbol.address());
        if (entry.isEmpty() || symbol.size() <= 0 || symbol.size() > ElfSections.MAX_FUNCTION_BYTES) {
            return Optional.empty();
        }
        byte[] body = elf.bytesAt(entry.get(), (int) symbol.size());
        if (body == null) {
            return Optional.empty();
        }
        List<Integer> returns;
        try {
            returns = decoder.returnOffsets(body, symbol.address());
        } catch (X86ReturnFinder.UndecodableException e) {
            return Optional.empty();
        }
        if (returns.isEmpty()) {
            return Optional.empty();
        }
        long base = entry.get();
        return Optional.of(new Function(symbol.name(), base, returns.stream().map(r -> base + r).toList()));
    }
}
