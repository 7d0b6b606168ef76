package io.spanscope.capture.pcap;

import io.spanscope.capture.testing.RecordingSink;

import io.spanscope.capture.event.ConnectionCloseEvent;
import io.spanscope.capture.event.ConnectionEstablishedEvent;
import io.spanscope.capture.event.ConnectionId;
import io.spanscope.capture.event.ConnectionOpenEvent;
import io.spanscope.capture.event.DataEvent;
import io.spanscope.capture.event.Direction;
import io.spanscope.capture.event.Role;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.spanscope.capture.pcap.SyntheticCapture.ACK;
import static io.spanscope.capture.pcap.SyntheticCapture.FIN;
import static io.spanscope.capture.pcap.SyntheticCapture.PSH;
import static io.spanscope.capture.pcap.SyntheticCapture.RST;
import static io.spanscope.capture.pcap.SyntheticCapture.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** TCP reassembly on hand-built captures whose every byte and sequence number is known. */
class PcapReassemblyTest {

    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final int C = 1000;      // client ISN: data starts at C + 1
    private static final int S = 5000;      // server ISN
    private static final ConnectionId CLIENT_VIEW = new ConnectionId(0, 1, 0);
    private static final ConnectionId SERVER_VIEW = new ConnectionId(0, 1, 1);

    private static SyntheticCapture handshake(SyntheticCapture capture) {
        return capture.client(T0, SYN, C, 0, "")
                .server(T0 + 1000, SYN | ACK, S, C + 1, "")
                .client(T0 + 2000, ACK, C + 1, S + 1, "");
    }

    private static String text(RecordingSink sink, ConnectionId id, Direction direction) {
        return new String(sink.stream(id, direction), StandardCharsets.ISO_8859_1);
    }

    @Test
    void fullConversationBecomesOpenEstablishedDataAndCloseInBothViews() throws Exception {
        SyntheticCapture capture = handshake(SyntheticCapture.ethernetIpv4())
                .client(T0 + 3000, PSH | ACK, C + 1, S + 1, "GET / HTTP/1.1\r\n\r\n")
                .server(T0 + 4000, PSH | ACK, S + 1, C + 19, "HTTP/1.1 200 OK\r\n\r\n")
                .client(T0 + 5000, FIN | ACK, C + 19, S + 20, "")
                .server(T0 + 6000, FIN | ACK, S + 20, C + 20, "")
                .client(T0 + 7000, ACK, C + 20, S + 21, "");
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, Views.BOTH);

        assertThat(sink.opens()).extracting(ConnectionOpenEvent::id, ConnectionOpenEvent::role,
                        o -> o.local().toString(), o -> o.remote().toString(), ConnectionOpenEvent::joinedMidStream)
                .containsExactly(
                        tuple(CLIENT_VIEW, Role.CLIENT, "10.0.0.1:40000", "10.0.0.2:80", false),
                        tuple(SERVER_VIEW, Role.SERVER, "10.0.0.2:80", "10.0.0.1:40000", false));
        assertThat(sink.established()).containsExactly(
                new ConnectionEstablishedEvent(CLIENT_VIEW, Role.CLIENT, T0, T0 + 1000, 0),
                new ConnectionEstablishedEvent(SERVER_VIEW, Role.SERVER, 0, T0 + 2000, 0));
        assertThat(sink.data()).extracting(DataEvent::connectionId, DataEvent::direction, DataEvent::tcpSequence,
                        DataEvent::byteCount, DataEvent::timestampNs)
                .containsExactly(
                        tuple(CLIENT_VIEW, Direction.EGRESS, C + 1, 18, T0 + 3000),
                        tuple(SERVER_VIEW, Direction.INGRESS, C + 1, 18, T0 + 3000),
                        tuple(CLIENT_VIEW, Direction.INGRESS, S + 1, 19, T0 + 4000),
                        tuple(SERVER_VIEW, Direction.EGRESS, S + 1, 19, T0 + 4000));
        assertThat(sink.data().get(0).localEndpoint().address()).isEqualTo(InetAddress.getByName("10.0.0.1"));
        assertThat(sink.closes()).containsExactly(
                new ConnectionCloseEvent(CLIENT_VIEW, 0, T0 + 6000, 18, 19),
                new ConnectionCloseEvent(SERVER_VIEW, 0, T0 + 6000, 19, 18));
        assertThat(stats.connections()).isEqualTo(1);
        assertThat(stats.segmentsAfterClose()).isEqualTo(1); // the last ACK
        assertThat(stats.dataEvents()).isEqualTo(4);
    }

    @Test
    void outOfOrderSegmentsAreHeldAndDeliveredInSequenceOrder() throws Exception {
        SyntheticCapture capture = handshake(SyntheticCapture.ethernetIpv4())
                .client(T0 + 3000, ACK, C + 1, S + 1, "aaaa")
                .client(T0 + 4000, ACK, C + 9, S + 1, "cccc")
                .client(T0 + 5000, ACK, C + 5, S + 1, "bbbb");
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, Views.CLIENT_ONLY);

        assertThat(sink.data(CLIENT_VIEW, Direction.EGRESS)).extracting(DataEvent::tcpSequence, DataEvent::timestampNs)
                .containsExactly(tuple(C + 1, T0 + 3000), tuple(C + 5, T0 + 5000), tuple(C + 9, T0 + 4000));
        assertThat(text(sink, CLIENT_VIEW, Direction.EGRESS)).isEqualTo("aaaabbbbcccc");
        assertThat(stats.outOfOrderSegments()).isEqualTo(1);
        assertThat(stats.gaps()).isZero();
    }

    @Test
    void exactAndPartialRetransmissionsAreTrimmedAndCounted() throws Exception {
        SyntheticCapture capture = handshake(SyntheticCapture.ethernetIpv4())
                .client(T0 + 3000, ACK, C + 1, S + 1, "0123456789")
                .client(T0 + 4000, ACK, C + 1, S + 1, "0123456789")        // exact
                .client(T0 + 5000, ACK, C + 8, S + 1, "789ABCDE")          // 3 old + 5 new
                .client(T0 + 6000, ACK, C + 1, S + 1, "01");               // inside delivered data
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, Views.CLIENT_ONLY);

        assertThat(text(sink, CLIENT_VIEW, Direction.EGRESS)).isEqualTo("0123456789ABCDE");
        assertThat(sink.data()).extracting(DataEvent::tcpSequence, DataEvent::byteCount)
                .containsExactly(tuple(C + 1, 10), tuple(C + 11, 5));
        assertThat(stats.retransmittedSegments()).isEqualTo(2);
        assertThat(stats.retransmittedBytes()).isEqualTo(10 + 3 + 2);
    }

    @Test
    void missingSegmentAcknowledgedByThePeerIsAGapSignalledBySequenceJump() throws Exception {
        SyntheticCapture capture = handshake(SyntheticCapture.ethernetIpv4())
                .client(T0 + 3000, ACK, C + 1, S + 1, "first-")
                .client(T0 + 5000, ACK, C + 17, S + 1, "third")    // "second-ten" (10 bytes) never captured
                .server(T0 + 6000, ACK, S + 1, C + 22, "")          // the server got everything
                .client(T0 + 7000, ACK, C + 22, S + 1, "fourth");
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, Views.CLIENT_ONLY);

        assertThat(sink.data()).extracting(DataEvent::tcpSequence, DataEvent::byteCount, DataEvent::timestampNs)
                .containsExactly(tuple(C + 1, 6, T0 + 3000), tuple(C + 17, 5, T0 + 5000), tuple(C + 22, 6, T0 + 7000));
        assertThat(text(sink, CLIENT_VIEW, Direction.EGRESS)).isEqualTo("first-thirdfourth");
        assertThat(stats.gaps()).isEqualTo(1);
        assertThat(stats.gapBytes()).isEqualTo(10);
        // the segment was released by the ACK, before the next client packet
        assertThat(sink.events().indexOf(sink.data().get(1))).isLessThan(sink.events().indexOf(sink.data().get(2)));
    }

    @Test
    void segmentBeyondAnAlreadyAcknowledgedHoleIsDeliveredAtOnce() throws Exception {
        SyntheticCapture capture = handshake(SyntheticCapture.ethernetIpv4())
                .client(T0 + 3000, ACK, C + 1, S + 1, "abc")
                .server(T0 + 4000, ACK, S + 1, C + 10, "")          // acks 6 bytes the capture lost
                .client(T0 + 5000, ACK, C + 10, S + 1, "xyz");
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, Views.CLIENT_ONLY);

        assertThat(sink.data()).extracting(DataEvent::tcpSequence).containsExactly(C + 1, C + 10);
        assertThat(stats.gaps()).isEqualTo(1);
        assertThat(stats.gapBytes()).isEqualTo(6);
        assertThat(stats.outOfOrderSegments()).isZero();
    }

    @Test
    void heldDataIsFlushedAcrossTheGapAtCloseAndEndOfFile() throws Exception {
        SyntheticCapture capture = handshake(SyntheticCapture.ethernetIpv4())
                .client(T0 + 3000, ACK, C + 1, S + 1, "one")
                .client(T0 + 4000, ACK, C + 8, S + 1, "three")     // 4 bytes missing, never acknowledged
                .server(T0 + 5000, ACK, S + 1, C + 4, "reply");
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, Views.CLIENT_ONLY);

        assertThat(sink.data(CLIENT_VIEW, Direction.EGRESS)).extracting(DataEvent::tcpSequence, DataEvent::byteCount)
                .containsExactly(tuple(C + 1, 3), tuple(C + 8, 5));
        assertThat(sink.closes()).containsExactly(new ConnectionCloseEvent(CLIENT_VIEW, 0, T0 + 5000, 8, 5));
        assertThat(stats.gapBytes()).isEqualTo(4);
    }

    @Test
    void heldBytesAreBoundedAndReleasedAsGapsWhenTheBoundIsReached() throws Exception {
        SyntheticCapture capture = handshake(SyntheticCapture.ethernetIpv4())
                .client(T0 + 3000, ACK, C + 1, S + 1, "a")
                .client(T0 + 4000, ACK, C + 11, S + 1, "1111111111")
                .client(T0 + 5000, ACK, C + 31, S + 1, "3333333333")
                .client(T0 + 6000, ACK, C + 51, S + 1, "5555555555");
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, PcapReader.builder().views(Views.CLIENT_ONLY).maxHeldBytesPerDirection(25));

        // the third held segment exceeds 25 bytes: the earliest is released at once, the rest at end of file
        assertThat(sink.data()).extracting(DataEvent::tcpSequence, DataEvent::timestampNs).containsExactly(
                tuple(C + 1, T0 + 3000), tuple(C + 11, T0 + 4000), tuple(C + 31, T0 + 5000), tuple(C + 51, T0 + 6000));
        assertThat(sink.events().indexOf(sink.data().get(1))).isLessThan(sink.events().size() - 2);
        assertThat(stats.gaps()).isEqualTo(3);
        assertThat(stats.gapBytes()).isEqualTo(9 + 10 + 10);
    }

    @Test
    void joiningMidStreamInfersTheClientFromTheRequestAndNumbersFromTheFirstSegment() throws Exception {
        // the client uses port 8080 and the server 5432, so the port rule alone would guess wrong
        SyntheticCapture capture = SyntheticCapture.ethernetIpv4().ports(8080, 5432)
                .server(T0, ACK, S + 100, C + 50, "ing tail of an earlier response")
                .client(T0 + 1000, PSH | ACK, C + 50, S + 131, "GET /next HTTP/1.1\r\n\r\n")
                .server(T0 + 2000, PSH | ACK, S + 131, C + 72, "HTTP/1.1 204 No Content\r\n\r\n");
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, Views.BOTH);

        // the first payload is neither request nor response: the lower port (5432) is taken as the server
        assertThat(sink.opens().get(0).joinedMidStream()).isTrue();
        assertThat(sink.opens().get(0).local().port()).isEqualTo(8080);
        assertThat(sink.established()).isEmpty();
        assertThat(text(sink, CLIENT_VIEW, Direction.EGRESS)).isEqualTo("GET /next HTTP/1.1\r\n\r\n");
        assertThat(text(sink, CLIENT_VIEW, Direction.INGRESS))
                .isEqualTo("ing tail of an earlier responseHTTP/1.1 204 No Content\r\n\r\n");
        assertThat(stats.connectionsJoinedMidStream()).isEqualTo(1);
    }

    @Test
    void joiningMidStreamOnARequestMakesItsSenderTheClientWhateverThePorts() throws Exception {
        SyntheticCapture capture = SyntheticCapture.ethernetIpv4().ports(80, 40000)
                .client(T0, PSH | ACK, C, S, "POST /x HTTP/1.1\r\n\r\n");
        RecordingSink sink = new RecordingSink();
        capture.read(sink, Views.CLIENT_ONLY);

        assertThat(sink.opens()).singleElement().satisfies(o -> {
            assertThat(o.local().port()).isEqualTo(80);
            assertThat(o.joinedMidStream()).isTrue();
        });
    }

    @Test
    void bareAcknowledgmentsOfUnknownConnectionsCreateNothing() throws Exception {
        SyntheticCapture capture = SyntheticCapture.ethernetIpv4()
                .client(T0, ACK, C, S, "")
                .server(T0 + 1, FIN | ACK, S, C, "");
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, Views.BOTH);

        assertThat(sink.events()).isEmpty();
        assertThat(stats.segmentsWithoutConnection()).isEqualTo(2);
    }

    @Test
    void resetClosesAndANewSynOnTheSameFourTupleStartsANewConnection() throws Exception {
        SyntheticCapture capture = handshake(SyntheticCapture.ethernetIpv4())
                .client(T0 + 3000, ACK, C + 1, S + 1, "x")
                .server(T0 + 4000, RST, S + 1, 0, "")
                .client(T0 + 5000, SYN, 77_000, 0, "")
                .server(T0 + 6000, SYN | ACK, 88_000, 77_001, "")
                .client(T0 + 7000, ACK, 77_001, 88_001, "y");
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, Views.CLIENT_ONLY);

        assertThat(sink.closes()).extracting(ConnectionCloseEvent::id, ConnectionCloseEvent::timestampNs)
                .containsExactly(tuple(CLIENT_VIEW, T0 + 4000), tuple(new ConnectionId(0, 2, 0), T0 + 7000));
        assertThat(sink.data()).extracting(DataEvent::fd, DataEvent::tcpSequence).containsExactly(
                tuple(1, C + 1), tuple(2, 77_001));
        assertThat(stats.connections()).isEqualTo(2);
    }

    @Test
    void retransmittedSynIsTheSameConnectionButASynAfterAJoinedConnectionStartsANewOne() throws Exception {
        SyntheticCapture capture = SyntheticCapture.ethernetIpv4()
                .client(T0, PSH | ACK, C, S, "GET /old HTTP/1.1\r\n\r\n")      // joined mid-stream, never closed
                .client(T0 + 1000, SYN, 77_000, 0, "")
                .client(T0 + 2000, SYN, 77_000, 0, "")                          // retransmitted SYN
                .server(T0 + 3000, SYN | ACK, 88_000, 77_001, "")
                .client(T0 + 4000, ACK, 77_001, 88_001, "new");
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, Views.CLIENT_ONLY);

        assertThat(sink.opens()).extracting(o -> o.id().fd(), ConnectionOpenEvent::joinedMidStream)
                .containsExactly(tuple(1, true), tuple(2, false));
        assertThat(sink.closes()).extracting(c -> c.id().fd(), ConnectionCloseEvent::timestampNs)
                .containsExactly(tuple(1, T0), tuple(2, T0 + 4000)); // the replaced one closes at its last packet
        assertThat(sink.established()).extracting(ConnectionEstablishedEvent::synSentNs).containsExactly(T0 + 1000);
        assertThat(text(sink, new ConnectionId(0, 2, 0), Direction.EGRESS)).isEqualTo("new");
        assertThat(stats.connections()).isEqualTo(2);
    }

    @Test
    void sequenceNumbersWrapAround() throws Exception {
        int isn = -3; // 0xFFFFFFFD: data starts at 0xFFFFFFFE and wraps after two bytes
        SyntheticCapture capture = SyntheticCapture.ethernetIpv4()
                .client(T0, SYN, isn, 0, "")
                .server(T0 + 1, SYN | ACK, S, isn + 1, "")
                .client(T0 + 2, ACK, isn + 1 + 4, S + 1, "cdef")  // out of order, after the wrap
                .client(T0 + 3, ACK, isn + 1, S + 1, "ab")
                .client(T0 + 4, ACK, isn + 1 + 2, S + 1, "..");
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, Views.CLIENT_ONLY);

        assertThat(text(sink, CLIENT_VIEW, Direction.EGRESS)).isEqualTo("ab..cdef");
        assertThat(sink.data()).extracting(DataEvent::tcpSequenceUnsigned)
                .containsExactly(0xFFFFFFFEL, 0L, 2L);
        assertThat(stats.gaps()).isZero();
    }

    @Test
    void snapLengthCutPayloadIsAHoleOfKnownLength() throws Exception {
        // 14 ethernet + 24 IPv4 + 20 TCP = 58 header bytes; 62 keeps 4 payload bytes
        SyntheticCapture capture = handshake(SyntheticCapture.ethernetIpv4().snapLength(62))
                .client(T0 + 3000, ACK, C + 1, S + 1, "0123456789")
                .client(T0 + 4000, ACK, C + 11, S + 1, "abcdefgh");
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, Views.CLIENT_ONLY);

        assertThat(sink.data()).extracting(DataEvent::tcpSequence, DataEvent::byteCount, DataEvent::payloadLength,
                DataEvent::isTruncated).containsExactly(tuple(C + 1, 10, 4, true), tuple(C + 11, 8, 4, true));
        assertThat(text(sink, CLIENT_VIEW, Direction.EGRESS)).isEqualTo("0123abcd");
        assertThat(stats.truncatedPackets()).isEqualTo(2);
        assertThat(stats.gaps()).isZero();
    }

    @Test
    void ipv6WithExtensionHeadersInBigEndianNanosecondPcap() throws Exception {
        SyntheticCapture capture = handshake(new SyntheticCapture(SyntheticCapture.Container.PCAP_NANOS,
                ByteOrder.BIG_ENDIAN, PacketDecoder.LINKTYPE_ETHERNET, true).ipv6ExtensionHeaders())
                .client(T0 + 3001, ACK, C + 1, S + 1, "v6 data");
        RecordingSink sink = new RecordingSink();
        capture.read(sink, Views.CLIENT_ONLY);

        assertThat(sink.opens().get(0).local().address()).isEqualTo(InetAddress.getByAddress(SyntheticCapture.ipv6Address(1)));
        assertThat(sink.opens().get(0).remote().toString()).isEqualTo("[fd00:0:0:0:0:0:0:2]:80");
        assertThat(sink.data()).singleElement().satisfies(d -> {
            assertThat(d.isIpv6()).isTrue();
            assertThat(d.timestampNs()).isEqualTo(T0 + 3001);
        });
        assertThat(text(sink, CLIENT_VIEW, Direction.EGRESS)).isEqualTo("v6 data");
    }

    @Test
    void linkLayersAndContainersAllDeliverTheSameStream() throws Exception {
        record Variant(SyntheticCapture.Container container, ByteOrder order, int linkType, int vlanTags, boolean v6) {
        }
        List<Variant> variants = List.of(
                new Variant(SyntheticCapture.Container.PCAP_MICROS, ByteOrder.LITTLE_ENDIAN, PacketDecoder.LINKTYPE_ETHERNET, 2, false),
                new Variant(SyntheticCapture.Container.PCAP_MICROS, ByteOrder.BIG_ENDIAN, PacketDecoder.LINKTYPE_ETHERNET, 1, true),
                new Variant(SyntheticCapture.Container.PCAP_MICROS, ByteOrder.LITTLE_ENDIAN, PacketDecoder.LINKTYPE_LINUX_SLL, 0, false),
                new Variant(SyntheticCapture.Container.PCAP_NANOS, ByteOrder.LITTLE_ENDIAN, PacketDecoder.LINKTYPE_LINUX_SLL2, 0, true),
                new Variant(SyntheticCapture.Container.PCAP_MICROS, ByteOrder.LITTLE_ENDIAN, PacketDecoder.LINKTYPE_NULL, 0, false),
                new Variant(SyntheticCapture.Container.PCAP_MICROS, ByteOrder.BIG_ENDIAN, PacketDecoder.LINKTYPE_NULL, 0, true),
                new Variant(SyntheticCapture.Container.PCAP_MICROS, ByteOrder.LITTLE_ENDIAN, PacketDecoder.LINKTYPE_RAW, 0, false),
                new Variant(SyntheticCapture.Container.PCAP_MICROS, ByteOrder.LITTLE_ENDIAN, PacketDecoder.LINKTYPE_IPV6, 0, true),
                new Variant(SyntheticCapture.Container.PCAPNG_NANOS, ByteOrder.BIG_ENDIAN, PacketDecoder.LINKTYPE_ETHERNET, 1, false),
                new Variant(SyntheticCapture.Container.PCAPNG_MICROS, ByteOrder.LITTLE_ENDIAN, PacketDecoder.LINKTYPE_LINUX_SLL2, 0, true));
        for (Variant v : variants) {
            SyntheticCapture capture = handshake(new SyntheticCapture(v.container(), v.order(), v.linkType(), v.v6())
                    .vlanTags(v.vlanTags()))
                    .client(T0 + 3_000_001, ACK, C + 1, S + 1, "request")
                    .server(T0 + 4_000_002, ACK, S + 1, C + 8, "response");
            RecordingSink sink = new RecordingSink();
            PcapStats stats = capture.read(sink, Views.CLIENT_ONLY);
            boolean nanos = v.container() == SyntheticCapture.Container.PCAP_NANOS
                    || v.container() == SyntheticCapture.Container.PCAPNG_NANOS;

            assertThat(text(sink, CLIENT_VIEW, Direction.EGRESS)).as("%s", v).isEqualTo("request");
            assertThat(text(sink, CLIENT_VIEW, Direction.INGRESS)).as("%s", v).isEqualTo("response");
            assertThat(sink.data()).extracting(DataEvent::timestampNs).as("%s", v)
                    .containsExactly(T0 + (nanos ? 3_000_001 : 3_000_000), T0 + (nanos ? 4_000_002 : 4_000_000));
            assertThat(stats.packets()).as("%s", v).isEqualTo(5);
            assertThat(stats.tcpSegments()).as("%s", v).isEqualTo(5);
        }
    }

    @Test
    void pcapngSkipsUnknownBlocks() throws Exception {
        SyntheticCapture capture = new SyntheticCapture(SyntheticCapture.Container.PCAPNG_NANOS, ByteOrder.LITTLE_ENDIAN,
                PacketDecoder.LINKTYPE_ETHERNET, false);
        handshake(capture.unknownBlock()).unknownBlock().client(T0 + 3000, ACK, C + 1, S + 1, "after");
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, Views.CLIENT_ONLY);

        assertThat(text(sink, CLIENT_VIEW, Direction.EGRESS)).isEqualTo("after");
        assertThat(stats.skippedBlocks()).isEqualTo(2);
        assertThat(stats.corruptRecords()).isZero();
    }

    @Test
    void nonTcpAndFragmentsAreCountedAndSkipped() throws Exception {
        SyntheticCapture capture = handshake(SyntheticCapture.ethernetIpv4())
                .udp(T0 + 2500)
                .ipv4Fragment(T0 + 2600)
                .client(T0 + 3000, ACK, C + 1, S + 1, "ok");
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, Views.CLIENT_ONLY);

        assertThat(stats.packets()).isEqualTo(6);
        assertThat(stats.nonTcpPackets()).isEqualTo(1);
        assertThat(stats.ipFragments()).isEqualTo(1);
        assertThat(stats.tcpSegments()).isEqualTo(4);
        assertThat(text(sink, CLIENT_VIEW, Direction.EGRESS)).isEqualTo("ok");
    }

    @Test
    void serverOnlyViewReportsTheServersSide() throws Exception {
        SyntheticCapture capture = handshake(SyntheticCapture.ethernetIpv4())
                .client(T0 + 3000, ACK, C + 1, S + 1, "q")
                .server(T0 + 4000, ACK, S + 1, C + 2, "r");
        RecordingSink sink = new RecordingSink();
        capture.read(sink, Views.SERVER_ONLY);

        assertThat(sink.opens()).extracting(ConnectionOpenEvent::id).containsExactly(SERVER_VIEW);
        assertThat(sink.data()).extracting(DataEvent::direction, DataEvent::role)
                .containsExactly(tuple(Direction.INGRESS, Role.SERVER), tuple(Direction.EGRESS, Role.SERVER));
    }

    @Test
    void trackedConnectionsAreBoundedByEvictingTheLeastRecentlyActive() throws Exception {
        SyntheticCapture capture = SyntheticCapture.ethernetIpv4();
        for (int i = 0; i < 5; i++) {
            capture.ports(40000 + i, 80).client(T0 + i, SYN, C, 0, "");
        }
        RecordingSink sink = new RecordingSink();
        PcapStats stats = capture.read(sink, PcapReader.builder().views(Views.CLIENT_ONLY).maxTrackedConnections(2));

        assertThat(stats.connections()).isEqualTo(5);
        assertThat(stats.connectionsEvicted()).isEqualTo(3);
        assertThat(sink.closes()).extracting(c -> c.id().fd()).containsExactly(1, 2, 3, 4, 5);
    }
}
