package io.spanscope.capture.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Which of a set of function names an ELF file defines in its dynamic symbol table (.dynsym): the
 * symbols a shared library exports, or a binary linked with {@code -rdynamic}. Only the section
 * headers, .dynsym and its string table are read through {@link ElfSections} (a large binary is not read
 * whole). 64-bit little-endian ELF only (x86-64, arm64); anything else defines nothing.
 */
public final class ElfDynamicSymbols {

    private static final int STT_FUNC = 2;
    private static final int STT_GNU_IFUNC = 10;

    private ElfDynamicSymbols() {
    }

    /** The names among {@code wanted} that the file defines as functions; empty when it is not such an ELF file. */
    public static Set<String> definedFunctions(Path file, Set<String> wanted) throws IOException {
        Optional<ElfSections> opened = ElfSections.open(file);
        if (opened.isEmpty()) {
            return Set.of();
        }
        try (ElfSections elf = opened.get()) {
            ElfSections.Section dynsym = elf.sectionOfType(ElfSections.SHT_DYNSYM).orElse(null);
            ElfSections.Section strtab = dynsym == null ? null : elf.linkedTo(dynsym).orElse(null);
            if (strtab == null) {
                return Set.of();
            }
            ByteBuffer symbols = elf.contents(dynsym);
            ByteBuffer strings = elf.contents(strtab);
            return symbols == null || strings == null ? Set.of() : match(symbols, strings, wanted);
        }
    }

    private static Set<String> match(ByteBuffer symbols, ByteBuffer strings, Set<String> wanted) {
        Set<String> found = new HashSet<>();
        for (int at = 0; at + ElfSections.SYMBOL_BYTES <= symbols.limit(); at += ElfSections.SYMBOL_BYTES) {
            int type = symbols.get(at + 4) & 0xF;
            int sectionIndex = Short.toUnsignedInt(symbols.getShort(at + 6));
            if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sectionIndex == 0) {
                continue; // not a function, or imported (undefined) rather than defined here
            }
            String name = ElfSections.string(strings, symbols.getInt(at));
            if (name != null && wanted.contains(name)) {
                found.add(name);
            }
        }
        return found;
    }
}
