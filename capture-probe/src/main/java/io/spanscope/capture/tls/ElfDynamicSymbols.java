package io.spanscope.capture.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * Which of a set of function names an ELF file defines in its dynamic symbol table (.dynsym): the
 * symbols a shared library exports, or a binary linked with {@code -rdynamic}. Only the section
 * headers, .dynsym and its string table are read (a large binary is not read whole). 64-bit
 * little-endian ELF only (x86-64, arm64); anything else defines nothing.
 */
public final class ElfDynamicSymbols {

    private static final int ELF_HEADER_BYTES = 64;
    private static final int SECTION_HEADER_BYTES = 64;
    private static final int SYMBOL_BYTES = 24;
    private static final int SHT_DYNSYM = 11;
    private static final int STT_FUNC = 2;
    private static final int STT_GNU_IFUNC = 10;
    /* bounds against damaged or hostile files: no length field sizes an allocation beyond these */
    private static final int MAX_SECTIONS = 65_535;
    private static final long MAX_TABLE_BYTES = 64L << 20;

    private ElfDynamicSymbols() {
    }

    /** The names among {@code wanted} that the file defines as functions; empty when it is not such an ELF file. */
    public static Set<String> definedFunctions(Path file, Set<String> wanted) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = read(channel, 0, ELF_HEADER_BYTES);
            if (header == null || header.getInt(0) != 0x464C457F || header.get(4) != 2 || header.get(5) != 1) {
                return Set.of();
            }
            long sectionTable = header.getLong(0x28);
            int sectionEntry = Short.toUnsignedInt(header.getShort(0x3A));
            int sections = Short.toUnsignedInt(header.getShort(0x3C));
            if (sectionEntry < SECTION_HEADER_BYTES || sections == 0 || sections > MAX_SECTIONS) {
                return Set.of();
            }
            ByteBuffer table = read(channel, sectionTable, (long) sectionEntry * sections);
            if (table == null) {
                return Set.of();
            }
            for (int i = 0; i < sections; i++) {
                int at = i * sectionEntry;
                if (table.getInt(at + 4) == SHT_DYNSYM) {
                    int link = table.getInt(at + 0x28);
                    if (link <= 0 || link >= sections) {
                        return Set.of();
                    }
                    int stringsAt = link * sectionEntry;
                    ByteBuffer symbols = read(channel, table.getLong(at + 0x18), table.getLong(at + 0x20));
                    ByteBuffer strings = read(channel, table.getLong(stringsAt + 0x18), table.getLong(stringsAt + 0x20));
                    return symbols == null || strings == null ? Set.of() : match(symbols, strings, wanted);
                }
            }
            return Set.of();
        }
    }

    private static Set<String> match(ByteBuffer symbols, ByteBuffer strings, Set<String> wanted) {
        Set<String> found = new HashSet<>();
        for (int at = 0; at + SYMBOL_BYTES <= symbols.limit(); at += SYMBOL_BYTES) {
            int type = symbols.get(at + 4) & 0xF;
            int sectionIndex = Short.toUnsignedInt(symbols.getShort(at + 6));
            if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sectionIndex == 0) {
                continue; // not a function, or imported (undefined) rather than defined here
            }
            String name = name(strings, symbols.getInt(at));
            if (name != null && wanted.contains(name)) {
                found.add(name);
            }
        }
        return found;
    }

    private static String name(ByteBuffer strings, int offset) {
        if (offset < 0 || offset >= strings.limit()) {
            return null;
        }
        int end = offset;
        while (end < strings.limit() && strings.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - offset];
        strings.get(offset, bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Exactly {@code length} bytes at {@code position}, or null when the file does not have them. */
    private static ByteBuffer read(FileChannel channel, long position, long length) throws IOException {
        if (position < 0 || length < 0 || length > MAX_TABLE_BYTES || position + length > channel.size()) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                return null;
            }
        }
        return buffer.flip();
    }
}
