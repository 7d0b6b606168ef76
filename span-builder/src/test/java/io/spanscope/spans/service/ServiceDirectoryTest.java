package io.spanscope.spans.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.AttributeKey;
import io.spanscope.capture.proc.ProcessMetadata;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceDirectoryTest {

    private final Map<Integer, ProcessMetadata> proc = new HashMap<>();
    private final ServiceDirectory directory = new ServiceDirectory(pid -> Optional.ofNullable(proc.get(pid)), "host-1", 8);

    private static ProcessMetadata python(int pid, String script) {
        return new ProcessMetadata(pid, "/usr/bin/python3", List.of("python3", script, "--password=hunter2"), 99L,
                Optional.empty(), Map.of());
    }

    @Test
    void anIdentityIsBuiltOnceWhileTheMetadataStaysTheSame() {
        proc.put(7, python(7, "orders.py"));
        ServiceIdentity first = directory.forProcess(7);
        assertThat(first.serviceName()).isEqualTo("orders");
        assertThat(first.traced()).isTrue();
        assertThat(first.resource().getAttribute(AttributeKey.stringKey("process.command_line")))
                .isEqualTo("python3 orders.py --password=" + CommandLineRedaction.MASK);
        assertThat(first.resource().getAttribute(AttributeKey.stringKey("host.name"))).isEqualTo("host-1");
        assertThat(directory.forProcess(7)).isSameAs(first);
    }

    @Test
    void anExecOrAReusedPidIsDescribedAfreshOnceTheMetadataCacheForgotTheProcess() {
        proc.put(7, python(7, "orders.py"));
        assertThat(directory.forProcess(7).serviceName()).isEqualTo("orders");
        proc.put(7, python(7, "billing.py"));
        assertThat(directory.forProcess(7).serviceName()).isEqualTo("billing");
    }

    @Test
    void aProcessThatIsGoneIsAnUntracedUnknownService() {
        ServiceIdentity gone = directory.forProcess(42);
        assertThat(gone.serviceName()).isEqualTo("unknown_service");
        assertThat(gone.traced()).isFalse();
        assertThat(gone.resource().getAttribute(AttributeKey.longKey("process.pid"))).isEqualTo(42L);
    }

    @Test
    void aProcessThatExitedAfterItWasDescribedKeepsItsIdentityForItsLastRecords() {
        proc.put(7, python(7, "loadgen.py"));
        ServiceIdentity alive = directory.forProcess(7);
        proc.remove(7);
        assertThat(directory.forProcess(7)).isSameAs(alive);
        proc.put(7, python(7, "billing.py"));
        assertThat(directory.forProcess(7).serviceName()).as("a new process under the pid").isEqualTo("billing");
    }
}
