package io.spanscope.capture.tls;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * The section headers of a 64-bit little-endian ELF file and what can be read through them: sections
 * by name, the functions of the full symbol table (.symtab, which Go binaries keep unless stripped and
 * never export dynamically), and bytes at a file position. Only the headers are read when opened; a
 * table or a function body is read when asked for, within fixed bounds (a damaged or hostile file sizes
 * no allocation beyond them). Not thread-safe; close it to release the file.
 */
final class ElfSections implements AutoCloseable {

    static final int EM_X86_64 = 62;
    static final int EM_AARCH64 = 183;

    private static final int ELF_HEADER_BYTES = 64;
    private static final int SECTION_HEADER_BYTES = 64;
    static final int SYMBOL_BYTES = 24;
    static final int SHT_SYMTAB = 2;
    static final int SHT_DYNSYM = 11;
    private static final int SHT_NOBITS = 8;
    private static final int STT_FUNC = 2;
    /* sh_flags: the section starts with an Elf64_Chdr (type, reserved, size, alignment) and holds compressed bytes */
    private static final long SHF_COMPRESSED = 0x800;
    private static final int ELFCOMPRESS_ZLIB = 1;
    private static final int COMPRESSION_HEADER_BYTES = 24;
    private static final int MAX_SECTIONS = 65_535;
    /* a large Go binary's .strtab is tens of MiB; nothing a damaged header claims is read beyond this */
    private static final long MAX_TABLE_BYTES = 64L << 20;
    /** Largest function body read for decoding; Go's crypto/tls Read and Write are a few KiB. */
    static final int MAX_FUNCTION_BYTES = 1 << 20;

    /** One section header. */
    record Section(String name, int type, long flags, long address, long offset, long size, int link) {
        boolean containsAddress(long value) {
            return value >= address && value - address < size;
        }
    }

    /** A function symbol: its virtual address and size. */
    record FunctionSymbol(String name, long address, long size) {
    }

    private final FileChannel channel;
    private final int machine;
    private final List<Section> sections;

    private ElfSections(FileChannel channel, int machine, List<Section> sections) {
        this.channel = channel;
        this.machine = machine;
        this.sections = sections;
    }

    /** The file's sections, or empty when it is not a 64-bit little-endian ELF file with sane headers. */
    static Optional<ElfSections> open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            ByteBuffer header = read(channel, 0, ELF_HEADER_BYTES);
            if (header == null || header.getInt(0) != 0x464C457F || header.get(4) != 2 || header.get(5) != 1) {
                channel.close();
                return Optional.empty();
            }
            int machine = Short.toUnsignedInt(header.getShort(0x12));
            long tableAt = header.getLong(0x28);
            int entryBytes = Short.toUnsignedInt(header.getShort(0x3A));
            int count = Short.toUnsignedInt(header.getShort(0x3C));
            int namesIndex = Short.toUnsignedInt(header.getShort(0x3E));
            ByteBuffer table = entryBytes < SECTION_HEADER_BYTES || count == 0 || count > MAX_SECTIONS
                    || namesIndex >= count ? null : read(channel, tableAt, (long) entryBytes * count);
            if (table == null) {
                channel.close();
                return Optional.empty();
            }
            int namesAt = namesIndex * entryBytes;
            ByteBuffer names = read(channel, table.getLong(namesAt + 0x18), table.getLong(namesAt + 0x20));
            List<Section> sections = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int at = i * entryBytes;
                String name = names == null ? "" : string(names, table.getInt(at));
                sections.add(new Section(name == null ? "" : name, table.getInt(at + 4), table.getLong(at + 8),
                        table.getLong(at + 0x10),
                        table.getLong(at + 0x18), table.getLong(at + 0x20), table.getInt(at + 0x28)));
            }
            return Optional.of(new ElfSections(channel, machine, List.copyOf(sections)));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** e_machine: {@link #EM_X86_64}, {@link #EM_AARCH64}, ... */
    int machine() {
        return machine;
    }

    Optional<Section> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The first section of an {@code sh_type}, such as {@link #SHT_DYNSYM}. */
    Optional<Section> sectionOfType(int type) {
        return sections.stream().filter(s -> s.type() == type).findFirst();
    }

    /** The section a section's {@code sh_link} names (a symbol table's string table), if valid. */
    Optional<Section> linkedTo(Section section) {
        int link = section.link();
        return link <= 0 || link >= sections.size() ? Optional.empty() : Optional.of(sections.get(link));
    }

    /** A section's bytes (little-endian), or null when the file does not hold them or they exceed the bound. */
    ByteBuffer contents(Section section) throws IOException {
        return read(channel, section.offset(), section.size());
    }

    /**
     * A section's bytes as a stream, inflated when the section is zlib-compressed (SHF_COMPRESSED, as Go's
     * linker writes its DWARF). Empty when the section occupies no file bytes, lies outside the file, or
     * is compressed some other way (zstd). The stream reads the file lazily: a section of tens of MiB is
     * never held whole. Closing it does not close this file.
     */
    Optional<InputStream> stream(Section section) throws IOException {
        long end = section.offset() + section.size();
        if (section.type() == SHT_NOBITS || section.offset() < 0 || section.size() < 0 || end > channel.size()) {
            return Optional.empty();
        }
        InputStream raw = new BufferedInputStream(new SectionInputStream(channel, section.offset(), end), 1 << 16);
        if ((section.flags() & SHF_COMPRESSED) == 0) {
            return Optional.of(raw);
        }
        ByteBuffer header = read(channel, section.offset(), COMPRESSION_HEADER_BYTES);
        if (header == null || header.getInt(0) != ELFCOMPRESS_ZLIB) {
            return Optional.empty();
        }
        raw.skipNBytes(COMPRESSION_HEADER_BYTES);
        Inflater inflater = new Inflater();
        return Optional.of(new InflaterInputStream(raw, inflater, 1 << 16) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    inflater.end(); // super.close() ends only an Inflater it made itself
                }
            }
        });
    }

    /** True when the file has a full symbol table (not stripped). */
    boolean hasSymbolTable() {
        return sections.stream().anyMatch(s -> s.type() == SHT_SYMTAB);
    }

    /**
     * The defined functions of .symtab whose names are in {@code wanted}, by name. Names are compared
     * as bytes in place: a Go binary's string table holds tens of thousands of names.
     */
    Map<String, FunctionSymbol> functions(Set<String> wanted) throws IOException {
        Map<String, FunctionSymbol> found = new HashMap<>();
        Section symtab = sections.stream().filter(s -> s.type() == SHT_SYMTAB).findFirst().orElse(null);
        if (symtab == null || symtab.link() <= 0 || symtab.link() >= sections.size()) {
            return found;
        }
        Section strtab = sections.get(symtab.link());
        ByteBuffer symbols = read(channel, symtab.offset(), symtab.size());
        ByteBuffer strings = read(channel, strtab.offset(), strtab.size());
        if (symbols == null || strings == null) {
            return found;
        }
        List<byte[]> wantedBytes = wanted.stream().map(n -> n.getBytes(StandardCharsets.ISO_8859_1)).toList();
        for (int at = 0; at + SYMBOL_BYTES <= symbols.limit(); at += SYMBOL_BYTES) {
            if ((symbols.get(at + 4) & 0xF) != STT_FUNC || symbols.getShort(at + 6) == 0) {
                continue;
            }
            int nameAt = symbols.getInt(at);
            for (byte[] name : wantedBytes) {
                if (equalsAt(strings, nameAt, name)) {
                    String text = new String(name, StandardCharsets.ISO_8859_1);
                    found.putIfAbsent(text, new FunctionSymbol(text, symbols.getLong(at + 8), symbols.getLong(at + 16)));
                }
            }
        }
        return found;
    }

    /** The file offset of a virtual address inside a section that occupies file bytes, if any. */
    Optional<Long> fileOffsetOf(long address) {
        return sections.stream().filter(s -> s.type() != SHT_NOBITS && s.address() != 0 && s.containsAddress(address))
                .findFirst().map(s -> address - s.address() + s.offset());
    }

    /** Exactly {@code length} bytes at file position {@code offset}, or null when the file does not have them. */
    byte[] bytesAt(long offset, int length) throws IOException {
        ByteBuffer buffer = read(channel, offset, length);
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private static boolean equalsAt(ByteBuffer strings, int offset, byte[] name) {
        if (offset < 0 || (long) offset + name.length >= strings.limit()) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (strings.get(offset + i) != name[i]) {
                return false;
            }
        }
        return strings.get(offset + name.length) == 0;
    }

    /** The NUL-terminated string at {@code offset} of a string table, or null when the offset is outside it. */
    static String string(ByteBuffer strings, int offset) {
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

    /** The bytes [position, end) of the file, read through positional reads (the channel's position is not used). */
    private static final class SectionInputStream extends InputStream {
        private final FileChannel channel;
        private final long end;
        private long position;

        SectionInputStream(FileChannel channel, long position, long end) {
            this.channel = channel;
            this.position = position;
            this.end = end;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (position >= end) {
                return -1;
            }
            int wanted = (int) Math.min(length, end - position);
            int n = channel.read(ByteBuffer.wrap(into, offset, wanted), position);
            if (n > 0) {
                position += n;
            }
            return n;
        }
    }
}
