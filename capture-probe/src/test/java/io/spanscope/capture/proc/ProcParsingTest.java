package io.spanscope.capture.proc;

import static org.assertj.core.api.Assertions.assertThat;

import io.spanscope.capture.event.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcParsingTest {

    private static final String ID = "3f4c1e0d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d";

    @Test
    void containerIdsFromDockerContainerdCrioAndKubepodsPaths() {
        assertThat(ContainerIds.fromCgroupFile("0::/docker/" + ID + "\n")).contains(ID);
        assertThat(ContainerIds.fromCgroupFile("0::/system.slice/docker-" + ID + ".scope\n")).contains(ID);
        assertThat(ContainerIds.fromCgroupFile(
                "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-"
                        + ID + ".scope\n")).contains(ID);
        assertThat(ContainerIds.fromCgroupFile("0::/kubepods.slice/crio-" + ID + ".scope")).contains(ID);
        assertThat(ContainerIds.fromCgroupFile("12:pids:/kubepods/besteffort/pod0a1b/" + ID + "\n")).contains(ID);
        assertThat(ContainerIds.fromCgroupFile("0::/user.slice/user-0.slice/session-3.scope\n")).isEmpty();
        assertThat(ContainerIds.fromCgroupFile("garbage")).isEmpty();
    }

    @Test
    void startTimeIsField22EvenWhenTheCommandNameHasSpacesAndParentheses() {
        String stat = "4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 987654 12345 67";
        assertThat(ProcessMetadataCache.startTime(stat)).isEqualTo(987654);
        assertThat(ProcessMetadataCache.startTime("nonsense")).isZero();
    }

    @Test
    void listeningPortsDecideTheRoleOfAJoinedConnection(@TempDir Path proc) throws Exception {
        Path net = Files.createDirectories(proc.resolve("77/net"));
        Files.writeString(net.resolve("tcp"), String.join("\n",
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1",
                "   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2",
                ""));
        ListeningPorts ports = new ListeningPorts(proc);
        assertThat(ports.listeningPorts(77)).containsExactly(8080);
        assertThat(ports.inferRole(77, 8080, 50000)).isEqualTo(Role.SERVER);
        assertThat(ports.inferRole(77, 50000, 8080)).isEqualTo(Role.CLIENT);
        assertThat(ports.inferRole(78, 8080, 1)).isEqualTo(Role.UNKNOWN);
        Set<Integer> parsed = new HashSet<>();
        ListeningPorts.parse("garbage line\n", parsed);
        assertThat(parsed).isEmpty();
    }

    @Test
    void cacheReadsThisProcessAndIsBoundedAndInvalidatedOnExit() {
        ProcessMetadataCache cache = new ProcessMetadataCache(Path.of("/proc"), 2);
        int self = (int) ProcessHandle.current().pid();
        ProcessMetadata me = cache.get(self).orElseThrow();
        assertThat(me.executable()).endsWith("java");
        assertThat(me.commandLine()).isNotEmpty();
        assertThat(me.startTimeTicks()).isPositive();
        assertThat(cache.get(self)).containsSame(me);
        assertThat(cache.misses()).isEqualTo(1);
        cache.onExit(self);
        assertThat(cache.size()).isZero();
        cache.get(self);
        cache.get(1);
        cache.get((int) ProcessHandle.current().parent().orElseThrow().pid());
        assertThat(cache.size()).isLessThanOrEqualTo(2);
        assertThat(cache.get(Integer.MAX_VALUE)).isEmpty();
    }

    @Test
    void serviceEnvironmentKeepsOnlyTheOtelServiceVariables(@TempDir Path proc) throws Exception {
        Path dir = Files.createDirectories(proc.resolve("42"));
        Files.write(dir.resolve("environ"), ("PATH=/usr/bin\0DB_PASSWORD=hunter2\0OTEL_SERVICE_NAME=checkout\0"
                + "OTEL_RESOURCE_ATTRIBUTES=deployment.environment=prod,service.name=ignored\0EMPTY=")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(ProcessMetadataCache.serviceEnvironment(dir)).containsOnly(
                java.util.Map.entry("OTEL_SERVICE_NAME", "checkout"),
                java.util.Map.entry("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod,service.name=ignored"));
        assertThat(ProcessMetadataCache.serviceEnvironment(proc.resolve("missing"))).isEmpty();
    }
}
