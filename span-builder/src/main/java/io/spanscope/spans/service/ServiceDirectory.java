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
 * evicted). A cached identity is used only while the process lookup still answers with the metadata it was
 * built from: the lookup (capture's metadata cache) forgets a process when it execs or exits, so a new
 * program, or a new process under a reused pid, is described afresh. When the lookup no longer knows the
 * pid at all (the process exited), the last identity built for it stays in use, so records that were still in
 * flight at the exit keep their service. Used from the span builder's single thread.
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
    private final Map<Integer, Described> byPid;

    public ServiceDirectory(IntFunction<Optional<ProcessMetadata>> processes, String hostName, int maxProcesses) {
        this.processes = processes;
        this.hostName = hostName;
        this.byPid = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Described> eldest) {
                return size() > maxProcesses;
            }
        };
    }

    public ServiceIdentity forProcess(int pid) {
        Optional<ProcessMetadata> process = processes.apply(pid);
        Described cached = byPid.get(pid);
        if (process.isEmpty()) {
            // the process exited after it was described: its last exchanges reach the span builder after the
            // exit, and are still its own
            return cached != null ? cached.identity : unknown(pid);
        }
        if (cached != null && cached.source == process.get()) {
            return cached.identity;
        }
        ServiceIdentity identity = describe(process.get());
        byPid.put(pid, new Described(process.get(), identity));
        return identity;
    }

    private record Described(ProcessMetadata source, ServiceIdentity identity) {
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
