package io.spanscope.pipeline.builder;

import io.spanscope.capture.event.Endpoint;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The networks whose hosts are traced, as CIDR blocks: a caller outside all of them will never publish a
 * fragment, so the span it called becomes a trace root at once instead of after the parent wait. With no
 * block configured ({@link #ANY}) every caller may be traced and every fragment with a remote parent waits.
 * Loopback callers are always traced: they run on the node of the span they called.
 */
public final class TracedNetworks implements Predicate<Endpoint> {

    /** Every address may be a traced host. */
    public static final TracedNetworks ANY = new TracedNetworks(List.of(), "");

    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    private final List<Block> blocks;
    private final String text;

    private TracedNetworks(List<Block> blocks, String text) {
        this.blocks = blocks;
        this.text = text;
    }

    /**
     * Parses a comma-separated list of CIDR blocks ({@code 10.0.0.0/8, fd00::/8}); a bare address is a
     * single host. Blank is {@link #ANY}.
     *
     * @throws IllegalArgumentException naming the first block that is not an address literal with a prefix
     *                                  length that fits it
     */
    public static TracedNetworks parse(String list) {
        if (list == null || list.isBlank()) {
            return ANY;
        }
        List<Block> blocks = new ArrayList<>();
        for (String item : list.split(",")) {
            String cidr = item.trim();
            if (!cidr.isEmpty()) {
                blocks.add(Block.parse(cidr));
            }
        }
        return blocks.isEmpty() ? ANY : new TracedNetworks(List.copyOf(blocks), String.join(",",
                blocks.stream().map(Block::toString).toList()));
    }

    /** Whether a caller at this endpoint may be traced (its fragment may still come). */
    @Override
    public boolean test(Endpoint peer) {
        if (blocks.isEmpty() || peer.address().isLoopbackAddress()) {
            return true;
        }
        byte[] address = peer.address().getAddress();
        for (Block block : blocks) {
            if (block.contains(address)) {
                return true;
            }
        }
        return false;
    }

    public boolean isAny() {
        return blocks.isEmpty();
    }

    @Override
    public String toString() {
        return blocks.isEmpty() ? "any" : text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TracedNetworks other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    private record Block(byte[] network, int prefixLength) {

        static Block parse(String cidr) {
            int slash = cidr.indexOf('/');
            String literal = slash < 0 ? cidr : cidr.substring(0, slash);
            // only literals: InetAddress would resolve a host name through DNS
            if (!isIpv4Literal(literal) && !IPV6_LITERAL.matcher(literal).matches()) {
                throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR block");
            }
            byte[] network;
            try {
                network = InetAddress.getByName(literal).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + cidr + "' is not an IP address or CIDR block");
            }
            int bits = network.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(cidr.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("'" + cidr + "': the prefix length must be 0 to " + bits);
                }
            }
            for (int bit = prefix; bit < bits; bit++) { // host bits of the network address do not count
                network[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
            }
            return new Block(network, prefix);
        }

        private static boolean isIpv4Literal(String literal) {
            if (!IPV4_LITERAL.matcher(literal).matches()) {
                return false;
            }
            for (String octet : literal.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return false; // InetAddress would take it for a host name
                }
            }
            return true;
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false; // an IPv4-mapped IPv6 peer arrives as Inet4Address already
            }
            int full = prefixLength / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixLength % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[full] & mask) == (network[full] & mask);
        }

        @Override
        public String toString() {
            try {
                String address = InetAddress.getByAddress(network).getHostAddress();
                return address + "/" + prefixLength;
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // a 4- or 16-byte array always makes an address
            }
        }
    }
}
