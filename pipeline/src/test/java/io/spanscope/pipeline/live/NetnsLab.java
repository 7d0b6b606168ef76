package io.spanscope.pipeline.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One lab of scripts/netns-lab.sh: a network namespace per node, with its own address, behind a bridge in the
 * root namespace that routes and NATs between them. Closing it removes the lab (and ends what runs in it).
 */
final class NetnsLab implements AutoCloseable {

    private final String prefix;
    private final Map<String, String> addresses;

    private NetnsLab(String prefix, Map<String, String> addresses) {
        this.prefix = prefix;
        this.addresses = addresses;
    }

    /** Creates the lab; if that fails half way, what was made is removed. */
    static NetnsLab up(String prefix, String... nodes) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("up", prefix));
        args.addAll(List.of(nodes));
        Map<String, String> addresses = new HashMap<>();
        try {
            for (String line : script(args)) {
                String[] f = line.split(" ");
                addresses.put(f[0], f[1]);
            }
        } catch (IOException e) {
            script(List.of("down", prefix));
            throw e;
        }
        return new NetnsLab(prefix, Map.copyOf(addresses));
    }

    String address(String node) {
        String address = addresses.get(node);
        if (address == null) {
            throw new IllegalArgumentException("no node " + node + " in lab " + prefix);
        }
        return address;
    }

    /** The gateway (the bridge's address in the root namespace): what masqueraded callers appear as. */
    String gateway() {
        String any = addresses.values().iterator().next();
        return any.substring(0, any.lastIndexOf('.')) + ".1";
    }

    /**
     * A service address for {@code node}, as a Kubernetes Service: {@code port} there is DNAT'ed to the node's
     * {@code targetPort}; with {@code masquerade} the callers' addresses are replaced by the gateway's too.
     */
    String expose(String node, int port, int targetPort, boolean masquerade) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("expose", prefix, node, "" + port, "" + targetPort));
        if (masquerade) {
            args.add("masquerade");
        }
        return script(args).get(0);
    }

    /** The command prefix that runs a program inside the node's namespace. */
    List<String> exec(String node) {
        address(node);
        return List.of("ip", "netns", "exec", prefix + "-" + node);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        script(List.of("down", prefix));
    }

    private static List<String> script(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash",
                JaegerServer.repoRoot().resolve("scripts/netns-lab.sh").toString()));
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("netns-lab.sh " + args + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException("netns-lab.sh " + args + " failed with " + p.exitValue() + ": " + out);
        }
        return out.lines().filter(l -> !l.isBlank()).toList();
    }
}
