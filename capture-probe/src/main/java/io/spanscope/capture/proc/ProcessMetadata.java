package io.spanscope.capture.proc;

import java.util.List;
import java.util.Optional;

/**
 * What /proc tells about a process.
 *
 * @param executable resolved /proc/pid/exe, empty when unreadable (kernel threads, gone, no permission)
 * @param commandLine argv, empty when unreadable
 * @param startTimeTicks field 22 of /proc/pid/stat (clock ticks since boot): with the pid, a unique process identity
 * @param containerId docker / containerd / cri-o container id from /proc/pid/cgroup, if any
 */
public record ProcessMetadata(int pid, String executable, List<String> commandLine, long startTimeTicks,
                              Optional<String> containerId) {

    public ProcessMetadata {
        commandLine = List.copyOf(commandLine);
    }
}
