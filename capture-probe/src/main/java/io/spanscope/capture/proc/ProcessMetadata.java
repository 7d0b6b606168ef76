package io.spanscope.capture.proc;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What /proc tells about a process.
 *
 * @param executable resolved /proc/pid/exe, empty when unreadable (kernel threads, gone, no permission)
 * @param commandLine argv, empty when unreadable
 * @param startTimeTicks field 22 of /proc/pid/stat (clock ticks since boot): with the pid, a unique process identity
 * @param containerId docker / containerd / cri-o container id from /proc/pid/cgroup, if any
 * @param serviceEnvironment the process's values of {@link #SERVICE_VARIABLES} that are set; nothing else
 *                           of its environment is read, since it may hold secrets
 */
public record ProcessMetadata(int pid, String executable, List<String> commandLine, long startTimeTicks,
                              Optional<String> containerId, Map<String, String> serviceEnvironment) {

    /**
     * Environment variables through which an application names itself to OpenTelemetry, and the host name
     * its container runtime gave it (a Kubernetes pod's name).
     */
    public static final List<String> SERVICE_VARIABLES = List.of("OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES",
            "HOSTNAME");

    public ProcessMetadata {
        commandLine = List.copyOf(commandLine);
        serviceEnvironment = Map.copyOf(serviceEnvironment);
    }
}
