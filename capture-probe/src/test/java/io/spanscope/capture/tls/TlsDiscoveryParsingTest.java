package io.spanscope.capture.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /proc/PID/maps lines and ELF dynamic symbol tables, on the host's real files and on damaged ones. */
class TlsDiscoveryParsingTest {

    private static final Set<String> SSL_FUNCTIONS = Set.of("SSL_write", "SSL_read", "SSL_write_ex", "SSL_read_ex");
    private static final Path LIBSSL = Path.of("/lib/x86_64-linux-gnu/libssl.so.3");

    @TempDir
    Path dir;

    @Test
    void executableFileMappingsAreTakenOnceWithTheKernelsDeviceEncoding() {
        String maps = String.join("\n",
                "55d0c0a00000-55d0c0a28000 r--p 00000000 fd:01 1311      /usr/bin/curl",
                "55d0c0a28000-55d0c0a90000 r-xp 00028000 fd:01 1311      /usr/bin/curl",
                "7f0000000000-7f0000020000 r-xp 00000000 08:12 4242      /usr/lib/x86_64-linux-gnu/libssl.so.3",
                "7f0000020000-7f0000030000 r-xp 00020000 08:12 4242      /usr/lib/x86_64-linux-gnu/libssl.so.3",
                "7f0000040000-7f0000041000 rw-p 00000000 00:00 0",
                "7f0000050000-7f0000051000 r-xp 00000000 00:00 0         [vdso]",
                "7f0000060000-7f0000061000 r-xp 00000000 fd:01 99        /tmp/gone.so (deleted)",
                "7f0000070000-7f0000071000 r-xp 00000000 fd:01 77        /opt/app/bin with space",
                "garbage line",
                "");
        List<MappedFile> files = MappedFile.executableMappings(maps);
        assertThat(files).containsExactly(
                new MappedFile(0xfdL << 20 | 1, 1311, "/usr/bin/curl"),
                new MappedFile(0x08L << 20 | 0x12, 4242, "/usr/lib/x86_64-linux-gnu/libssl.so.3"),
                new MappedFile(0xfdL << 20 | 1, 77, "/opt/app/bin with space"));
        assertThat(files.get(1).fileName()).isEqualTo("libssl.so.3");
        assertThat(files.get(1).key()).isEqualTo(new MappedFile.Key(0x08L << 20 | 0x12, 4242));
    }

    @Test
    void libsslDefinesTheFourPlaintextFunctions() throws Exception {
        assertThat(ElfDynamicSymbols.definedFunctions(LIBSSL, SSL_FUNCTIONS)).isEqualTo(SSL_FUNCTIONS);
    }

    @Test
    void aModuleThatOnlyImportsTheFunctionsDefinesNone() throws Exception {
        Process python = new ProcessBuilder("python3", "-c", "import _ssl; print(_ssl.__file__)").start();
        Path module = Path.of(new String(python.getInputStream().readAllBytes()).trim());
        assertThat(python.waitFor()).isZero();
        assertThat(ElfDynamicSymbols.definedFunctions(module, SSL_FUNCTIONS)).isEmpty();
        assertThat(ElfDynamicSymbols.definedFunctions(Path.of("/lib/x86_64-linux-gnu/libcrypto.so.3"), SSL_FUNCTIONS))
                .isEmpty();
    }

    @Test
    void notElfTruncatedOrDamagedFilesDefineNothingAndNeverThrow() throws Exception {
        Path text = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hello\n");
        assertThat(ElfDynamicSymbols.definedFunctions(text, SSL_FUNCTIONS)).isEmpty();
        byte[] elf = Files.readAllBytes(LIBSSL);
        for (int length : new int[] {0, 16, 64, 4096, elf.length / 2}) {
            Path cut = Files.write(dir.resolve("cut-" + length), Arrays.copyOf(elf, length));
            assertThat(ElfDynamicSymbols.definedFunctions(cut, SSL_FUNCTIONS)).isSubsetOf(SSL_FUNCTIONS);
        }
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            byte[] damaged = Arrays.copyOf(elf, elf.length);
            for (int i = 0; i < 32; i++) {
                // damage the header and the section table, where lengths and offsets live
                int at = random.nextBoolean() ? random.nextInt(64) : (int) Math.max(0, damaged.length - 1 - random.nextInt(4096));
                damaged[at] = (byte) random.nextInt(256);
            }
            Path file = Files.write(dir.resolve("damaged"), damaged);
            assertThat(ElfDynamicSymbols.definedFunctions(file, SSL_FUNCTIONS)).isSubsetOf(SSL_FUNCTIONS);
        }
    }
}
