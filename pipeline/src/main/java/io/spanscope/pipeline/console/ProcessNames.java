package io.spanscope.pipeline.console;

/** Readable process names for display; implementations cache. */
@FunctionalInterface
public interface ProcessNames {

    /** A short name such as {@code curl} or {@code nginx}, or null when the process is unknown. */
    String nameOf(int tgid);

    ProcessNames NONE = tgid -> null;
}
