package io.spanscope.capture.file;

import io.spanscope.capture.event.CaptureClock;
import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.DataSource;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Endpoint;
import io.spanscope.capture.event.FanOutSink;
import io.spanscope.capture.event.Role;
import io.spanscope.capture.pcap.PcapReader;
import io.spanscope.capture.testing.RecordingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventFileRoundTripTest {

    private static final CaptureClock CLOCK = new CaptureClock(1_234_567_890_123L);

    private static byte[] record(java.util.function.Consumer<EventFileWriter> events) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (EventFileWriter writer = EventFileWriter.to(bytes, CLOCK)) {
            events.accept(writer);
        }
        return bytes.toByteArray();
    }

    private static EventFileStats replay(byte[] file, RecordingSink sink) throws Exception {
        try (EventFileReader reader = EventFileReader.from(new ByteArrayInputStream(file))) {
            return reader.read(sink);
        }
    }

    /** Every field of a data event, payload included, as comparable text. */
    private static String describe(DataEvent e) {
        return e + " tgid=" + e.tgid() + " tid=" + e.tid() + " cg=" + e.cgroupId() + " v6=" + e.isIpv6()
                + " " + e.localEndpoint() + "->" + e.remoteEndpoint() + " payload="
                + Arrays.toString(Arrays.copyOfRange(e.payload(), e.payloadOffset(), e.payloadOffset() + e.payloadLength()));
    }

    @Test
    void everyEventTypeAndFieldSurvivesTheRoundTrip() throws Exception {
        ConnectionId id = new ConnectionId(4242, 17, 3);
        Endpoint local = new Endpoint(InetAddress.getByName("10.1.2.3"), 51000);
        Endpoint remote = new Endpoint(InetAddress.getByName("2001:db8::7"), 443);
        ConnectionOpenEvent open = new ConnectionOpenEvent(id, 4243, 100, Role.CLIENT, local, remote, true, 987654321L);
        ConnectionEstablishedEvent established = new ConnectionEstablishedEvent(id, Role.SERVER, 1, 2, 3);
        byte[] payload = "..xhello world..".getBytes(StandardCharsets.US_ASCII);
        byte[] v6 = InetAddress.getByName("2001:db8::1").getAddress();
        byte[] v6b = InetAddress.getByName("2001:db8::2").getAddress();
        DataEvent truncated = new DataEvent().setConnection(4242, 4244, 17, 3).setTimestampNs(Long.MAX_VALUE - 1)
                .setDirection(Direction.INGRESS).setRole(Role.SERVER).setSource(DataSource.TLS).setCgroupId(-5)
                .setEndpoints(true, v6, 0, 65535, v6b, 0, 1).setRange(-7, 1_000_000).setPayload(payload, 3, 11);
        DataEvent v4 = new DataEvent().setConnection(1, 2, 3, 0).setTimestampNs(5).setDirection(Direction.EGRESS)
                .setRole(Role.UNKNOWN).setSource(DataSource.PCAP)
                .setEndpoints(false, new byte[] {127, 0, 0, 1}, 0, 80, new byte[] {(byte) 192, (byte) 168, 0, 9}, 0, 8080)
                .setRange(0, 0).setPayload(new byte[0], 0, 0);
        ConnectionCloseEvent close = new ConnectionCloseEvent(id, 4245, 200, 1L << 40, 7);

        byte[] file = record(w -> {
            w.onOpen(open);
            w.onEstablished(established);
            w.onData(truncated);
            w.onData(v4);
            w.onClose(close);
        });
        RecordingSink sink = new RecordingSink();
        EventFileStats stats;
        try (EventFileReader reader = EventFileReader.from(new ByteArrayInputStream(file))) {
            assertThat(reader.clock()).isEqualTo(CLOCK);
            assertThat(reader.recordingStartedEpochNs()).isPositive();
            stats = reader.read(sink);
        }

        assertThat(sink.opens()).containsExactly(open);
        assertThat(sink.established()).containsExactly(established);
        assertThat(sink.closes()).containsExactly(close);
        assertThat(sink.data()).extracting(EventFileRoundTripTest::describe)
                .containsExactly(describe(truncated), describe(v4));
        assertThat(sink.data().get(0).isTruncated()).isTrue();
        assertThat(stats).isEqualTo(new EventFileStats(1, 1, 2, 1, 11, 0, 0, false));
    }

    @Test
    void aPcapReplayedThroughAnEventFileGivesTheSameEvents(@TempDir Path dir) throws Exception {
        Path pcap = io.spanscope.capture.pcap.CaptureFiles.testPcap("py11-curl.pcap");
        RecordingSink direct = new RecordingSink();
        Path events = dir.resolve("py11-curl.sscap");
        try (PcapReader reader = PcapReader.open(pcap);
             EventFileWriter writer = EventFileWriter.create(events, reader.clock())) {
            reader.read(new FanOutSink(direct, writer));
        }
        RecordingSink replayed = new RecordingSink();
        EventFileStats stats;
        try (EventFileReader reader = EventFileReader.open(events)) {
            stats = reader.read(replayed);
        }

        assertThat(replayed.events()).hasSameSizeAs(direct.events());
        for (int i = 0; i < direct.events().size(); i++) {
            Object a = direct.events().get(i);
            Object b = replayed.events().get(i);
            if (a instanceof DataEvent d) {
                assertThat(describe((DataEvent) b)).isEqualTo(describe(d));
            } else {
                assertThat(b).isEqualTo(a);
            }
        }
        assertThat(stats.dataEvents()).isEqualTo(direct.data().size());
        assertThat(CaptureFileFormat.detect(events)).isEqualTo(CaptureFileFormat.SPANSCOPE_EVENTS);
    }

    @Test
    void notAnEventFileFailsAtOpen() throws Exception {
        byte[] good = record(w -> { });
        assertThatThrownBy(() -> replay("hello, not an event file at all".getBytes(), new RecordingSink()))
                .isInstanceOf(EventFileFormatException.class).hasMessageContaining("magic");
        assertThatThrownBy(() -> replay(Arrays.copyOf(good, 20), new RecordingSink()))
                .isInstanceOf(EventFileFormatException.class).hasMessageContaining("truncated");
        byte[] future = good.clone();
        future[9] = 99;
        assertThatThrownBy(() -> replay(future, new RecordingSink()))
                .isInstanceOf(EventFileFormatException.class).hasMessageContaining("version 99");
        assertThat(replay(good, new RecordingSink())).isEqualTo(new EventFileStats(0, 0, 0, 0, 0, 0, 0, false));
    }

    private static byte[] threeCloses() throws Exception {
        return record(w -> {
            for (int i = 0; i < 3; i++) {
                w.onClose(new ConnectionCloseEvent(new ConnectionId(1, i, 0), 0, i, 0, 0));
            }
        });
    }

    @Test
    void truncatedFileDeliversCompleteRecordsAndSaysSo() throws Exception {
        byte[] file = threeCloses();
        RecordingSink sink = new RecordingSink();
        EventFileStats stats = replay(Arrays.copyOf(file, file.length - 3), sink);

        assertThat(sink.closes()).hasSize(2);
        assertThat(stats.truncatedTail()).isTrue();
    }

    @Test
    void corruptRecordStopsTheReplayCounted() throws Exception {
        int recordBytes = 5 + 16 + 4 + 8 + 8 + 8;
        byte[] absurdLength = threeCloses();
        ByteBuffer.wrap(absurdLength).putInt(32 + recordBytes + 1, 0x7FFFFFFF);
        RecordingSink sink = new RecordingSink();
        EventFileStats stats = replay(absurdLength, sink);
        assertThat(sink.closes()).hasSize(1);
        assertThat(stats.corruptRecords()).isEqualTo(1);

        byte[] wrongLength = threeCloses();
        ByteBuffer.wrap(wrongLength).putInt(32 + 1, recordBytes - 5 - 8); // a close body 8 bytes short
        stats = replay(wrongLength, new RecordingSink());
        assertThat(stats.corruptRecords()).isEqualTo(1);
        assertThat(stats.closes()).isZero();
    }

    @Test
    void unknownRecordTypesAreSkipped() throws Exception {
        byte[] file = threeCloses();
        file[32 + 5 + 44] = 77; // the second record's type
        RecordingSink sink = new RecordingSink();
        EventFileStats stats = replay(file, sink);

        assertThat(sink.closes()).extracting(c -> c.id().fd()).containsExactly(0, 2);
        assertThat(stats.unknownRecordsSkipped()).isEqualTo(1);
    }

    @Test
    void writersSharedByThreadsKeepEveryRecordWhole() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int threads = 4;
        int perThread = 2000;
        try (EventFileWriter writer = EventFileWriter.to(bytes, CLOCK)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int fd = t;
                done.add(pool.submit(() -> {
                    DataEvent e = new DataEvent().setConnection(1, 1, fd, 0)
                            .setEndpoints(false, new byte[4], 0, 1, new byte[4], 0, 2);
                    byte[] payload = new byte[100];
                    for (int i = 0; i < perThread; i++) {
                        Arrays.fill(payload, (byte) i);
                        writer.onData(e.setRange(i * 100, 100).setPayload(payload, 0, 100).setTimestampNs(i));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertThat(writer.recordsWritten()).isEqualTo(threads * perThread);
        }
        RecordingSink sink = new RecordingSink();
        EventFileStats stats = replay(bytes.toByteArray(), sink);

        assertThat(stats.dataEvents()).isEqualTo(threads * perThread);
        assertThat(stats.corruptRecords()).isZero();
        for (int fd = 0; fd < threads; fd++) {
            int f = fd;
            List<DataEvent> mine = sink.data().stream().filter(e -> e.fd() == f).toList();
            assertThat(mine).extracting(DataEvent::timestampNs).isSorted().hasSize(perThread);
            assertThat(mine).allSatisfy(e -> assertThat(e.payload()[e.payloadOffset() + 99]).isEqualTo((byte) e.timestampNs()));
        }
    }

    @Test
    void eventsAfterCloseAreCountedAsDropped() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EventFileWriter writer = EventFileWriter.to(bytes, CLOCK);
        writer.close();
        writer.onClose(new ConnectionCloseEvent(new ConnectionId(1, 1, 0), 0, 0, 0, 0));
        assertThat(writer.droppedEvents()).isEqualTo(1);
        assertThat(writer.recordsWritten()).isZero();
    }

    @Test
    void formatDetectionTellsTheCommittedCapturesApart() throws Exception {
        assertThat(CaptureFileFormat.detect(io.spanscope.capture.pcap.CaptureFiles.testPcap("nginx-curl.pcap")))
                .isEqualTo(CaptureFileFormat.PCAP);
        assertThat(CaptureFileFormat.detect(io.spanscope.capture.pcap.CaptureFiles.testPcap("py11-nanos.pcap")))
                .isEqualTo(CaptureFileFormat.PCAP);
        assertThat(CaptureFileFormat.detect(io.spanscope.capture.pcap.CaptureFiles.testPcap("nginx-dumpcap.pcapng")))
                .isEqualTo(CaptureFileFormat.PCAPNG);
        assertThat(CaptureFileFormat.detect(io.spanscope.capture.pcap.CaptureFiles.testPcap("nginx-curl.expected.tsv")))
                .isEqualTo(CaptureFileFormat.UNKNOWN);
    }
}
