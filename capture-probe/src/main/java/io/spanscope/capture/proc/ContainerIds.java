package io.spanscope.capture.proc;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Extracts a container id from the contents of /proc/pid/cgroup. Recognised path shapes:
 * {@code /docker/<id>}, {@code docker-<id>.scope}, {@code cri-containerd-<id>.scope},
 * {@code crio-<id>.scope}, and kubepods paths ending in {@code /<id>}; an id is 64 hex digits.
 */
public final class ContainerIds {

    private static final Pattern ID = Pattern.compile(
            "(?:/docker/|docker-|cri-containerd-|crio-|containerd-|/)([0-9a-f]{64})(?:\\.scope)?(?=/|$)");

    private ContainerIds() {
    }

    public static Optional<String> fromCgroupFile(String cgroupFileContent) {
        for (String line : cgroupFileContent.split("\n")) {
            int pathStart = line.indexOf(':', line.indexOf(':') + 1);
            if (pathStart < 0) {
                continue;
            }
            Matcher matcher = ID.matcher(line.substring(pathStart + 1).trim());
            String last = null;
            while (matcher.find()) {
                last = matcher.group(1);
            }
            if (last != null) {
                return Optional.of(last);
            }
        }
        return Optional.empty();
    }
}
