package io.spanscope.capture.pcap;

import io.spanscope.capture.testing.RecordingSink;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;

/**
 * Writes small pcap / pcapng files in tests: one TCP conversation between a client (10.0.0.1:40000 or
 * fd00::1) and a server (10.0.0.2:80 or fd00::2), packet by packet, in the chosen container, byte order,
 * timestamp resolution and link type. Independent of the reader's code.
 */
final class SyntheticCapture {

    enum Container { PCAP_MICROS, PCAP_NANOS, PCAPNG_NANOS, PCAPNG_MICROS }

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    static final int CLIENT_PORT = 40000;
    static final int SERVER_PORT = 80;

    private final Container container;
    private final ByteOrder order;
    private final int linkType;
    private final boolean ipv6;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int vlanTags;
    private boolean ipv6ExtensionHeaders;
    private int snapLength = 262144;
    private int clientPort = CLIENT_PORT;
    private int serverPort = SERVER_PORT;

    SyntheticCapture(Container container, ByteOrder order, int linkType, boolean ipv6) {
        this.container = container;
        this.order = order;
        this.linkType = linkType;
        this.ipv6 = ipv6;
        writeHeader();
    }

    static SyntheticCapture ethernetIpv4() {
        return new SyntheticCapture(Container.PCAP_MICROS, ByteOrder.LITTLE_ENDIAN, PacketDecoder.LINKTYPE_ETHERNET, false);
    }

    SyntheticCapture vlanTags(int tags) {
        this.vlanTags = tags;
        return this;
    }

    SyntheticCapture ipv6ExtensionHeaders() {
        this.ipv6ExtensionHeaders = true;
        return this;
    }

    /** Packets are cut to this many bytes (as tcpdump -s does), their original length kept. */
    SyntheticCapture snapLength(int bytes) {
        this.snapLength = bytes;
        return this;
    }

    SyntheticCapture ports(int client, int server) {
        this.clientPort = client;
        this.serverPort = server;
        return this;
    }

    SyntheticCapture client(long tsNs, int flags, int seq, int ack, String payload) {
        return tcp(tsNs, true, flags, seq, ack, payload.getBytes(StandardCharsets.ISO_8859_1));
    }

    SyntheticCapture server(long tsNs, int flags, int seq, int ack, String payload) {
        return tcp(tsNs, false, flags, seq, ack, payload.getBytes(StandardCharsets.ISO_8859_1));
    }

    SyntheticCapture tcp(long tsNs, boolean fromClient, int flags, int seq, int ack, byte[] payload) {
        ByteBuffer tcp = ByteBuffer.allocate(20 + payload.length);
        tcp.putShort((short) (fromClient ? clientPort : serverPort)).putShort((short) (fromClient ? serverPort : clientPort))
                .putInt(seq).putInt(ack).put((byte) 0x50).put((byte) flags).putShort((short) 65535)
                .putShort((short) 0).putShort((short) 0).put(payload);
        byte[] ip = ipv6 ? ipv6Packet(tcp.array(), fromClient, 6) : ipv4Packet(tcp.array(), fromClient, 6, 0);
        return frame(tsNs, ip, ipv6);
    }

    /** A non-TCP (UDP) IPv4 datagram. */
    SyntheticCapture udp(long tsNs) {
        return frame(tsNs, ipv4Packet(new byte[12], true, 17, 0), false);
    }

    /** The first fragment of a fragmented IPv4 TCP packet. */
    SyntheticCapture ipv4Fragment(long tsNs) {
        return frame(tsNs, ipv4Packet(new byte[40], true, 6, 0x2000), false);
    }

    /** An unknown pcapng block, which readers must skip (pcapng only). */
    SyntheticCapture unknownBlock() {
        ByteBuffer b = ByteBuffer.allocate(20).order(order);
        b.putInt(0x0BAD).putInt(20).putInt(1).putInt(2).putInt(20);
        out.writeBytes(b.array());
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    PcapStats read(RecordingSink sink, Views views) throws Exception {
        return read(sink, PcapReader.builder().views(views));
    }

    PcapStats read(RecordingSink sink, PcapReader.Builder builder) throws Exception {
        try (PcapReader reader = builder.open(Channels.newChannel(new java.io.ByteArrayInputStream(bytes())))) {
            return reader.read(sink);
        }
    }

    private byte[] ipv4Packet(byte[] payload, boolean fromClient, int protocol, int fragmentField) {
        ByteBuffer ip = ByteBuffer.allocate(24 + payload.length); // with one 4-byte option (NOP padding)
        ip.put((byte) 0x46).put((byte) 0).putShort((short) (24 + payload.length)).putShort((short) 1)
                .putShort((short) fragmentField).put((byte) 64).put((byte) protocol).putShort((short) 0)
                .put(new byte[] {10, 0, 0, (byte) (fromClient ? 1 : 2)})
                .put(new byte[] {10, 0, 0, (byte) (fromClient ? 2 : 1)})
                .put(new byte[] {1, 1, 1, 0}).put(payload);
        return ip.array();
    }

    private byte[] ipv6Packet(byte[] payload, boolean fromClient, int protocol) {
        int extension = ipv6ExtensionHeaders ? 16 : 0;
        ByteBuffer ip = ByteBuffer.allocate(40 + extension + payload.length);
        ip.putInt(0x60000000).putShort((short) (extension + payload.length))
                .put((byte) (ipv6ExtensionHeaders ? 0 : protocol)).put((byte) 64)
                .put(ipv6Address(fromClient ? 1 : 2)).put(ipv6Address(fromClient ? 2 : 1));
        if (ipv6ExtensionHeaders) {
            // hop-by-hop (8 bytes) then destination options (8 bytes) then TCP
            ip.put((byte) 60).put((byte) 0).put(new byte[] {1, 4, 0, 0, 0, 0});
            ip.put((byte) protocol).put((byte) 0).put(new byte[] {1, 4, 0, 0, 0, 0});
        }
        ip.put(payload);
        return ip.array();
    }

    static byte[] ipv6Address(int last) {
        byte[] a = new byte[16];
        a[0] = (byte) 0xfd;
        a[15] = (byte) last;
        return a;
    }

    private SyntheticCapture frame(long tsNs, byte[] ip, boolean v6) {
        int etherType = v6 ? 0x86DD : 0x0800;
        ByteBuffer f;
        switch (linkType) {
            case PacketDecoder.LINKTYPE_ETHERNET -> {
                f = ByteBuffer.allocate(14 + 4 * vlanTags + ip.length);
                f.put(new byte[12]);
                for (int i = 0; i < vlanTags; i++) {
                    f.putShort((short) (i == 0 && vlanTags > 1 ? 0x88A8 : 0x8100)).putShort((short) (100 + i));
                }
                f.putShort((short) etherType);
            }
            case PacketDecoder.LINKTYPE_LINUX_SLL -> {
                f = ByteBuffer.allocate(16 + ip.length);
                f.putShort((short) 0).putShort((short) 772).putShort((short) 6).put(new byte[8]).putShort((short) etherType);
            }
            case PacketDecoder.LINKTYPE_LINUX_SLL2 -> {
                f = ByteBuffer.allocate(20 + ip.length);
                f.putShort((short) etherType).putShort((short) 0).putInt(1).putShort((short) 772)
                        .put((byte) 0).put((byte) 6).put(new byte[8]);
            }
            case PacketDecoder.LINKTYPE_NULL -> {
                f = ByteBuffer.allocate(4 + ip.length);
                // the capturing host's byte order: the same as the file's here
                f.order(order).putInt(v6 ? 10 : 2).order(ByteOrder.BIG_ENDIAN);
            }
            default -> f = ByteBuffer.allocate(ip.length);
        }
        f.put(ip);
        byte[] frame = f.array();
        int captured = Math.min(frame.length, snapLength);
        writeRecord(tsNs, frame, captured);
        return this;
    }

    private void writeHeader() {
        ByteBuffer b;
        switch (container) {
            case PCAP_MICROS, PCAP_NANOS -> {
                b = ByteBuffer.allocate(24).order(order);
                b.putInt(container == Container.PCAP_NANOS ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short) 2)
                        .putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(linkType);
                out.writeBytes(b.array());
            }
            default -> {
                b = ByteBuffer.allocate(28).order(order);
                b.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0)
                        .putLong(-1).putInt(28);
                out.writeBytes(b.array());
                // interface 0: the link type of the packets that follow, with its resolution
                boolean nanos = container == Container.PCAPNG_NANOS;
                int length = nanos ? 32 : 20;
                b = ByteBuffer.allocate(length).order(order);
                b.putInt(1).putInt(length).putShort((short) linkType).putShort((short) 0).putInt(0);
                if (nanos) {
                    b.putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3]).putInt(0);
                }
                b.putInt(length);
                out.writeBytes(b.array());
            }
        }
    }

    private void writeRecord(long tsNs, byte[] frame, int captured) {
        ByteBuffer b;
        switch (container) {
            case PCAP_MICROS, PCAP_NANOS -> {
                boolean nanos = container == Container.PCAP_NANOS;
                b = ByteBuffer.allocate(16 + captured).order(order);
                b.putInt((int) (tsNs / 1_000_000_000L))
                        .putInt((int) (nanos ? tsNs % 1_000_000_000L : tsNs % 1_000_000_000L / 1000))
                        .putInt(captured).putInt(frame.length).put(frame, 0, captured);
            }
            default -> {
                long units = container == Container.PCAPNG_NANOS ? tsNs : tsNs / 1000;
                int padded = (captured + 3) & ~3;
                int length = 32 + padded;
                b = ByteBuffer.allocate(length).order(order);
                b.putInt(6).putInt(length).putInt(0).putInt((int) (units >>> 32)).putInt((int) units)
                        .putInt(captured).putInt(frame.length).put(frame, 0, captured)
                        .put(new byte[padded - captured]).putInt(length);
            }
        }
        out.writeBytes(b.array());
    }
}
