package io.spanscope.capture.proc;

import io.spanscope.capture.dispatch.RoleResolver;
import io.spanscope.capture.event.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * Infers the role of a connection capture joined mid-stream: if its local port is a listening port in
 * the process's network namespace (/proc/pid/net/tcp and tcp6, state 0A), the process accepted it
 * (SERVER); otherwise it connected (CLIENT). Unknown when /proc cannot be read.
 */
public final class ListeningPorts implements RoleResolver {

    private static final String LISTEN_STATE = "0A";
    private final Path procRoot;

    public ListeningPorts(Path procRoot) {
        this.procRoot = procRoot;
    }

    @Override
    public Role inferRole(int tgid, int localPort, int remotePort) {
        Set<Integer> listening = listeningPorts(tgid);
        if (listening == null) {
            return Role.UNKNOWN;
        }
        return listening.contains(localPort) ? Role.SERVER : Role.CLIENT;
    }

    /** Local ports in LISTEN state seen from {@code pid}'s network namespace, or null when unreadable. */
    public Set<Integer> listeningPorts(int pid) {
        Path net = procRoot.resolve(Integer.toString(pid)).resolve("net");
        Set<Integer> ports = new HashSet<>();
        boolean readAny = false;
        for (String table : new String[] {"tcp", "tcp6"}) {
            try {
                parse(Files.readString(net.resolve(table), StandardCharsets.US_ASCII), ports);
                readAny = true;
            } catch (IOException e) {
                // tcp6 is absent when IPv6 is disabled; one readable table is enough
            }
        }
        return readAny ? ports : null;
    }

    static void parse(String table, Set<Integer> ports) {
        for (String line : table.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            // sl local_address rem_address st ...
            if (fields.length < 4 || !LISTEN_STATE.equals(fields[3])) {
                continue;
            }
            int colon = fields[1].lastIndexOf(':');
            if (colon > 0) {
                try {
                    ports.add(Integer.parseInt(fields[1].substring(colon + 1), 16));
                } catch (NumberFormatException e) {
                    // header line or garbage: skip
                }
            }
        }
    }
}
