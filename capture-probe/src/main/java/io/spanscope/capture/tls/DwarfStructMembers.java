package io.spanscope.capture.tls;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The member offsets of named structure types, read from a file's DWARF ({@code .debug_info} with its
 * {@code .debug_abbrev}, versions 2 to 5, zlib-compressed or not). Made for Go binaries, whose linker
 * writes each type once with its Go name ("crypto/tls.Conn", "bytes.Buffer", "[]uint8") and each member
 * offset as a constant. {@code .debug_info} is read as a stream, one entry after the other, and reading
 * stops once every wanted type was seen: nothing the size of the section is held. A damaged section
 * gives what was found before the damage; nothing here throws on bad input.
 */
final class DwarfStructMembers {

    private static final int TAG_STRUCTURE_TYPE = 0x13;
    private static final int TAG_MEMBER = 0x0d;
    private static final int AT_NAME = 0x03;
    private static final int AT_DATA_MEMBER_LOCATION = 0x38;
    private static final int FORM_STRING = 0x08;
    private static final int FORM_IMPLICIT_CONST = 0x21;
    private static final int MAX_ABBREV_BYTES = 1 << 20;
    private static final int MAX_NAME_BYTES = 1 << 12;
    private static final int MAX_NESTING = 256;

    private DwarfStructMembers() {
    }

    /**
     * For each wanted structure type found, its members' byte offsets by member name (the first
     * definition of a name wins). Empty when the file has no DWARF or it cannot be read at all.
     */
    static Map<String, Map<String, Long>> read(ElfSections elf, Set<String> wanted) throws IOException {
        Optional<ElfSections.Section> info = elf.section(".debug_info");
        Optional<ElfSections.Section> abbrev = elf.section(".debug_abbrev");
        Map<String, Map<String, Long>> found = new HashMap<>();
        if (info.isEmpty() || abbrev.isEmpty()) {
            return found;
        }
        byte[] abbrevBytes;
        try (InputStream in = elf.stream(abbrev.get()).orElse(null)) {
            if (in == null) {
                return found;
            }
            abbrevBytes = in.readNBytes(MAX_ABBREV_BYTES + 1);
        }
        if (abbrevBytes.length > MAX_ABBREV_BYTES) {
            return found;
        }
        try (InputStream in = elf.stream(info.get()).orElse(null)) {
            if (in != null) {
                new Walk(new DwarfInput(in), new AbbrevTables(abbrevBytes), wanted, found).units();
            }
        } catch (MalformedException | EOFException | java.util.zip.ZipException e) {
            // what was found before the damage stands
        }
        return found;
    }

    /** One pass over the units of .debug_info, collecting the members of wanted structure types. */
    private static final class Walk {
        private final DwarfInput in;
        private final AbbrevTables abbrevTables;
        private final Set<String> wanted;
        private final Map<String, Map<String, Long>> found;

        Walk(DwarfInput in, AbbrevTables abbrevTables, Set<String> wanted, Map<String, Map<String, Long>> found) {
            this.in = in;
            this.abbrevTables = abbrevTables;
            this.wanted = wanted;
            this.found = found;
        }

        void units() throws IOException {
            while (found.size() < wanted.size() && !in.atEnd()) {
                unit();
            }
        }

        private void unit() throws IOException {
            long length = in.u32();
            int offsetSize = 4;
            if (length == 0xffff_ffffL) {
                length = in.u64();
                offsetSize = 8;
            }
            long end = in.position() + length;
            int version = in.u16();
            int addressSize;
            long abbrevOffset;
            if (version == 5) {
                int unitType = in.u8();
                addressSize = in.u8();
                abbrevOffset = in.offset(offsetSize);
                if (unitType == 4 || unitType == 5) {
                    in.skip(8); // skeleton / split compile: dwo_id
                } else if (unitType == 2 || unitType == 6) {
                    in.skip(8); // type units: signature and type offset
                    in.offset(offsetSize);
                }
            } else if (version >= 2 && version <= 4) {
                abbrevOffset = in.offset(offsetSize);
                addressSize = in.u8();
            } else {
                throw new MalformedException("DWARF version " + version);
            }
            Map<Long, Abbrev> abbrevs = abbrevTables.at(abbrevOffset);
            FormReader forms = new FormReader(in, version, addressSize, offsetSize);
            int depth = 0;
            int structDepth = -1;
            String struct = null;
            Map<String, Long> members = null;
            while (in.position() < end) {
                long code = in.uleb();
                if (code == 0) {
                    depth--;
                    if (struct != null && depth <= structDepth) {
                        found.putIfAbsent(struct, Map.copyOf(members));
                        struct = null;
                    }
                    continue;
                }
                Abbrev abbrev = abbrevs.get(code);
                if (abbrev == null || depth > MAX_NESTING) {
                    throw new MalformedException("abbreviation " + code);
                }
                String name = null;
                Long location = null;
                for (int i = 0; i < abbrev.attributes.length; i++) {
                    int attribute = abbrev.attributes[i];
                    int form = abbrev.forms[i];
                    if (attribute == AT_NAME && form == FORM_STRING) {
                        name = in.cString(MAX_NAME_BYTES);
                    } else if (attribute == AT_DATA_MEMBER_LOCATION) {
                        location = forms.constant(form, abbrev.implicitConstants[i]);
                    } else {
                        forms.skip(form);
                    }
                }
                if (struct == null && abbrev.tag == TAG_STRUCTURE_TYPE && abbrev.hasChildren && name != null
                        && wanted.contains(name) && !found.containsKey(name)) {
                    struct = name;
                    structDepth = depth;
                    members = new HashMap<>();
                } else if (struct != null && abbrev.tag == TAG_MEMBER && depth == structDepth + 1 && name != null
                        && location != null) {
                    members.putIfAbsent(name, location);
                }
                if (abbrev.hasChildren) {
                    depth++;
                }
            }
            if (in.position() > end) {
                throw new MalformedException("unit overran its length");
            }
        }
    }

    /** An abbreviation: the tag of the entries using it and their attributes' names and forms. */
    private record Abbrev(int tag, boolean hasChildren, int[] attributes, int[] forms, long[] implicitConstants) {
    }

    /** The abbreviation tables of .debug_abbrev, parsed when a unit first names one (Go's units share one). */
    private static final class AbbrevTables {
        private final byte[] bytes;
        private final Map<Long, Map<Long, Abbrev>> byOffset = new HashMap<>();

        AbbrevTables(byte[] bytes) {
            this.bytes = bytes;
        }

        Map<Long, Abbrev> at(long offset) throws IOException {
            Map<Long, Abbrev> table = byOffset.get(offset);
            if (table == null) {
                if (offset < 0 || offset >= bytes.length) {
                    throw new MalformedException("abbreviation table offset " + offset);
                }
                table = parse(new DwarfInput(new java.io.ByteArrayInputStream(bytes, (int) offset, bytes.length)));
                byOffset.put(offset, table);
            }
            return table;
        }

        private static Map<Long, Abbrev> parse(DwarfInput in) throws IOException {
            Map<Long, Abbrev> table = new HashMap<>();
            for (long code = in.uleb(); code != 0; code = in.uleb()) {
                int tag = (int) in.uleb();
                boolean children = in.u8() != 0;
                int[] attributes = new int[8];
                int[] forms = new int[8];
                long[] constants = new long[8];
                int count = 0;
                for (int attribute = (int) in.uleb(), form = (int) in.uleb(); attribute != 0 || form != 0;
                     attribute = (int) in.uleb(), form = (int) in.uleb()) {
                    if (count == attributes.length) {
                        if (count >= 1024) {
                            throw new MalformedException("abbreviation with too many attributes");
                        }
                        attributes = java.util.Arrays.copyOf(attributes, count * 2);
                        forms = java.util.Arrays.copyOf(forms, count * 2);
                        constants = java.util.Arrays.copyOf(constants, count * 2);
                    }
                    attributes[count] = attribute;
                    forms[count] = form;
                    constants[count] = form == FORM_IMPLICIT_CONST ? in.sleb() : 0;
                    count++;
                }
                table.putIfAbsent(code, new Abbrev(tag, children, java.util.Arrays.copyOf(attributes, count),
                        java.util.Arrays.copyOf(forms, count), java.util.Arrays.copyOf(constants, count)));
            }
            return table;
        }
    }

    /** Reads or skips an attribute value by its form (DWARF 5, section 7.5.6). */
    private static final class FormReader {
        private final DwarfInput in;
        private final int version;
        private final int addressSize;
        private final int offsetSize;

        FormReader(DwarfInput in, int version, int addressSize, int offsetSize) {
            this.in = in;
            this.version = version;
            this.addressSize = addressSize;
            this.offsetSize = offsetSize;
        }

        /** A constant-class value; null (after skipping it) for a location expression or anything else. */
        Long constant(int form, long implicitConstant) throws IOException {
            return switch (form) {
                case 0x0b -> (long) in.u8();
                case 0x05 -> (long) in.u16();
                case 0x06 -> in.u32();
                case 0x07 -> in.u64();
                case 0x0f -> in.uleb();
                case 0x0d -> in.sleb();
                case FORM_IMPLICIT_CONST -> implicitConstant;
                default -> {
                    skip(form);
                    yield null;
                }
            };
        }

        void skip(int form) throws IOException {
            switch (form) {
                case 0x19, FORM_IMPLICIT_CONST -> { } // flag_present, implicit_const: no bytes
                case 0x0b, 0x0c, 0x11, 0x25, 0x29 -> in.skip(1);
                case 0x05, 0x12, 0x26, 0x2a -> in.skip(2);
                case 0x27, 0x2b -> in.skip(3);
                case 0x06, 0x13, 0x1c, 0x28, 0x2c -> in.skip(4);
                case 0x07, 0x14, 0x20, 0x24 -> in.skip(8);
                case 0x1e -> in.skip(16);
                case 0x01 -> in.skip(addressSize);
                case 0x10 -> in.skip(version <= 2 ? addressSize : offsetSize); // ref_addr
                case 0x0e, 0x17, 0x1d, 0x1f -> in.skip(offsetSize); // strp, sec_offset, strp_sup, line_strp
                case 0x0d -> in.sleb();
                case 0x0f, 0x15, 0x1a, 0x1b, 0x22, 0x23 -> in.uleb();
                case 0x08 -> in.skipCString();
                case 0x0a -> in.skip(in.u8());
                case 0x03 -> in.skip(in.u16());
                case 0x04 -> in.skip(in.u32());
                case 0x09, 0x18 -> in.skip(in.uleb());
                case 0x16 -> skip((int) in.uleb()); // indirect
                default -> throw new MalformedException("form 0x" + Integer.toHexString(form));
            }
        }
    }

    /** Little-endian reads from a stream through a buffer of its own, with the position counted. */
    private static final class DwarfInput {
        private final InputStream in;
        private final byte[] buffer = new byte[1 << 16];
        private int at;
        private int limit;
        private long position;

        DwarfInput(InputStream in) {
            this.in = in;
        }

        long position() {
            return position;
        }

        boolean atEnd() throws IOException {
            return at == limit && !fill();
        }

        private boolean fill() throws IOException {
            int n = in.read(buffer, 0, buffer.length);
            at = 0;
            limit = Math.max(n, 0);
            return n > 0;
        }

        int u8() throws IOException {
            if (at == limit && !fill()) {
                throw new EOFException();
            }
            position++;
            return buffer[at++] & 0xFF;
        }

        int u16() throws IOException {
            return u8() | u8() << 8;
        }

        long u32() throws IOException {
            return (u16() | (long) u16() << 16) & 0xffff_ffffL;
        }

        long u64() throws IOException {
            return u32() | u32() << 32;
        }

        long offset(int size) throws IOException {
            return size == 8 ? u64() : u32();
        }

        long uleb() throws IOException {
            long value = 0;
            for (int shift = 0; ; shift += 7) {
                int b = u8();
                if (shift < 64) {
                    value |= (long) (b & 0x7f) << shift;
                }
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
        }

        long sleb() throws IOException {
            long value = 0;
            int shift = 0;
            int b;
            do {
                b = u8();
                if (shift < 64) {
                    value |= (long) (b & 0x7f) << shift;
                }
                shift += 7;
            } while ((b & 0x80) != 0);
            return shift < 64 && (b & 0x40) != 0 ? value | -1L << shift : value;
        }

        void skip(long count) throws IOException {
            if (count < 0) {
                throw new MalformedException("negative length");
            }
            long left = count;
            while (left > 0) {
                if (at == limit && !fill()) {
                    throw new EOFException();
                }
                int step = (int) Math.min(left, limit - at);
                at += step;
                left -= step;
            }
            position += count;
        }

        void skipCString() throws IOException {
            while (u8() != 0) {
                // up to the NUL
            }
        }

        /** A NUL-terminated string; longer than {@code max} bytes is damage. */
        String cString(int max) throws IOException {
            byte[] bytes = new byte[64];
            int length = 0;
            for (int b = u8(); b != 0; b = u8()) {
                if (length == max) {
                    throw new MalformedException("string longer than " + max);
                }
                if (length == bytes.length) {
                    bytes = java.util.Arrays.copyOf(bytes, Math.min(max, length * 2));
                }
                bytes[length++] = (byte) b;
            }
            return new String(bytes, 0, length, StandardCharsets.UTF_8);
        }
    }

    /** The section does not parse as DWARF from here on. */
    private static final class MalformedException extends IOException {
        MalformedException(String message) {
            super(message);
        }
    }
}
