package io.spanscope.capture.bpf;

import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes libbpf's print callback to SLF4J and remembers its last warning lines, so a failed load can
 * say why (the verifier log arrives here). Installed once per JVM.
 */
final class LibBpfLog {

    private static final Logger LOG = LoggerFactory.getLogger("io.spanscope.capture.bpf.libbpf");
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_INFO = 1;
    private static final int KEPT_LINES = 60;
    private static final int LINE_BYTES = 4096;

    private static final ArrayDeque<String> RECENT = new ArrayDeque<>();
    /* Held in a static field: native libbpf keeps calling it for the life of the process. */
    private static final LibBpf.PrintFunction PRINT = LibBpfLog::print;
    private static boolean installed;

    private LibBpfLog() {
    }

    static synchronized void install() {
        if (!installed) {
            LibBpf.libbpf_set_print(PRINT);
            installed = true;
        }
    }

    /** Warning lines printed by libbpf since the last call (oldest first), then forgotten. */
    static List<String> drainRecentWarnings() {
        synchronized (RECENT) {
            List<String> lines = new ArrayList<>(RECENT);
            RECENT.clear();
            return lines;
        }
    }

    private static int print(int level, String format, Pointer vaList) {
        boolean enabled = level == LIBBPF_WARN ? LOG.isWarnEnabled()
                : level == LIBBPF_INFO ? LOG.isInfoEnabled() : LOG.isDebugEnabled();
        if (!enabled && level != LIBBPF_WARN) {
            return 0;
        }
        byte[] buffer = new byte[LINE_BYTES];
        int written = Libc.vsnprintf(buffer, buffer.length, format, vaList);
        int length = Math.max(0, Math.min(written, buffer.length - 1));
        String message = new String(buffer, 0, length, StandardCharsets.UTF_8).stripTrailing();
        if (level == LIBBPF_WARN) {
            remember(message);
            LOG.warn(message);
        } else if (level == LIBBPF_INFO) {
            LOG.info(message);
        } else {
            LOG.debug(message);
        }
        return 0;
    }

    private static void remember(String message) {
        synchronized (RECENT) {
            for (String line : message.split("\n")) {
                if (RECENT.size() == KEPT_LINES) {
                    RECENT.removeFirst();
                }
                RECENT.addLast(line);
            }
        }
    }
}
