package io.spanscope.pipeline.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.Endpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Over a made-up /proc: processes in network namespaces of their own, with the kernel's file formats. */
class LocalAddressesTest {

    @TempDir
    Path proc;

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void addressesOfEveryProcesssNamespaceAreOnThisHostAndOthersAreNot() throws IOException {
        process(101, "net:[4026532001]", fibTrie("10.213.7.11"), ifInet6("fd00000000000000000000000000beef"));
        process(102, "net:[4026532002]", fibTrie("10.213.7.12"), "");
        LocalAddresses local = new LocalAddresses(proc, Duration.ofSeconds(1), now::get);

        assertThat(local.test(peer("10.213.7.11"))).isTrue();
        assertThat(local.test(peer("10.213.7.12"))).isTrue();
        assertThat(local.test(peer("fd00::beef"))).isTrue();
        assertThat(local.test(peer("127.0.0.1"))).isTrue();
        // a subnet's broadcast and network entries are not host addresses; neither is a stranger
        assertThat(local.test(peer("10.213.7.255"))).isFalse();
        assertThat(local.test(peer("198.51.100.7"))).isFalse();
    }

    @Test
    void aNamespaceThatAppearsLaterIsFoundByTheNextMissOnceTheIntervalHasPassed() throws IOException {
        process(101, "net:[4026532001]", fibTrie("10.213.7.11"), "");
        LocalAddresses local = new LocalAddresses(proc, Duration.ofSeconds(1), now::get);
        process(103, "net:[4026532003]", fibTrie("10.213.7.13"), "");

        now.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(local.test(peer("10.213.7.13"))).as("within the interval: no rescan").isFalse();
        assertThat(local.scans()).isEqualTo(1);
        now.addAndGet(Duration.ofMillis(600).toNanos());
        assertThat(local.test(peer("10.213.7.13"))).isTrue();
        assertThat(local.scans()).isEqualTo(2);
        // known addresses never cost a scan
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(local.test(peer("10.213.7.11"))).isTrue();
        assertThat(local.scans()).isEqualTo(2);
    }

    @Test
    void theRealProcOfThisMachineHoldsItsOwnAddresses() {
        LocalAddresses local = LocalAddresses.ofHost();
        assertThat(local.test(peer("127.0.0.1"))).isTrue();
        assertThat(local.test(peer("198.51.100.7"))).isFalse();
    }

    private void process(int pid, String namespace, String fibTrie, String ifInet6) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.createDirectories(dir.resolve("ns"));
        Files.createSymbolicLink(dir.resolve("ns/net"), Path.of(namespace));
        Files.createDirectories(dir.resolve("net"));
        Files.writeString(dir.resolve("net/fib_trie"), fibTrie);
        Files.writeString(dir.resolve("net/if_inet6"), ifInet6);
    }

    /** A namespace with loopback and one address in a /24, as the kernel prints it. */
    private static String fibTrie(String address) {
        String net = address.substring(0, address.lastIndexOf('.'));
        return """
                Main:
                  +-- 0.0.0.0/0 3 0 5
                     +-- 127.0.0.0/8 2 0 2
                        +-- 127.0.0.0/31 1 0 0
                           |-- 127.0.0.0
                              /8 host LOCAL
                           |-- 127.0.0.1
                              /32 host LOCAL
                     +-- %1$s.0/24 2 0 2
                        |-- %1$s.0
                           /24 link UNICAST
                        |-- %2$s
                           /32 host LOCAL
                        |-- %1$s.255
                           /32 link BROADCAST
                """.formatted(net, address);
    }

    private static String ifInet6(String hex) {
        return "00000000000000000000000000000001 01 80 10 80       lo\n" + hex + " 02 40 00 80     eth0\n";
    }

    private static Endpoint peer(String address) {
        try {
            return new Endpoint(InetAddress.getByName(address), 40000);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
