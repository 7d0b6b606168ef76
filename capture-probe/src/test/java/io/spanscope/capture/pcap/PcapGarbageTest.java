package io.spanscope.capture.pcap;

import io.spanscope.capture.testing.RecordingSink;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static io.spanscope.capture.pcap.SyntheticCapture.ACK;
import static io.spanscope.capture.pcap.SyntheticCapture.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad input: a clear exception at the header, counted and bounded outcomes after it, never an OOM. */
class PcapGarbageTest {

    private static final long T0 = 1_700_000_000_000_000_000L;

    private static PcapStats read(byte[] bytes) throws Exception {
        try (PcapReader reader = PcapReader.builder().open(Channels.newChannel(new ByteArrayInputStream(bytes)))) {
            return reader.read(new RecordingSink());
        }
    }

    private static PcapReader open(byte[] bytes) throws Exception {
        return PcapReader.builder().open(Channels.newChannel(new ByteArrayInputStream(bytes)));
    }

    private static byte[] validCapture(SyntheticCapture.Container container) {
        SyntheticCapture c = new SyntheticCapture(container, ByteOrder.LITTLE_ENDIAN, PacketDecoder.LINKTYPE_ETHERNET, false);
        c.client(T0, SYN, 1, 0, "").server(T0 + 1, SYN | ACK, 9, 2, "").client(T0 + 2, ACK, 2, 10, "");
        for (int i = 0; i < 20; i++) {
            c.client(T0 + 10 + i, ACK, 2 + i * 5, 10, "abcde");
        }
        return c.bytes();
    }

    @Test
    void filesThatAreNotCapturesFailAtOpenWithAOneLineMessage() {
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        random[0] = 'x';
        assertThatThrownBy(() -> open(random)).isInstanceOf(PcapFormatException.class).hasMessageStartingWith("not a pcap file");
        assertThatThrownBy(() -> open(new byte[0])).isInstanceOf(PcapFormatException.class);
        assertThatThrownBy(() -> open("GET / HTTP/1.1\r\n\r\n".getBytes())).isInstanceOf(PcapFormatException.class);
        byte[] header = validCapture(SyntheticCapture.Container.PCAP_MICROS);
        assertThatThrownBy(() -> open(Arrays.copyOf(header, 10))).isInstanceOf(PcapFormatException.class)
                .hasMessageContaining("truncated");
        byte[] pcapng = validCapture(SyntheticCapture.Container.PCAPNG_NANOS);
        byte[] badOrder = pcapng.clone();
        badOrder[8] = 0;
        assertThatThrownBy(() -> open(badOrder)).isInstanceOf(PcapFormatException.class).hasMessageContaining("byte-order");
        byte[] version = header.clone();
        version[4] = 9;
        assertThatThrownBy(() -> open(version)).isInstanceOf(PcapFormatException.class).hasMessageContaining("version");
    }

    @Test
    void missingFileIsAnIoErrorNotAFormatError(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertThatThrownBy(() -> PcapReader.open(dir.resolve("absent.pcap")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void absurdRecordLengthStopsTheClassicReadWithoutAllocating() throws Exception {
        byte[] bytes = validCapture(SyntheticCapture.Container.PCAP_MICROS);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 8, 0x7FFFFFF0); // first record's caplen
        PcapStats stats = read(bytes);

        assertThat(stats.packets()).isZero();
        assertThat(stats.corruptRecords()).isEqualTo(1);
        assertThat(stats.stoppedAtCorruptRecord()).isTrue();
    }

    @Test
    void oversizedPcapngPacketBlockIsSkippedByItsLengthAndReadingGoesOn() throws Exception {
        byte[] base = validCapture(SyntheticCapture.Container.PCAPNG_NANOS);
        // a well-framed but 400 KiB enhanced packet block (over the 256 KiB + 64 KiB buffer), then the capture again
        int big = 400 * 1024;
        ByteBuffer block = ByteBuffer.allocate(big).order(ByteOrder.LITTLE_ENDIAN);
        block.putInt(6).putInt(big).putInt(0).putInt(0).putInt(0).putInt(big - 32).putInt(big - 32);
        block.putInt(big - 4, big);
        int headers = 28 + 32; // section + interface blocks
        byte[] bytes = new byte[base.length + big];
        System.arraycopy(base, 0, bytes, 0, headers);
        System.arraycopy(block.array(), 0, bytes, headers, big);
        System.arraycopy(base, headers, bytes, headers + big, base.length - headers);
        PcapStats stats = read(bytes);

        assertThat(stats.corruptRecords()).isEqualTo(1);
        assertThat(stats.packets()).isEqualTo(23);
        assertThat(stats.payloadBytes()).isEqualTo(100);
    }

    @Test
    void brokenPcapngFramingStopsTheReadCounted() throws Exception {
        byte[] bytes = validCapture(SyntheticCapture.Container.PCAPNG_NANOS);
        int thirdPacketBlock = 28 + 32 + 2 * (32 + 60); // handshake blocks: 58-byte frames padded to 60
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(thirdPacketBlock + 4, 13); // not a multiple of 4
        PcapStats stats = read(bytes);

        assertThat(stats.packets()).isEqualTo(2);
        assertThat(stats.stoppedAtCorruptRecord()).isTrue();
    }

    @Test
    void fileCutInsideARecordDeliversWhatPrecedesAndSaysSo() throws Exception {
        byte[] bytes = validCapture(SyntheticCapture.Container.PCAP_MICROS);
        PcapStats stats = read(Arrays.copyOf(bytes, bytes.length - 7));

        assertThat(stats.packets()).isEqualTo(22);
        assertThat(stats.truncatedFileTail()).isTrue();
        assertThat(stats.payloadBytes()).isEqualTo(19 * 5);
    }

    @Test
    void randomDamageAfterAValidHeaderNeverThrowsAndAlwaysEnds() throws Exception {
        Random random = new Random(42);
        for (SyntheticCapture.Container container : SyntheticCapture.Container.values()) {
            byte[] valid = validCapture(container);
            int headerBytes = container.name().startsWith("PCAPNG") ? 28 : 24;
            for (int round = 0; round < 300; round++) {
                byte[] damaged = valid.clone();
                int flips = 1 + random.nextInt(40);
                for (int i = 0; i < flips; i++) {
                    damaged[headerBytes + random.nextInt(damaged.length - headerBytes)] = (byte) random.nextInt();
                }
                byte[] cut = Arrays.copyOf(damaged, headerBytes + random.nextInt(damaged.length - headerBytes + 1));
                PcapStats stats = read(cut);
                assertThat(stats.packets()).isLessThanOrEqualTo(23);
                assertThat(stats.payloadBytes()).isLessThan(1L << 20);
            }
        }
    }

    @Test
    void randomBytesBehindAValidHeaderAreCountedNotThrown() throws Exception {
        Random random = new Random(3);
        byte[] header = Arrays.copyOf(validCapture(SyntheticCapture.Container.PCAP_MICROS), 24);
        for (int round = 0; round < 50; round++) {
            byte[] bytes = new byte[24 + random.nextInt(100_000)];
            random.nextBytes(bytes);
            System.arraycopy(header, 0, bytes, 0, 24);
            PcapStats stats = read(bytes);
            assertThat(stats.corruptRecords() + (stats.truncatedFileTail() ? 1 : 0) + stats.packets()).isPositive();
        }
    }

    @Test
    void realCaptureCutAtEveryLengthNeverThrows() throws Exception {
        byte[] bytes = Files.readAllBytes(CaptureSidecars.testPcaps().resolve("nginx-dumpcap.pcapng"));
        for (int length = 28; length <= bytes.length; length += 7) {
            read(Arrays.copyOf(bytes, length));
        }
    }
}
