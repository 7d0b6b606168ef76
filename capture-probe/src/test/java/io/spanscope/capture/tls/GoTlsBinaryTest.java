package io.spanscope.capture.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Symbol and RET discovery on real Go executables built by the installed Go toolchain, checked
 * against binutils' own reading of the same file (nm for the symbols, objdump's disassembly for the
 * RETs), plus a stripped build, a Go program without TLS and a C-built program.
 */
class GoTlsBinaryTest {

    private static final String TLS_PROGRAM = """
            package main

            import (
            \t"crypto/tls"
            \t"os"
            )

            func main() {
            \tc, err := tls.Dial("tcp", "127.0.0.1:1", &tls.Config{})
            \tif err == nil {
            \t\tc.Write([]byte("x"))
            \t\tc.Read(make([]byte, 1))
            \t}
            \tos.Exit(0)
            }
            """;
    private static final String PLAIN_PROGRAM = """
            package main

            import "fmt"

            func main() { fmt.Println("no tls") }
            """;
    private static final Pattern OBJDUMP_LINE = Pattern.compile("^\\s*([0-9a-f]+):\\s+(.*)$");

    @TempDir
    static Path dir;
    static Path tlsBinary;
    static Path strippedBinary;
    static Path plainBinary;
    static X86ReturnFinder decoder;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(run(dir, "go", "version") != null, "no Go toolchain");
        tlsBinary = goBuild("tlsprog", TLS_PROGRAM);
        strippedBinary = goBuild("tlsprog-stripped", TLS_PROGRAM, "-ldflags=-s -w");
        plainBinary = goBuild("plainprog", PLAIN_PROGRAM);
        decoder = X86ReturnFinder.open();
    }

    @AfterAll
    static void closeDecoder() {
        if (decoder != null) {
            decoder.close();
        }
    }

    @Test
    void findsWriteAndReadAtTheAddressesNmReportsAndEveryRetObjdumpDecodes() throws Exception {
        GoTlsBinary.Inspection inspection = GoTlsBinary.inspect(tlsBinary, () -> decoder);

        assertThat(inspection.verdict()).as(inspection.detail()).isEqualTo(GoTlsBinary.Verdict.ATTACHABLE);
        for (String name : List.of(GoTlsBinary.WRITE, GoTlsBinary.READ, GoTlsBinary.HANDSHAKE)) {
            GoTlsBinary.Function function = inspection.function(name).orElseThrow();
            long address = nmAddress(name);
            long textDelta = textAddressMinusOffset();
            assertThat(function.entryOffset()).as("entry of %s", name).isEqualTo(address - textDelta);

            List<Long> objdumpReturns = objdumpReturns(name).stream().map(a -> a - textDelta).toList();
            assertThat(objdumpReturns).as("objdump finds RETs in %s", name).isNotEmpty();
            assertThat(function.returnOffsets()).as("RETs of %s", name).containsExactlyElementsOf(objdumpReturns);
            byte[] file = Files.readAllBytes(tlsBinary);
            assertThat(function.returnOffsets()).allSatisfy(
                    offset -> assertThat(file[(int) (long) offset] & 0xFF).isIn(0xC3, 0xC2));
        }
    }

    @Test
    void theConnLayoutIsTheSumOfTheMemberOffsetsReadelfShowsInTheDwarf() throws Exception {
        GoTlsBinary.Inspection inspection = GoTlsBinary.inspect(tlsBinary, () -> decoder);
        String dwarf = run(dir, "readelf", "--debug-dump=info", tlsBinary.toString());
        assumeTrue(dwarf != null, "no readelf");
        Map<String, Long> conn = readelfMembers(dwarf, "crypto/tls.Conn");
        Map<String, Long> buffer = readelfMembers(dwarf, "bytes.Buffer");
        Map<String, Long> reader = readelfMembers(dwarf, "bytes.Reader");
        Map<String, Long> slice = readelfMembers(dwarf, "[]uint8");

        assertThat(inspection.connLayout()).contains(new GoTlsConnLayout(conn.get("vers"), conn.get("cipherSuite"),
                conn.get("rawInput") + buffer.get("buf") + slice.get("array"),
                conn.get("rawInput") + buffer.get("buf") + slice.get("len"),
                conn.get("rawInput") + buffer.get("off"),
                conn.get("input") + reader.get("s") + slice.get("array"),
                conn.get("input") + reader.get("s") + slice.get("len"),
                conn.get("input") + reader.get("i")));
        // the Conn starts with its net.Conn: rawInput and input lie well inside it
        assertThat(conn.get("rawInput")).isPositive();
    }

    @Test
    void aBinaryWithoutDwarfHasNoConnLayout() throws Exception {
        try (ElfSections elf = ElfSections.open(strippedBinary).orElseThrow()) {
            assertThat(elf.section(".debug_info")).isEmpty();
            assertThat(GoTlsConnLayout.read(elf)).isEmpty();
        }
    }

    @Test
    void theBuildVersionIsTheToolchainsRelease() throws Exception {
        String toolchain = run(dir, "go", "env", "GOVERSION").trim(); // "go1.26.8"
        Matcher release = Pattern.compile("^go(\\d+)\\.(\\d+)").matcher(toolchain);
        assertThat(release.find()).as(toolchain).isTrue();
        try (ElfSections elf = ElfSections.open(tlsBinary).orElseThrow()) {
            ElfSections.Section buildInfo = elf.section(".go.buildinfo").orElseThrow();
            byte[] bytes = elf.bytesAt(buildInfo.offset(), (int) buildInfo.size());

            assertThat(GoBuildVersion.parse(bytes, (address, length) -> null)).contains(
                    new GoBuildVersion(Integer.parseInt(release.group(1)), Integer.parseInt(release.group(2))));
        }
    }

    @Test
    void aPre118BuildInfoIsReadThroughItsStringHeaderAndGo116HasNoRegisterAbi() {
        // Go 1.13-1.17 layout: magic, pointer size 8, flags 0, then the address of runtime.buildVersion's header
        byte[] section = new byte[32];
        System.arraycopy("\u00ff Go buildinf:".getBytes(StandardCharsets.ISO_8859_1), 0, section, 0, 14);
        section[14] = 8;
        java.nio.ByteBuffer.wrap(section).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(16, 0x5000);
        byte[] header = new byte[16];
        java.nio.ByteBuffer.wrap(header).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, 0x6000).putLong(8, 8);
        byte[] text = "go1.16.5".getBytes(StandardCharsets.ISO_8859_1);

        var version = GoBuildVersion.parse(section, (address, length) ->
                address == 0x5000 && length == 16 ? header : address == 0x6000 && length == 8 ? text : null);

        assertThat(version).contains(new GoBuildVersion(1, 16));
        assertThat(version.orElseThrow().hasRegisterAbi()).isFalse();
        assertThat(GoBuildVersion.parse(section, (address, length) -> null)).isEmpty();
    }

    @Test
    void buildInfoThatIsNotOneIsNoVersion() {
        assertThat(GoBuildVersion.parse(new byte[64], (a, l) -> null)).isEmpty();
        assertThat(GoBuildVersion.parse(new byte[3], (a, l) -> null)).isEmpty();
        assertThat(GoBuildVersion.of("devel go1.24-4a5c5f7 Tue")).contains(new GoBuildVersion(1, 24));
        assertThat(GoBuildVersion.of("gccgo")).isEmpty();
    }

    @Test
    void aStrippedGoBinaryIsReportedAsSuchAndNotAttached() throws Exception {
        GoTlsBinary.Inspection inspection = GoTlsBinary.inspect(strippedBinary, () -> decoder);

        assertThat(inspection.verdict()).isEqualTo(GoTlsBinary.Verdict.STRIPPED);
        assertThat(inspection.functions()).isEmpty();
    }

    @Test
    void aGoBinaryWithoutCryptoTlsHasNothingToProbe() throws Exception {
        GoTlsBinary.Inspection inspection = GoTlsBinary.inspect(plainBinary, () -> decoder);

        assertThat(inspection.verdict()).isEqualTo(GoTlsBinary.Verdict.NO_TLS);
    }

    @Test
    void aProgramNotBuiltByGoIsNotGoAndNeedsNoDecoder() throws Exception {
        Path shell = Path.of("/bin/sh").toRealPath();

        GoTlsBinary.Inspection inspection = GoTlsBinary.inspect(shell, () -> {
            throw new AssertionError("the decoder is only for Go binaries with crypto/tls");
        });

        assertThat(inspection.verdict()).isEqualTo(GoTlsBinary.Verdict.NOT_GO);
    }

    @Test
    void aFileThatIsNotElfIsNotGo() throws Exception {
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "not an executable at all, but longer than an ELF header would be ........");

        assertThat(GoTlsBinary.inspect(text, () -> decoder).verdict()).isEqualTo(GoTlsBinary.Verdict.NOT_GO);
    }

    @Test
    void aRetByteInsideAnotherInstructionIsNotAReturn() throws Exception {
        // mov eax, 0xc3c3c3c3 ; ret ; mov ecx, 0xc3 (imm32) ; ret 8
        byte[] code = {(byte) 0xB8, (byte) 0xC3, (byte) 0xC3, (byte) 0xC3, (byte) 0xC3, (byte) 0xC3,
                (byte) 0xB9, (byte) 0xC3, 0, 0, 0, (byte) 0xC2, 8, 0};

        assertThat(decoder.returnOffsets(code, 0x401000)).containsExactly(5, 11);
    }

    @Test
    void bytesThatEndInsideAnInstructionAreUndecodable() {
        byte[] truncated = {(byte) 0xC3, (byte) 0xB8, (byte) 0xC3}; // ret ; mov eax, imm32 cut short

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> decoder.returnOffsets(truncated, 0x401000))
                .isInstanceOf(X86ReturnFinder.UndecodableException.class);
    }

    @Test
    void damagedOrTruncatedCopiesGiveAVerdictAndNeverThrow() throws Exception {
        byte[] original = Files.readAllBytes(tlsBinary);
        java.util.Random random = new java.util.Random(20261125L);
        long sectionTable = java.nio.ByteBuffer.wrap(original).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0x28);
        Path copy = dir.resolve("damaged");
        java.util.EnumSet<GoTlsBinary.Verdict> seen = java.util.EnumSet.noneOf(GoTlsBinary.Verdict.class);
        for (int round = 0; round < 150; round++) {
            byte[] damaged = original.clone();
            for (int i = 0; i < 8; i++) {
                // the ELF header and the section header table are what the reader trusts most
                int at = random.nextBoolean() ? random.nextInt(64)
                        : (int) sectionTable + random.nextInt(original.length - (int) sectionTable);
                damaged[at] = (byte) random.nextInt(256);
            }
            Files.write(copy, round % 10 == 0 ? java.util.Arrays.copyOf(damaged, random.nextInt(original.length)) : damaged);
            seen.add(GoTlsBinary.inspect(copy, () -> decoder).verdict());
        }
        assertThat(seen).isNotEmpty();
    }

    /** Member name -> DW_AT_data_member_location of the structure type named {@code struct}, as readelf prints them. */
    private static Map<String, Long> readelfMembers(String dwarf, String struct) {
        Map<String, Long> members = new HashMap<>();
        String[] lines = dwarf.split("\n");
        for (int at = 0; at + 1 < lines.length; at++) {
            if (lines[at].contains("(DW_TAG_structure_type)") && lines[at + 1].endsWith("DW_AT_name        : " + struct)) {
                String member = null;
                for (int i = at + 2; i < lines.length && !lines[i].startsWith(" <1>"); i++) {
                    Matcher name = Pattern.compile("DW_AT_name\\s+: (\\S+)$").matcher(lines[i]);
                    Matcher location = Pattern.compile("DW_AT_data_member_location: (\\d+)$").matcher(lines[i]);
                    if (name.find()) {
                        member = name.group(1);
                    } else if (location.find() && member != null) {
                        members.putIfAbsent(member, Long.parseLong(location.group(1)));
                    }
                }
                assertThat(members).as("members of %s", struct).isNotEmpty();
                return members;
            }
        }
        throw new AssertionError("readelf shows no structure " + struct);
    }

    private static long nmAddress(String symbol) throws Exception {
        for (String line : run(dir, "nm", tlsBinary.toString()).split("\n")) {
            String[] fields = line.trim().split(" ", 3);
            if (fields.length == 3 && fields[2].equals(symbol)) {
                return Long.parseUnsignedLong(fields[0], 16);
            }
        }
        throw new AssertionError("nm does not list " + symbol);
    }

    /** .text's virtual address minus its file offset, from readelf. */
    private static long textAddressMinusOffset() throws Exception {
        for (String line : run(dir, "readelf", "-SW", tlsBinary.toString()).split("\n")) {
            String[] f = line.replaceFirst("^\\s*\\[\\s*\\d+\\]\\s*", "").trim().split("\\s+");
            if (f.length > 3 && f[0].equals(".text")) {
                return Long.parseUnsignedLong(f[2], 16) - Long.parseUnsignedLong(f[3], 16);
            }
        }
        throw new AssertionError("no .text in readelf output");
    }

    /** Addresses of the ret instructions objdump decodes in one function. */
    private static List<Long> objdumpReturns(String symbol) throws Exception {
        String out = run(dir, "objdump", "-d", "--no-show-raw-insn", "--disassemble=" + symbol, tlsBinary.toString());
        List<Long> returns = new ArrayList<>();
        for (String line : out.split("\n")) {
            Matcher m = OBJDUMP_LINE.matcher(line);
            if (m.matches() && m.group(2).trim().matches("ret[qwl]?(\\s.*)?")) {
                returns.add(Long.parseUnsignedLong(m.group(1), 16));
            }
        }
        return returns;
    }

    private static Path goBuild(String name, String source, String... flags) throws Exception {
        Path module = dir.resolve(name + "-src");
        Files.createDirectories(module);
        Files.writeString(module.resolve("go.mod"), "module example.com/" + name + "\n\ngo 1.21\n");
        Files.writeString(module.resolve("main.go"), source);
        Path binary = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of("go", "build", "-o", binary.toString()));
        command.addAll(List.of(flags));
        command.add(".");
        assertThat(run(module, command.toArray(String[]::new))).as("go build " + name).isNotNull();
        return binary;
    }

    /** The command's output, or null when it could not run or failed. */
    private static String run(Path workDir, String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            System.err.println(String.join(" ", command) + ": " + out);
            return null;
        }
        return out;
    }
}
