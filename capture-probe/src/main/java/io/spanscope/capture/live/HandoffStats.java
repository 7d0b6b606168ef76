package io.spanscope.capture.live;

/**
 * Counters of the kernel's hand-off following (handoff.bpf.h): how causes moved between the threads of
 * traced processes, and where the evidence was too weak to carry one.
 *
 * @param causeWakeups wakeups within one process that carried a cause from the waker to the woken thread
 * @param causeConflicts times a thread's cause became ambiguous (a second, different cause reached it while
 *                       the first was live); such a thread stamps no cause until the ambiguity expires
 * @param causeTableFull causes not recorded because the per-thread table was full
 * @param completionsDelivered client calls whose completion the kernel followed back to a thread serving a
 *                             request (that request's response names the call)
 * @param completionConflicts times a completion became ambiguous (two calls, or a second waker, reached a
 *                            thread) and was dropped
 * @param multiplexers threads seen writing a client request while one they wrote before was unanswered (an
 *                     HTTP client's selector or worker threads): their inherited causes are not stamped
 * @param interruptWakeups in-process wakeups made in interrupt context (a timer, a packet): they name no waker
 *                         and carry nothing
 */
public record HandoffStats(long causeWakeups, long causeConflicts, long causeTableFull, long completionsDelivered,
                           long completionConflicts, long multiplexers, long interruptWakeups) {
}
