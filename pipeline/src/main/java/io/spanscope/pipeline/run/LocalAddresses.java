package io.spanscope.pipeline.run;

import io.spanscope.capture.event.Endpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Whether a peer is on this host, where `spanscope run` traces every process: loopback, or an address of
 * any network namespace a process of this host is in (containers, pods, `ip netns` labs — capture sees
 * them all). A request from anywhere else comes from outside the traced set, so its server span starts a
 * trace at once instead of waiting for a parent that will never be published.
 *
 * <p>Namespaces come and go, so a peer not known is looked up again in a fresh scan of {@code /proc}
 * (each namespace's local addresses from {@code /proc/PID/net/fib_trie} and {@code if_inet6}), at most
 * once per {@code rescanInterval}: a wrong "external" would break a trace, a wrong "on this host" only
 * delays a root by the resolver's wait. Not thread-safe beyond one caller (the span pipeline's thread).
 */
public final class LocalAddresses implements Predicate<Endpoint> {

    private static final Duration RESCAN_INTERVAL = Duration.ofSeconds(1);
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final Path proc;
    private final long rescanIntervalNs;
    private final LongSupplier nanoClock;
    private Set<InetAddress> known;
    private long lastScanNs;
    private long scans;

    LocalAddresses(Path proc, Duration rescanInterval, LongSupplier nanoClock) {
        this.proc = proc;
        this.rescanIntervalNs = rescanInterval.toNanos();
        this.nanoClock = nanoClock;
        rescan();
    }

    public static LocalAddresses ofHost() {
        return new LocalAddresses(Path.of("/proc"), RESCAN_INTERVAL, System::nanoTime);
    }

    @Override
    public boolean test(Endpoint peer) {
        InetAddress address = peer.address();
        if (address.isLoopbackAddress() || address.isAnyLocalAddress() || known.contains(address)) {
            return true;
        }
        if (nanoClock.getAsLong() - lastScanNs < rescanIntervalNs) {
            return false;
        }
        rescan();
        return known.contains(address);
    }

    /** How many times the namespaces were scanned (the first at construction). */
    public long scans() {
        return scans;
    }

    private void rescan() {
        Set<InetAddress> addresses = new HashSet<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                addresses.addAll(Collections.list(nic.getInetAddresses()));
            }
        } catch (SocketException e) {
            // the namespaces below (ours among them) still classify
        }
        Set<Path> namespaces = new HashSet<>();
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, LocalAddresses::isPid)) {
            for (Path process : processes) {
                try {
                    if (namespaces.add(Files.readSymbolicLink(process.resolve("ns/net")))) {
                        addIpv4(process.resolve("net/fib_trie"), addresses);
                        addIpv6(process.resolve("net/if_inet6"), addresses);
                    }
                } catch (IOException | UncheckedIOException e) {
                    // the process ended while we looked, or its namespace is hidden from us
                }
            }
        } catch (IOException e) {
            // no /proc: loopback and our own interfaces still classify the common single-host case
        }
        known = Set.copyOf(addresses);
        lastScanNs = nanoClock.getAsLong();
        scans++;
    }

    private static boolean isPid(Path path) {
        String name = path.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }

    /** fib_trie lists each leaf's address, then its entries; a host address is a leaf with "/32 host LOCAL". */
    static void addIpv4(Path fibTrie, Set<InetAddress> into) throws IOException {
        String leaf = null;
        for (String line : readLines(fibTrie)) {
            String trimmed = line.trim();
            if (trimmed.startsWith("|-- ")) {
                leaf = trimmed.substring(4);
            } else if (trimmed.equals("/32 host LOCAL") && leaf != null && IPV4_LITERAL.matcher(leaf).matches()) {
                // a literal, so getByName never asks DNS
                into.add(InetAddress.getByName(leaf));
            }
        }
    }

    /** if_inet6: the address as 32 hex digits, then index, prefix, scope, flags, device. */
    static void addIpv6(Path ifInet6, Set<InetAddress> into) throws IOException {
        for (String line : readLines(ifInet6)) {
            String hex = line.trim().split("\\s+", 2)[0];
            if (hex.length() != 32) {
                continue;
            }
            byte[] bytes = new byte[16];
            try {
                for (int i = 0; i < 16; i++) {
                    bytes[i] = (byte) Integer.parseInt(hex, 2 * i, 2 * i + 2, 16);
                }
                into.add(InetAddress.getByAddress(bytes));
            } catch (NumberFormatException | UnknownHostException e) {
                // not an address line
            }
        }
    }

    private static List<String> readLines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }
}
