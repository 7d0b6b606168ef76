package io.spanscope.spans.link;

/**
 * Evidence from outside the records on whether a process could have been serving more than one request
 * at a time. Records arrive only when exchanges complete, so a server exchange still in flight is invisible
 * to the linker; without this evidence the rule "the only server exchange that overlaps the call" could
 * pick a wrong parent while a longer request of the same process is still running.
 */
@FunctionalInterface
public interface ServerConcurrency {

    /** Trusts the records alone: for replays and tests whose records are complete. */
    ServerConcurrency RECORDS_ONLY = (tgid, fromNs, toNs) -> false;

    /**
     * Whether {@code tgid} may have had more than one server exchange in flight at some instant of
     * [{@code fromNs}, {@code toNs}] (capture clock). True when unsure.
     */
    boolean mayOverlap(int tgid, long fromNs, long toNs);
}
