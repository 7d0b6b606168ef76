package io.spanscope.pipeline.console;

/** Readable process names for display; implementations cache. */
@FunctionalInterface
public interface ProcessNames {

    /** A short name such as {@code curl} or {@code nginx}, or null when the process is unknown. */
    String nameOf(int tgid);

    /** {@code name[pid]}, or {@code pid[pid]} for an unknown process: how consoles show a process. */
    default String label(int tgid) {
        String name = nameOf(tgid);
        return (name == null ? "pid" : name) + "[" + tgid + "]";
    }

    ProcessNames NONE = tgid -> null;
}
