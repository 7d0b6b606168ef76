package io.spanscope.capture.pcap;

import io.spanscope.capture.event.Endpoint;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** The committed test captures and what is known about them independently of our reader. */
final class CaptureSidecars {

    /** One expected HTTP exchange of {@code NAME.expected.tsv}. */
    record Exchange(int stream, String method, String path, int status, long responseBodyBytes) {
    }

    private CaptureSidecars() {
    }

    static Path testPcaps() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("test-pcaps"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("test-pcaps/ not found above " + Path.of("").toAbsolutePath());
        }
        return dir.resolve("test-pcaps");
    }

    static List<Path> captures() throws IOException {
        try (var files = Files.list(testPcaps())) {
            return files.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng"))
                    .sorted().toList();
        }
    }

    static String baseName(Path capture) {
        String name = capture.getFileName().toString();
        return name.substring(0, name.lastIndexOf('.'));
    }

    static List<Exchange> exchanges(Path capture) throws IOException {
        List<Exchange> out = new ArrayList<>();
        for (String[] row : rows(capture.resolveSibling(baseName(capture) + ".expected.tsv"))) {
            out.add(new Exchange(Integer.parseInt(row[0]), row[1], row[2], Integer.parseInt(row[3]),
                    Long.parseLong(row[4])));
        }
        return out;
    }

    /**
     * TCP payload bytes per "stream src dst" (src and dst as ip:port, IPv6 in brackets): computed by tshark
     * now when it is installed, else read from the committed {@code NAME.streams.tsv} (which the script
     * wrote with the same tshark query).
     */
    static Map<String, Long> payloadBytesPerDirection(Path capture) throws IOException, InterruptedException {
        Map<String, Long> totals = new TreeMap<>();
        if (tsharkAvailable()) {
            for (String line : tshark(capture)) {
                String[] f = Arrays.copyOf(line.split("\t", -1), 8);
                String src = endpoint(f[1], f[2], f[3]);
                String dst = endpoint(f[4], f[5], f[6]);
                long length = f[7] == null || f[7].isEmpty() ? 0 : Long.parseLong(f[7]);
                totals.merge(f[0] + " " + src + " " + dst, length, Long::sum);
            }
            return totals;
        }
        for (String[] row : rows(capture.resolveSibling(baseName(capture) + ".streams.tsv"))) {
            totals.put(row[0] + " " + canonical(row[1]) + " " + canonical(row[2]), Long.parseLong(row[3]));
        }
        return totals;
    }

    private static String endpoint(String ipv4, String ipv6, String port) {
        return canonical(ipv4 != null && !ipv4.isEmpty() ? ipv4 + ":" + port : "[" + ipv6 + "]:" + port);
    }

    /** An "ip:port" as {@link Endpoint#toString()} spells it (tshark compresses IPv6 zeros, the JDK does not). */
    private static String canonical(String endpoint) {
        int colon = endpoint.lastIndexOf(':');
        String host = endpoint.substring(0, colon).replace("[", "").replace("]", "");
        try {
            return new Endpoint(InetAddress.getByName(host), Integer.parseInt(endpoint.substring(colon + 1))).toString();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + endpoint, e);
        }
    }

    static boolean tsharkAvailable() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, "tshark"))) {
                return true;
            }
        }
        return false;
    }

    private static List<String> tshark(Path capture) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("tshark", "-r", capture.toString(), "-Y", "tcp", "-T", "fields",
                "-E", "separator=/t", "-e", "tcp.stream", "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
                "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport", "-e", "tcp.len")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("tshark failed on " + capture);
        }
        return new String(out, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }

    private static List<String[]> rows(Path tsv) throws IOException {
        return Files.readAllLines(tsv).stream().skip(1).filter(l -> !l.isBlank()).map(l -> l.split("\t")).toList();
    }
}
