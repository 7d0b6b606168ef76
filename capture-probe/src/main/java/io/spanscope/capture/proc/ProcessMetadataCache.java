package io.spanscope.capture.proc;

import io.spanscope.capture.dispatch.ProcessEventListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Process metadata read lazily from /proc and cached, at most {@code maxEntries} processes (least
 * recently used evicted). Exec and exit events invalidate entries, so a pid that execs a new program
 * or is reused is read afresh. Thread-safe.
 */
public final class ProcessMetadataCache implements ProcessEventListener {

    private final Path procRoot;
    private final int maxEntries;
    private final Map<Integer, ProcessMetadata> entries;
    private long lookups;
    private long misses;

    public ProcessMetadataCache(Path procRoot, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive");
        }
        this.procRoot = procRoot;
        this.maxEntries = maxEntries;
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, ProcessMetadata> eldest) {
                return size() > ProcessMetadataCache.this.maxEntries;
            }
        };
    }

    public static ProcessMetadataCache ofHost() {
        return new ProcessMetadataCache(Path.of("/proc"), 16_384);
    }

    /** Metadata of {@code pid}; empty when the process is gone (or /proc is unreadable). */
    public Optional<ProcessMetadata> get(int pid) {
        synchronized (entries) {
            lookups++;
            ProcessMetadata cached = entries.get(pid);
            if (cached != null) {
                return Optional.of(cached);
            }
            misses++;
        }
        Optional<ProcessMetadata> read = read(pid);
        read.ifPresent(metadata -> {
            synchronized (entries) {
                entries.put(pid, metadata);
            }
        });
        return read;
    }

    public void invalidate(int pid) {
        synchronized (entries) {
            entries.remove(pid);
        }
    }

    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    public long misses() {
        synchronized (entries) {
            return misses;
        }
    }

    public long lookups() {
        synchronized (entries) {
            return lookups;
        }
    }

    @Override
    public void onExec(int tgid) {
        invalidate(tgid);
    }

    @Override
    public void onExit(int tgid) {
        invalidate(tgid);
    }

    private Optional<ProcessMetadata> read(int pid) {
        Path dir = procRoot.resolve(Integer.toString(pid));
        String stat;
        try {
            stat = Files.readString(dir.resolve("stat"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.of(new ProcessMetadata(pid, executable(dir), commandLine(dir), startTime(stat),
                containerId(dir), serviceEnvironment(dir)));
    }

    private static String executable(Path dir) {
        try {
            return Files.readSymbolicLink(dir.resolve("exe")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return "";
        }
    }

    private static List<String> commandLine(Path dir) {
        try {
            byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < raw.length) {
                args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
            }
            return args;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Only the {@link ProcessMetadata#SERVICE_VARIABLES}; /proc/pid/environ is NUL-separated NAME=value. */
    static Map<String, String> serviceEnvironment(Path dir) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(dir.resolve("environ"));
        } catch (IOException e) {
            return Map.of();
        }
        Map<String, String> found = new HashMap<>();
        int start = 0;
        for (int i = 0; i <= raw.length; i++) {
            if (i == raw.length || raw[i] == 0) {
                String entry = new String(raw, start, i - start, StandardCharsets.UTF_8);
                int eq = entry.indexOf('=');
                if (eq > 0 && ProcessMetadata.SERVICE_VARIABLES.contains(entry.substring(0, eq))) {
                    found.put(entry.substring(0, eq), entry.substring(eq + 1));
                }
                start = i + 1;
            }
        }
        return found;
    }

    /** Field 22; the comm field (2) may hold spaces and parentheses, so count from its last ')'. */
    static long startTime(String stat) {
        int afterComm = stat.lastIndexOf(')');
        if (afterComm < 0) {
            return 0;
        }
        String[] fields = stat.substring(afterComm + 2).trim().split(" ");
        // fields[0] is field 3 (state): field 22 is fields[19]
        try {
            return fields.length > 19 ? Long.parseLong(fields[19]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Optional<String> containerId(Path dir) {
        try {
            return ContainerIds.fromCgroupFile(Files.readString(dir.resolve("cgroup"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
