package io.spanscope.spans.service;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.spanscope.capture.proc.ProcessMetadata;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * Service identity per observed process, built once per process and cached (bounded, least recently used
 * evicted). Used from the span builder's single thread.
 */
public final class ServiceDirectory {

    static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
    static final AttributeKey<String> HOST_NAME = AttributeKey.stringKey("host.name");
    static final AttributeKey<Long> PROCESS_PID = AttributeKey.longKey("process.pid");
    static final AttributeKey<String> EXECUTABLE_NAME = AttributeKey.stringKey("process.executable.name");
    static final AttributeKey<String> EXECUTABLE_PATH = AttributeKey.stringKey("process.executable.path");
    static final AttributeKey<String> COMMAND_LINE = AttributeKey.stringKey("process.command_line");
    static final AttributeKey<String> CONTAINER_ID = AttributeKey.stringKey("container.id");
    static final AttributeKey<String> K8S_POD_NAME = AttributeKey.stringKey("k8s.pod.name");
    static final AttributeKey<String> SDK_NAME = AttributeKey.stringKey("telemetry.sdk.name");

    private final IntFunction<Optional<ProcessMetadata>> processes;
    private final String hostName;
    private final Map<Integer, ServiceIdentity> byPid;

    public ServiceDirectory(IntFunction<Optional<ProcessMetadata>> processes, String hostName, int maxProcesses) {
        this.processes = processes;
        this.hostName = hostName;
        this.byPid = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, ServiceIdentity> eldest) {
                return size() > maxProcesses;
            }
        };
    }

    public ServiceIdentity forProcess(int pid) {
        ServiceIdentity cached = byPid.get(pid);
        if (cached != null) {
            return cached;
        }
        ServiceIdentity identity = processes.apply(pid).map(this::describe).orElseGet(() -> unknown(pid));
        if (identity.traced()) {
            byPid.put(pid, identity);
        }
        return identity;
    }

    /** The process was re-executed or exited: its next spans are described afresh. */
    public void forget(int pid) {
        byPid.remove(pid);
    }

    private ServiceIdentity describe(ProcessMetadata process) {
        String name = ServiceNames.of(process);
        AttributesBuilder attributes = Attributes.builder()
                .put(SERVICE_NAME, name)
                .put(HOST_NAME, hostName)
                .put(PROCESS_PID, (long) process.pid())
                .put(SDK_NAME, "spanscope");
        if (!process.executable().isEmpty()) {
            attributes.put(EXECUTABLE_NAME, ServiceNames.baseName(process.executable()));
            attributes.put(EXECUTABLE_PATH, process.executable());
        }
        if (!process.commandLine().isEmpty()) {
            attributes.put(COMMAND_LINE, CommandLineRedaction.commandLine(process.commandLine()));
        }
        process.containerId().ifPresent(id -> attributes.put(CONTAINER_ID, id));
        if (process.containerId().isPresent() && process.serviceEnvironment().containsKey("HOSTNAME")) {
            attributes.put(K8S_POD_NAME, process.serviceEnvironment().get("HOSTNAME"));
        }
        return new ServiceIdentity(name, Resource.create(attributes.build()), true);
    }

    private ServiceIdentity unknown(int pid) {
        String name = "unknown_service";
        return new ServiceIdentity(name, Resource.create(Attributes.builder().put(SERVICE_NAME, name)
                .put(HOST_NAME, hostName).put(PROCESS_PID, (long) pid).put(SDK_NAME, "spanscope").build()), false);
    }
}
